#!/usr/bin/env bash
# The Slurm end-to-end test: installs Debian's Slurm and MUNGE when they are missing (as root),
# starts a one-node cluster on this machine (munged, slurmctld and slurmd started here, no
# systemd, a generated slurm.conf with proctrack/linuxproc and task/none), submits a run as 4
# shards and a merge, then a sweep as 3 shards and a merge, through deploy/slurm/submit.sh, waits
# for them, checks each merged folder equals the single machine's, and stops the daemons by
# their PIDs.
#
#   TRUCE=target/release/truce scripts/slurm-test.sh
#
# It fails, saying why, when the cluster cannot start: it never passes without having run the jobs.
set -euo pipefail
cd "$(dirname "$0")/.."
TRUCE=${TRUCE:?set TRUCE to the truce binary}
TRUCE=$(cd "$(dirname "$TRUCE")" && pwd)/$(basename "$TRUCE")
fail() { echo "slurm-test.sh: $*" >&2; exit 1; }

need=()
for c in slurmctld slurmd sbatch squeue sinfo munged; do command -v "$c" >/dev/null || need+=("$c"); done
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || fail "missing ${need[*]} and cannot install them (needs root and apt-get)"
  echo "slurm-test.sh: installing slurmctld slurmd slurm-client munge"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
fi
[ "$(id -u)" = 0 ] || fail "the daemons must be started as root here (slurmd runs the jobs as their user)"

W=$(mktemp -d /tmp/truce-slurm.XXXXXX)
# The daemons are stopped by the PIDs they wrote, and waited for (up to 15 s, then killed).
stop() {
  local pids=()
  for f in "$W/slurmd.pid" "$W/slurmctld.pid" "$W/munged.pid"; do
    [ -f "$f" ] && pids+=("$(cat "$f")")
  done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  rm -f truce-shard-*.out truce-merge-*.out
  rm -rf "$W"
}
trap stop EXIT

# MUNGE: a key of our own, a socket of our own.
mkdir -p "$W/munge" && chmod 700 "$W/munge"
dd if=/dev/urandom of="$W/munge/munge.key" bs=1024 count=1 status=none && chmod 400 "$W/munge/munge.key"
munged --force --key-file="$W/munge/munge.key" --socket="$W/munge/munge.socket" --pid-file="$W/munged.pid" \
  --log-file="$W/munged.log" --seed-file="$W/munge/seed" || fail "munged did not start: $(cat "$W/munged.log" 2>/dev/null)"

host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2 / 1024 / 2)}' /proc/meminfo)
mkdir -p "$W/state" "$W/spool"
cat >"$W/slurm.conf" <<CONF
ClusterName=truce-test
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$W/munge/munge.socket
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
StateSaveLocation=$W/state
SlurmdSpoolDir=$W/spool
SlurmctldPidFile=$W/slurmctld.pid
SlurmdPidFile=$W/slurmd.pid
SlurmctldLogFile=$W/slurmctld.log
SlurmdLogFile=$W/slurmd.log
SlurmctldPort=6917
SlurmdPort=6918
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=truce Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$W/slurm.conf
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start: $(tail -5 "$W/slurmctld.log" 2>/dev/null)"
slurmd -f "$SLURM_CONF" -N "$host" || fail "slurmd did not start: $(tail -5 "$W/slurmd.log" 2>/dev/null)"
for _ in $(seq 60); do
  state=$(sinfo -h -N -o %t 2>/dev/null | head -1 || true)
  [ "$state" = idle ] && break
  sleep 1
done
[ "${state:-}" = idle ] || fail "the node did not come up (state '${state:-none}'): $(tail -5 "$W/slurmctld.log" 2>/dev/null)"

# Waits for the jobs submit.sh printed, then checks that the merge wrote `$1`.
await() {
  local jobs=$1 made=$2 left=1
  echo "slurm-test.sh: submitted jobs $jobs"
  for _ in $(seq 300); do
    left=$(squeue -h -j "${jobs// /,}" 2>/dev/null | wc -l)
    [ "$left" = 0 ] && break
    sleep 1
  done
  [ "$left" = 0 ] || fail "the jobs did not finish in 300 s: $(squeue 2>&1)"
  [ -f "$made" ] || fail "the merge wrote nothing: $(cat truce-merge-*.out truce-shard-*.out 2>/dev/null | tail -20)"
}

same() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
from pathlib import Path
a, b, count = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
fa = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
fb = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
assert fa == fb, f"the folders hold different files: {fa} vs {fb}"
for f in fa:
    if f.name == "manifest.json":
        ma, mb = (json.loads((d / f).read_text()) for d in (a, b))
        shards = mb.get("shards", [])
        assert [s["k"] for s in shards] == list(range(count)), f"the manifest's shards: {shards}"
        for m in (ma, mb):
            for k in ("wall_seconds", "finished_unix", "command", "threads", "shards"):
                m.pop(k, None)
        assert ma == mb, "manifest.json differs beyond timing and host"
    else:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f"{f} differs"
print(f"slurm-test.sh: the merged folder of {count} Slurm shards equals the single machine's ({len(fa)} files)")
PY
}

# A single run, and the same rollouts as 4 shards and a merge on the cluster.
N=3001
"$TRUCE" run scenarios/fight_and_talk.toml -n "$N" --seed 7 --no-charts --out "$W/single" >/dev/null
await "$(TRUCE=$TRUCE deploy/slurm/submit.sh scenarios/fight_and_talk.toml 4 --out "$W/merged" --shard-dir "$W/shards" \
  --merge "--no-charts" -- -n "$N" --seed 7 --no-charts | tail -1)" "$W/merged/summary.json"
same "$W/single" "$W/merged" 4

# A sweep of 5 points as 3 shards (one point, two, two) and its merge.
sweep=(--vary actors.us.pressure=0..0.1:5 -n 300 --seed 7 --no-charts)
"$TRUCE" sweep scenarios/endgame.toml "${sweep[@]}" --out "$W/sweep-single" >/dev/null
await "$(TRUCE=$TRUCE deploy/slurm/submit.sh scenarios/endgame.toml 3 --command sweep --out "$W/sweep-merged" \
  --shard-dir "$W/sweep-shards" --merge "--no-charts" -- "${sweep[@]}" | tail -1)" "$W/sweep-merged/sweep.csv"
same "$W/sweep-single" "$W/sweep-merged" 3
