#!/usr/bin/env bash
# Checks that a change leaves truce's outputs byte for byte as they were: builds REV (default
# HEAD) in a temporary worktree and the working tree as it is, runs both on every shipped
# scenario and on a small sweep, tornado, design, comparison, backtest and rolling backtest, and compares every file they write (the manifest
# without its wall time, finish time and command line). For refactors, which must not change a
# number; a model change is expected to fail it.
#
#   scripts/same-outputs.sh            # the working tree against HEAD
#   scripts/same-outputs.sh main~3     # against another revision
#   N=20000 scripts/same-outputs.sh    # more rollouts per run (default 2000)
set -euo pipefail
cd "$(dirname "$0")/.."
REV=${1:-HEAD}
N=${N:-2000}
WORK=$(mktemp -d)
trap 'git worktree remove --force "$WORK/old" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

echo "same-outputs.sh: building $REV and the working tree (both run on the working tree's scenarios)"
git worktree add --detach "$WORK/old" "$REV" >/dev/null
# REV's build is kept under target/, by commit, so a second check against it builds only the tree.
OLD_TARGET="$PWD/target/same-outputs/$(git rev-parse "$REV^{commit}")"
(cd "$WORK/old" && CARGO_TARGET_DIR="$OLD_TARGET" cargo build --release -q)
cargo build --release -q
OLD="$OLD_TARGET/release/truce"
NEW="$PWD/target/release/truce"

run_all() { # binary, output folder
  local bin=$1 out=$2
  for s in scenarios/*.toml; do
    "$bin" run "$s" -n "$N" --seed 1 --no-charts --out "$out/run-$(basename "$s" .toml)" >/dev/null
  done
  # Charts too, for one run (they are drawn from its files, so the others' would repeat them).
  "$bin" run scenarios/endgame.toml -n "$N" --seed 1 --size 800x500 --out "$out/charts-endgame" >/dev/null
  "$bin" sweep scenarios/endgame.toml --vary actors.us.pressure=0..0.1:3 -n "$((N / 4))" --seed 1 --no-charts --out "$out/sweep" >/dev/null
  "$bin" sensitivity scenarios/baseline.toml -n "$((N / 4))" --seed 1 --no-charts --out "$out/tornado" >/dev/null
  head -n 6 examples/saltelli.csv >"$out.design.csv"
  "$bin" sensitivity scenarios/baseline.toml --design "$out.design.csv" -n "$((N / 10))" --seed 1 --no-charts --out "$out/design" >/dev/null
  "$bin" compare scenarios/endgame.toml scenarios/fight_and_talk.toml --variant 'hard=actors.us.pressure=0.1' -n "$((N / 2))" --seed 1 --no-charts --out "$out/compare" >/dev/null
  "$bin" backtest scenarios/validation/backtest_2024-05.toml --observed data/territory_monthly.csv -n "$((N / 2))" --seed 1 --no-charts --out "$out/backtest" >/dev/null
  "$bin" backtest scenarios/validation/backtest_2024-05.toml --observed data/territory_monthly.csv --rolling --origins 2024-06:2024-11 -n "$((N / 10))" --seed 1 --no-charts --out "$out/rolling" >/dev/null
}
run_all "$OLD" "$WORK/a"
run_all "$NEW" "$WORK/b"

# The manifest records when and how long: those fields may differ.
strip() { python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); [m.pop(k,None) for k in ("wall_seconds","finished_unix","command")]; print(json.dumps(m,sort_keys=True,indent=1))' "$1"; }
differ=0
while IFS= read -r f; do
  rel=${f#"$WORK/a/"}
  if [ ! -f "$WORK/b/$rel" ]; then echo "only in $REV: $rel"; differ=1; continue; fi
  if [ "$(basename "$f")" = manifest.json ]; then
    cmp -s <(strip "$f") <(strip "$WORK/b/$rel") || { echo "differs: $rel"; differ=1; }
  else
    cmp -s "$f" "$WORK/b/$rel" || { echo "differs: $rel"; differ=1; }
  fi
done < <(find "$WORK/a" -type f | sort)
while IFS= read -r f; do
  rel=${f#"$WORK/b/"}
  [ -f "$WORK/a/$rel" ] || { echo "only in the working tree: $rel"; differ=1; }
done < <(find "$WORK/b" -type f | sort)
files=$(find "$WORK/a" -type f | wc -l)
if [ "$differ" = 0 ]; then
  echo "same-outputs.sh: all $files files the same as $REV's (N = $N)"
else
  echo "same-outputs.sh: outputs differ from $REV's" >&2
  exit 1
fi
