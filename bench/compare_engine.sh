#!/usr/bin/env bash
# Two builds of engine_bench, alternated in one sitting (the order swapped every round, so a drift
# of the machine hits both alike), and the medians of each: durable transitions a second and CPU
# microseconds a command. Usage:
#   bench/compare_engine.sh BEFORE_BIN AFTER_BIN [ROUNDS] [SECONDS]
# e.g. git worktree add /tmp/before <commit>; build engine_bench there; then
#   bench/compare_engine.sh /tmp/before/build/bench/engine_bench build/bench/engine_bench 10 4
set -euo pipefail
before=$1 after=$2 rounds=${3:-10} seconds=${4:-4}
args=(--seconds "$seconds" --raw 0 --drivers 2 --submitters 64)
declare -a tb ta cb ca
run() {  # bin → "transitions cpu"
  "$1" "${args[@]}" 2>/dev/null | awk -F'|' '/^\| motcua engine( on RocksDB)?, 64 submitters on 2 driver/ {
    gsub(/ /, "", $3); gsub(/ /, "", $6); print $3, $6 }'
}
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2)); then order=(before after); else order=(after before); fi
  for which in "${order[@]}"; do
    bin=$before; [[ $which == after ]] && bin=$after
    read -r t c < <(run "$bin")
    printf 'round %2d %-6s %7s/s %5s µs CPU a command\n' "$r" "$which" "$t" "$c"
    if [[ $which == before ]]; then tb+=("$t"); cb+=("$c"); else ta+=("$t"); ca+=("$c"); fi
  done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mtb=$(median "${tb[@]}") mta=$(median "${ta[@]}") mcb=$(median "${cb[@]}") mca=$(median "${ca[@]}")
echo "median before: ${mtb}/s, ${mcb} µs CPU a command"
echo "median after:  ${mta}/s, ${mca} µs CPU a command"
awk -v a="$mta" -v b="$mtb" -v ca="$mca" -v cb="$mcb" 'BEGIN {
  printf "after/before: throughput %.3f, CPU a command %.3f\n", a / b, ca / cb }'
# Paired: each round's after against the before run next to it (a drift of the machine between
# rounds cancels out).
wins=0
declare -a ratios
for ((i = 0; i < rounds; i++)); do
  awk -v a="${ta[$i]}" -v b="${tb[$i]}" 'BEGIN { exit !(a > b) }' && wins=$((wins + 1))
  ratios+=("$(awk -v a="${ta[$i]}" -v b="${tb[$i]}" 'BEGIN { printf "%.4f", a / b }')")
done
echo "median of the rounds' after/before throughput: $(median "${ratios[@]}")" \
  "(lowest $(printf '%s\n' "${ratios[@]}" | sort -g | head -1)," \
  "highest $(printf '%s\n' "${ratios[@]}" | sort -g | tail -1))"
echo "rounds where after was faster: $wins of $rounds"
