#!/usr/bin/env bash
# Stop the test cluster of start_cluster.sh: slurmd, slurmctld and munged, by their pid files.
set -uo pipefail

stop() {  # pid file
    [[ -s $1 ]] || return 0
    local pid
    pid=$(cat "$1")
    kill "$pid" 2>/dev/null || { rm -f "$1"; return 0; }
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$1"; return 0; }
        sleep 0.2
    done
    kill -9 "$pid" 2>/dev/null
    rm -f "$1"
}

# Jobs still queued or running would outlive slurmd (their slurmstepd keeps going).
if scontrol ping >/dev/null 2>&1; then
    squeue -h -o %A | sort -u | xargs -r scancel 2>/dev/null
fi
stop /run/slurmd.pid
stop /run/slurmctld.pid
stop /run/munge/munged.pid
exit 0
