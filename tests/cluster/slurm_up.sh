#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine for tests: munged (unless one already
# answers), slurmctld and slurmd, with every file under STATE_DIR and free ports.
# Prints `export SLURM_CONF=...`; stop it with tests/cluster/slurm_down.sh STATE_DIR.
# Needs root and the Debian packages slurm-wlm and munge (scripts/install-deps.sh).
set -euo pipefail

state=${1:?usage: slurm_up.sh STATE_DIR}
mkdir -p "$state"
state=$(cd "$state" && pwd)
for tool in slurmctld slurmd sinfo sbatch munged munge unmunge; do
  command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || { echo "slurm_up: $tool is not installed" >&2; exit 1; }
done

# A munged of our own, so that test clusters started side by side never share (or stop)
# each other's. munged refuses to run as root, and its socket directory must be reachable
# by the munge user, so it lives under /run rather than in STATE_DIR.
munge_dir=$(mktemp -d /run/simfabric-munge.XXXXXX)
chown munge:munge "$munge_dir"
chmod 0755 "$munge_dir"
echo "$munge_dir" > "$state/munge_dir"
munge_socket=$munge_dir/munge.socket
runuser -u munge -- /usr/sbin/munged --socket="$munge_socket" --pid-file="$munge_dir/munged.pid" \
  --log-file="$munge_dir/munged.log" --seed-file="$munge_dir/munged.seed"
for _ in $(seq 50); do munge -S "$munge_socket" -n 2>/dev/null | unmunge -S "$munge_socket" >/dev/null 2>&1 && break; sleep 0.1; done

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ctld_port=$(free_port)
slurmd_port=$(free_port)
host=$(hostname -s)
node=$(slurmd -C | head -n 1)
mkdir -p "$state/ctld" "$state/slurmd" "$state/log"

cat > "$state/slurm.conf" <<CONF
ClusterName=simfabric-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$munge_socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmix
MailProg=/bin/true
ReturnToService=2
SchedulerParameters=sched_interval=1
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/slurmd
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

export SLURM_CONF=$state/slurm.conf
/usr/sbin/slurmctld -i
/usr/sbin/slurmd
for _ in $(seq 200); do
  if [[ "$(sinfo -h -o %T 2>/dev/null | head -n 1)" == idle ]]; then
    echo "export SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.1
done
echo "slurm_up: the node did not become idle; see $state/log" >&2
exit 1
