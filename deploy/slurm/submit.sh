#!/usr/bin/env bash
# Submits a truce run (or sweep, or sensitivity analysis) as a Slurm job array of N shards and a
# merge that waits for all of them:
#
#   deploy/slurm/submit.sh SCENARIO N [--command C] [--out DIR] [--shard-dir DIR] [--merge "OPTIONS"] -- [truce options]
#   deploy/slurm/submit.sh scenarios/endgame.toml 16 --out output/endgame -- -n 1000000 --seed 7
#   deploy/slurm/submit.sh scenarios/endgame.toml 8 --command sweep -- --vary actors.us.pressure=0..0.1:41
#
# Each array task K runs `truce C SCENARIO OPTIONS --shard K/N` (C: run, the default, sweep or
# sensitivity) into SHARD_DIR/K (default shards/<scenario file's name>); the merge job
# (--dependency=afterok on the array) runs `truce merge` into --out (default: truce's own, the
# folder one machine would write). Run it from the folder
# the scenario paths are relative to, on a file system every node sees. sbatch's own settings come
# from its environment variables (SBATCH_PARTITION, SBATCH_ACCOUNT, SBATCH_TIMELIMIT, …), and
# TRUCE names the truce binary (default: the one on PATH). Prints the two job ids on its last line.
set -euo pipefail
usage() { sed -n '2,16p' "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
scenario=$1 shards=$2
shift 2
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || { echo "submit.sh: N must be a whole number ≥ 1, not '$shards'" >&2; exit 2; }
[ -f "$scenario" ] || { echo "submit.sh: no scenario file '$scenario' (paths are relative to $(pwd))" >&2; exit 2; }
out="" shard_dir="shards/$(basename "$scenario" .toml)" merge_opts="" command=run
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  case $1 in
    --command)
      case $2 in run | sweep | sensitivity) command=$2 ;; *) echo "submit.sh: --command is run, sweep or sensitivity, not '$2'" >&2; exit 2 ;; esac
      shift 2 ;;
    --out) out=$2; shift 2 ;;
    --shard-dir) shard_dir=$2; shift 2 ;;
    --merge) merge_opts=$2; shift 2 ;;
    *) echo "submit.sh: unknown option '$1' (truce's options go after --)" >&2; usage ;;
  esac
done
[ "${1:-}" = "--" ] && shift
TRUCE=${TRUCE:-$(command -v truce || true)}
[ -x "$TRUCE" ] || { echo "submit.sh: no truce binary: install it (cargo install --path .) or set TRUCE" >&2; exit 2; }
TRUCE=$(cd "$(dirname "$TRUCE")" && pwd)/$(basename "$TRUCE")
mkdir -p "$shard_dir"
export TRUCE TRUCE_COMMAND=$command TRUCE_SHARDS=$shards TRUCE_SHARD_DIR TRUCE_OUT=$out
TRUCE_SHARD_DIR=$(cd "$shard_dir" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
array=$(sbatch --parsable --export=ALL --array="0-$((shards - 1))" "$here/shard.sbatch" "$scenario" "$@" | cut -d';' -f1)
# shellcheck disable=SC2086 # the merge options are words
merge=$(sbatch --parsable --export=ALL --dependency="afterok:$array" "$here/merge.sbatch" $merge_opts | cut -d';' -f1)
echo "submit.sh: $shards shards as array job $array, the merge as job $merge (it starts when every shard succeeded)"
echo "submit.sh: a failed shard K is rerun alone: sbatch --array=K $here/shard.sbatch $scenario $*; then the merge: sbatch $here/merge.sbatch"
echo "$array $merge"
