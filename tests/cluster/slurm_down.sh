#!/usr/bin/env bash
# Stops what tests/cluster/slurm_up.sh STATE_DIR started, by the pids the daemons wrote.
set -uo pipefail
state=${1:?usage: slurm_down.sh STATE_DIR}
pids=()
for file in "$state/slurmd.pid" "$state/slurmctld.pid"; do
  pid=$(cat "$file" 2>/dev/null) && kill "$pid" 2>/dev/null && pids+=("$pid")
done
munge_dir=$(cat "$state/munge_dir" 2>/dev/null)
if [[ -n "$munge_dir" && -d "$munge_dir" ]]; then
  pid=$(cat "$munge_dir/munged.pid" 2>/dev/null) && kill "$pid" 2>/dev/null && pids+=("$pid")
fi
# Both daemons shut down at once; whichever is still there after 3 s is killed.
for _ in $(seq 30); do
  alive=()
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
  if ((${#alive[@]} == 0)); then
    [[ -n "${munge_dir:-}" ]] && rm -rf "$munge_dir"
    exit 0
  fi
  sleep 0.1
done
kill -9 "${alive[@]}" 2>/dev/null
[[ -n "${munge_dir:-}" ]] && rm -rf "$munge_dir"
exit 0
