#!/usr/bin/env bash
# Speed, measured side by side: `truce bench` on the baseline and on the textbook forts case,
# then the forts case at 100,000 rollouts on one thread as two whole processes — truce writing
# its run folder without charts, and benches/forts_numpy.py (vectorised NumPy, writing nothing) —
# with their wall and CPU times, peak memory and the ratio, each the fastest of REPS runs.
#
#   benches/compare.sh                 # builds truce (release) first
#   N=10000 benches/compare.sh         # another number of forts rollouts
#   REPS=9 BASELINE_N=20000 benches/compare.sh   # more repetitions; a shorter baseline bench
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
"$TRUCE" bench scenarios/baseline.toml -n "${BASELINE_N:-100000}"
echo
echo "== truce bench, forts (N = 10, k = 5, p = 1/2, horizon 1,200 months)"
"$TRUCE" bench scenarios/validation/forts.toml -n "$N"
echo
echo "== forts, $N rollouts, one thread, whole processes"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# The machine's speed drifts between runs, so each command runs REPS times, interleaved with the
# others (a slow spell hits all of them alike), and the fastest and the median are reported.
REPS=${REPS:-5}
labels=("truce run (run folder, no charts)" "truce run (no charts, no runs.csv)" "numpy (vectorised, writes nothing)")
run_one() { # index of the command: leaves "seconds kilobytes" in $out/time
  case $1 in
    0) /usr/bin/time -f "%e %M %U %S" -o "$out/time" "$TRUCE" run scenarios/validation/forts.toml -n "$N" --threads 1 --no-charts --out "$out/forts" >/dev/null ;;
    1) /usr/bin/time -f "%e %M %U %S" -o "$out/time" "$TRUCE" run scenarios/validation/forts.toml -n "$N" --threads 1 --no-charts --no-runs-csv --out "$out/forts" >/dev/null ;;
    2) /usr/bin/time -f "%e %M %U %S" -o "$out/time" "$py" benches/forts_numpy.py "$N" >"$out/stdout" ;;
  esac
  rm -rf "$out/forts"
}
for ((r = 0; r < REPS; r++)); do
  for c in 0 1 2; do
    run_one "$c"
    cat "$out/time" >>"$out/times.$c"
  done
done
stats() { # index: fastest and median wall seconds, peak MB and CPU seconds (user + system) of the fastest
  sort -n "$out/times.$1" | awk -v n="$REPS" '{s[NR] = $1; m[NR] = $2; c[NR] = $3 + $4} END {printf "%.2f %.2f %.1f %.2f", s[1], s[int((n + 1) / 2)], m[1] / 1024, c[1]}'
}
for c in 0 1 2; do
  read -r best median mb cpu <<<"$(stats "$c")"
  printf '%-38s fastest %5.2f s (CPU %5.2f s), median %5.2f s (of %d)  %6.1f MB peak\n' "${labels[$c]}" "$best" "$cpu" "$median" "$REPS" "$mb"
done
read -r t_truce _ _ _ <<<"$(stats 0)"
read -r t_numpy _ _ _ <<<"$(stats 2)"
sed 's/^/  /' "$out/stdout"
echo "ratio of the fastest runs: numpy time / truce time = $(echo "scale=2; $t_numpy / $t_truce" | bc -l) (above 1: truce is faster)"
