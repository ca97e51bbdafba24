#!/usr/bin/env bash
# Stops what tests/cluster/slurm_up.sh STATE_DIR started, by the pids the daemons wrote.
set -uo pipefail
state=${1:?usage: slurm_down.sh STATE_DIR}
stop() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null
}
stop "$state/slurmd.pid"
stop "$state/slurmctld.pid"
if [[ -e "$state/munged.started" ]]; then
  stop /run/munge/munged.pid
  rm -f "$state/munged.started"
fi
exit 0
