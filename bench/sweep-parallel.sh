#!/bin/sh
# portlab: Linux port semantics for ns-3.
# SPDX-License-Identifier: GPL-2.0-only
#
# A 32-point sweep run three ways on this machine, side by side, REPEAT times (medians):
#   serial    portlab sweep --jobs 1            (the points one by one)
#   parallel  portlab sweep --jobs $(nproc)     (all cores)
#   gnu       portlab sweep --emit-jobs FILE; parallel < FILE; portlab collect
# then the ratios to serial (the target is <= 0.6 on 2 cores) and whether the three points.csv
# are identical. A program that prints figures, not a test.
#
# Usage: bench/sweep-parallel.sh [PORTLAB] [REPEAT]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
PORTLAB=$(realpath "${1:-build/scratch/portlab}")
REPEAT=${2:-3}
JOBS=$(nproc)
export PORTLAB_SCENARIOS="${PORTLAB_SCENARIOS:-$here/../scenarios}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# 8 rates x 4 ephemeral ranges = 32 points of timewait-exhaustion, 95 simulated seconds each.
sweep() {
    "$PORTLAB" sweep timewait-exhaustion \
        --vary app.load.rate=10/s,20/s,30/s,40/s,50/s,60/s,80/s,100/s \
        --vary "group.client.sysctl.net.ipv4.ip_local_port_range=40000 40999,40000 41999,40000 42999,40000 43999" \
        --set duration=95s --set warmup=65s --set snapshots=30s "$@" > /dev/null
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

serial="" par="" gnu=""
i=0
while [ "$i" -lt "$REPEAT" ]; do
    rm -rf S P G jobs.txt
    t0=$(now); sweep --jobs 1 --out S; t1=$(now)
    serial="$serial $(elapsed "$t0" "$t1")"
    t0=$(now); sweep --jobs "$JOBS" --out P; t1=$(now)
    par="$par $(elapsed "$t0" "$t1")"
    t0=$(now)
    sweep --out G --emit-jobs jobs.txt
    parallel --will-cite -j "$JOBS" < jobs.txt > /dev/null
    "$PORTLAB" collect G > /dev/null
    t1=$(now)
    gnu="$gnu $(elapsed "$t0" "$t1")"
    i=$((i + 1))
done
s=$(echo "$serial" | median)
p=$(echo "$par" | median)
g=$(echo "$gnu" | median)
echo "32-point sweep (timewait-exhaustion, 95 s simulated each), $JOBS cores, median of $REPEAT"
printf '  serial (--jobs 1)           %8.2f s\n' "$s"
printf '  portlab sweep --jobs %-4s   %8.2f s   ratio %s\n' "$JOBS" "$p" "$(ratio "$p" "$s")"
printf '  --emit-jobs + GNU parallel  %8.2f s   ratio %s\n' "$g" "$(ratio "$g" "$s")"
if cmp -s S/points.csv P/points.csv && cmp -s S/points.csv G/points.csv; then
    echo "  points.csv identical in all three"
else
    echo "  points.csv DIFFER"
    exit 1
fi
