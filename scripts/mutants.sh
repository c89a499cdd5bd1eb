#!/usr/bin/env bash
# Mutation testing of truce's core, in batches a 2-core machine can finish (docs/testing.md).
#
#   scripts/mutants.sh                 every batch below
#   scripts/mutants.sh stats summary   only the named batches
#   MUTANTS_SHARD=1/4 scripts/mutants.sh stats   a quarter of a batch's mutants (cargo-mutants --shard)
#   MUTANTS_JOBS=2 scripts/mutants.sh ...        two mutants at once (each in its own copy of the tree)
#   MUTANTS_FIRST_PASS_ONLY=1 scripts/mutants.sh outlook   a `lib` batch's first pass alone (minutes)
#
# Each batch mutates one source file and runs the tests that claim to cover it (unit tests of the
# library and the integration tests named), not the whole suite, so one mutant costs one
# incremental build and a few seconds of tests. Results go to target/mutants/<batch>/ (cargo-mutants'
# own mutants.out: caught.txt, missed.txt, timeout.txt, unviable.txt) and a one-line score per
# batch is printed and appended to target/mutants/scores.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=27.1.0
if ! cargo mutants --version 2>/dev/null | grep -q "$VERSION"; then
  echo "mutants.sh: installing cargo-mutants $VERSION (once; a few minutes)"
  cargo install cargo-mutants --version "$VERSION" --locked
fi

# The library's unit tests (every batch's first pass) include the Chinese font test, which needs
# fonts-wqy-microhei: cargo-mutants refuses to start when the unmutated tree fails.
scripts/install-font.sh || exit 2

# batch | file | test arguments (after `cargo test`) | timeout per mutant in seconds (a mutant can
# turn a loop endless: the timeout is a few times the batch's own test time) | `lib` to sieve first
#
# A batch marked `lib` runs in two passes: every mutant against the library's unit tests alone
# (one small build and under a second of tests), then only the mutants that pass survived it
# against the batch's full test arguments (`cargo mutants --iterate`). A mutant caught by either
# pass is caught; the score counts both (`previously_caught.txt` holds the first pass's).
BATCHES=(
  "stats|src/stats.rs|--lib -- stats|30"
  "summary|src/summary/mod.rs|--lib --test it -- summary shards hardening::reported engine::outputs_are engine::every_shipped alloc|240|lib"
  "validate|src/validate.rs|--lib --test it -- validate validation|240|lib"
  "events|src/model/events.rs|--lib --test it -- engine validation negotiation events|240|lib"
  "postdeal|src/model/postdeal.rs|--lib --test it -- engine validation postdeal|240|lib"
  "beliefs|src/model/beliefs.rs|--lib --test it -- beliefs validation engine|240|lib"
  "battlefield|src/model/battlefield.rs|--lib --test it -- battlefield engine validation|240|lib"
  "policies|src/model/policies.rs|--test it -- engine analysis::|240|lib"
  "negotiation|src/model/negotiation/mod.rs|--lib --test it -- negotiation validation levers::each_lever engine::endgame engine::fight|240|lib"
  "proposer|src/model/negotiation/proposer.rs|--lib --test it -- negotiation validation levers::each_lever engine::endgame engine::fight|240|lib"
  "outlook|src/model/negotiation/outlook.rs|--lib --test it -- negotiation validation levers::each_lever engine::endgame engine::fight|240|lib"
  "rollout|src/model/rollout.rs|--lib --test it -- engine validation alloc rollout|240|lib"
  "model|src/model/mod.rs|--test it -- engine validation|240|lib"
  "runner|src/runner.rs|--test it -- engine::outputs_are analysis::analyses_are|240|lib"
  "intervals|src/analysis/intervals.rs|--lib --test it -- analysis --skip salib|240|lib"
  "prcc|src/analysis/prcc.rs|--lib --test it -- analysis --skip salib|240|lib"
  "grid|src/analysis/grid.rs|--lib --test it -- analysis shards_analyses --skip salib|240|lib"
  "tally|src/analysis/tally.rs|--lib --test it -- analysis --skip salib|240|lib"
  "compare|src/analysis/compare.rs|--lib --test it -- analysis --skip salib|240|lib"
  "hold|src/analysis/hold.rs|--lib --test it -- analysis hardening --skip salib|240|lib"
  "sweep|src/analysis/sweep.rs|--lib --test it -- analysis shards_analyses folders::sweeps --skip salib|240|lib"
  "sensitivity|src/analysis/sensitivity.rs|--lib --test it -- analysis shards_analyses --skip salib|240|lib"
)

wanted=("$@")
mkdir -p target/mutants
for entry in "${BATCHES[@]}"; do
  IFS='|' read -r name file tests timeout sieve <<<"$entry"
  if [ ${#wanted[@]} -gt 0 ] && [[ ! " ${wanted[*]} " =~ " $name " ]]; then
    continue
  fi
  echo "mutants.sh: $name ($file) with: cargo test $tests"
  shard=()
  if [ -n "${MUTANTS_SHARD:-}" ]; then shard=(--shard "$MUTANTS_SHARD"); fi
  if [ -n "${MUTANTS_JOBS:-}" ]; then shard+=(--jobs "$MUTANTS_JOBS"); fi
  # cargo-mutants builds each mutant with `cargo test --no-run` and passes the arguments after
  # `--` to the test run only, so a build would compile every target (the binary, the examples,
  # the integration tests) whatever the batch runs. The targets (`--lib`, `--test it`) go to
  # every cargo call instead (`--cargo-arg`) and only the filter words to the test run.
  targets=() filters=()
  read -r -a words <<<"${tests%% -- *}"
  for w in "${words[@]}"; do targets+=(--cargo-arg="$w"); done
  if [[ "$tests" == *" -- "* ]]; then read -r -a filters <<<"${tests#* -- }"; fi
  iterate=()
  if [ "${sieve:-}" = lib ]; then
    echo "mutants.sh: $name, first pass: cargo test --lib"
    cargo mutants --file "$file" --output "target/mutants/$name" --timeout 60 --profile mutants --no-shuffle "${shard[@]}" --cargo-arg=--lib || true
    # The second pass lists the first's unviable mutants among the "previously caught".
    cp "target/mutants/$name/mutants.out/unviable.txt" "target/mutants/$name/first_pass_unviable.txt" 2>/dev/null || : >"target/mutants/$name/first_pass_unviable.txt"
    iterate=(--iterate)
  fi
  out="target/mutants/$name/mutants.out"
  if [ ${#iterate[@]} -gt 0 ] && [ -n "${MUTANTS_FIRST_PASS_ONLY:-}" ]; then
    line="$name $file, first pass (unit tests) only: $(wc -l <"$out/caught.txt") caught, $(wc -l <"$out/missed.txt") missed, $(wc -l <"$out/unviable.txt") unviable"
    echo "mutants.sh: $line"
    echo "$(date -u +%Y-%m-%d) $line" >>target/mutants/scores.txt
    continue
  fi
  cargo mutants --file "$file" --output "target/mutants/$name" --timeout "$timeout" --profile mutants --no-shuffle "${shard[@]}" "${iterate[@]}" "${targets[@]}" -- -- "${filters[@]}" || true
  count() { if [ -f "$out/$1.txt" ]; then awk 'NF { n++ } END { print n + 0 }' "$out/$1.txt"; else echo 0; fi; }
  first_unviable=0
  if [ ${#iterate[@]} -gt 0 ]; then first_unviable=$(awk 'NF { n++ } END { print n + 0 }' "target/mutants/$name/first_pass_unviable.txt"); fi
  caught=$(($(count caught) + $(count previously_caught) - first_unviable)); missed=$(count missed); timeout=$(count timeout)
  unviable=$(($(count unviable) + first_unviable))
  viable=$((caught + missed + timeout))
  score=$(awk -v c="$caught" -v t="$timeout" -v v="$viable" 'BEGIN { if (v > 0) printf "%.1f", 100 * (c + t) / v; else print "-" }')
  line="$name $file: $caught caught, $timeout timed out, $missed missed, $unviable unviable; score ${score}% of viable mutants"
  echo "mutants.sh: $line"
  echo "$(date -u +%Y-%m-%d) $line" >>target/mutants/scores.txt
done
