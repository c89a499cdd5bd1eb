#!/usr/bin/env bash
# Speed, measured side by side: `truce bench` on the baseline and on the textbook forts case,
# then the forts case at 100,000 rollouts on one thread as two whole processes — truce writing
# its run folder without charts, and benches/forts_numpy.py (vectorised NumPy, writing nothing) —
# with their wall times, peak memory and the ratio.
#
#   benches/compare.sh                 # builds truce (release) first
#   N=10000 benches/compare.sh         # another number of forts rollouts
#
# NumPy comes from TRUCE_PYTHON if that Python has it, else from a venv made here
# (target/numpyvenv, numpy pinned as in notebooks/requirements.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
cargo build --release -q
TRUCE=target/release/truce
py=${TRUCE_PYTHON:-python3}
if ! "$py" -c 'import numpy' 2>/dev/null; then
  py=target/numpyvenv/bin/python
  if ! "$py" -c 'import numpy' 2>/dev/null; then
    python3 -m venv target/numpyvenv
    target/numpyvenv/bin/pip install -q --disable-pip-version-check "$(grep '^numpy==' notebooks/requirements.txt)"
  fi
fi
command -v /usr/bin/time >/dev/null || { echo "compare.sh: needs /usr/bin/time (Debian: apt-get install time)" >&2; exit 2; }

echo "== truce bench, baseline"
"$TRUCE" bench scenarios/baseline.toml -n 100000
echo
echo "== truce bench, forts (N = 10, k = 5, p = 1/2, horizon 1,200 months)"
"$TRUCE" bench scenarios/validation/forts.toml -n "$N"
echo
echo "== forts, $N rollouts, one thread, whole processes"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
measure() { # label, command…: prints the label, seconds and peak RSS; leaves seconds in $secs
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$out/time" "$@" >"$out/stdout"
  read -r secs kb <"$out/time"
  printf '%-44s %6.2f s  %6.1f MB peak\n' "$label" "$secs" "$(echo "$kb / 1024" | bc -l)"
}
measure "truce run (run folder, no charts)" "$TRUCE" run scenarios/validation/forts.toml -n "$N" --threads 1 --no-charts --out "$out/forts"
t_truce=$secs
measure "truce run (no charts, no runs.csv)" "$TRUCE" run scenarios/validation/forts.toml -n "$N" --threads 1 --no-charts --no-runs-csv --out "$out/forts2"
measure "numpy (vectorised, writes nothing)" "$py" benches/forts_numpy.py "$N"
t_numpy=$secs
sed 's/^/  /' "$out/stdout"
echo "ratio: numpy time / truce time = $(echo "$t_numpy / $t_truce" | bc -l | cut -c1-5) (above 1: truce is faster)"
