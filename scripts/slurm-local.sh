#!/usr/bin/env bash
# A real single-node SLURM on loopback for the workflow test (../shared/docs/slurm-recipe.md):
# munged, slurmctld and slurmd from Debian's packages, with every file (key, socket, config,
# state, spool, logs, pid files) in one folder, so nothing outside it changes.
#
#   scripts/slurm-local.sh start DIR   # prints the environment to use; fails with the reason
#   scripts/slurm-local.sh stop DIR    # stops the daemons it started, by their pid files
#
# Jobs record their completion in DIR/jobcomp.log (jobcomp/filetxt): the proof that a job went
# through SLURM, since without slurmdbd there is no sacct.
set -euo pipefail
cmd=${1:?usage: slurm-local.sh start|stop DIR}
dir=${2:?usage: slurm-local.sh start|stop DIR}

fail() { echo "slurm-local: $*" >&2; exit 1; }

stop_pidfile() {  # name pidfile: TERM, wait up to 10 s, then KILL
  local name=$1 file=$2 pid
  [ -s "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "slurm-local: $name ($pid) did not stop in 10 s; killing it" >&2
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$file"
}

if [ "$cmd" = stop ]; then
  dir=$(cd "$dir" 2>/dev/null && pwd) || exit 0
  stop_pidfile slurmd "$dir/slurmd.pid"
  stop_pidfile slurmctld "$dir/slurmctld.pid"
  stop_pidfile munged "$dir/munged.pid"
  exit 0
fi
[ "$cmd" = start ] || fail "unknown command '$cmd' (start or stop)"

for tool in munged slurmctld slurmd sinfo sbatch squeue scontrol; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (Debian: munge slurmctld slurmd slurm-client; scripts/install-deps.sh installs them)"
done
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# munged refuses a socket folder others can write to, and slurm's paths must be short.
chmod 700 "$dir"
mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
chmod 700 "$dir/munge"

# A free TCP port on loopback (two: the controller's and the node's).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ctld_port=$(free_port)
slurmd_port=$(free_port)
while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done

# Munge: a fresh key for this cluster only, its own socket.
head -c 1024 /dev/urandom > "$dir/munge/munge.key"
chmod 400 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munge.seed" \
  || fail "munged did not start: $(tail -n 3 "$dir/log/munged.log" 2>/dev/null)"

node=$(hostname -s)
cpus=$(nproc)
mem_mb=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)
cat > "$dir/slurm.conf" <<EOF
ClusterName=cytoreset-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.log
MpiDefault=none
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$dir/slurm.conf"

slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start: $(tail -n 5 "$dir/log/slurmctld.log" 2>/dev/null)"
slurmd -f "$SLURM_CONF" -N "$node" || fail "slurmd did not start: $(tail -n 5 "$dir/log/slurmd.log" 2>/dev/null)"
# The node must be idle (ready for jobs) within 30 s.
for _ in $(seq 300); do
  state=$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1 || true)
  [ "$state" = idle ] && break
  sleep 0.1
done
if [ "$state" != idle ]; then
  echo "slurm-local: the node is '${state:-unknown}', not idle, after 30 s" >&2
  tail -n 5 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
  exit 1
fi
# Snakemake's SLURM job step runs `srun` inside each job with every SLURM_* variable but the
# job's ids removed (snakemake-executor-plugin-slurm-jobstep), SLURM_CONF included: a real cluster
# keeps its config in /etc/slurm, this one does not. An `srun` first on PATH puts it back.
mkdir -p "$dir/bin"
printf '#!/bin/sh\nSLURM_CONF=%s exec %s "$@"\n' "$SLURM_CONF" "$(command -v srun)" > "$dir/bin/srun"
chmod +x "$dir/bin/srun"
echo "export SLURM_CONF=$SLURM_CONF PATH=$dir/bin:\$PATH"
