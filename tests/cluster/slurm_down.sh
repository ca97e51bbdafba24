#!/usr/bin/env bash
# Stops what tests/cluster/slurm_up.sh STATE_DIR started, by the pids the daemons wrote.
set -uo pipefail
state=${1:?usage: slurm_down.sh STATE_DIR}
pids=()
for file in "$state/slurmd.pid" "$state/slurmctld.pid"; do
  pid=$(cat "$file" 2>/dev/null) && kill "$pid" 2>/dev/null && pids+=("$pid")
done
if [[ -e "$state/munged.started" ]]; then
  pid=$(cat /run/munge/munged.pid 2>/dev/null) && kill "$pid" 2>/dev/null && pids+=("$pid")
  rm -f "$state/munged.started"
fi
# Both daemons shut down at once; whichever is still there after 3 s is killed.
for _ in $(seq 30); do
  alive=()
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
  ((${#alive[@]} == 0)) && exit 0
  sleep 0.1
done
kill -9 "${alive[@]}" 2>/dev/null
exit 0
