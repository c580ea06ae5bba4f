# benchmarks/runs.sh — what the benchmark scripts share for repeated runs (sourced, after
# `set -uo pipefail`): BENCH_RUNS (default 3) into $runs, the median of a contender's runs,
# and a ratio to two decimals. One run varies by 10-30% on a shared machine, so a script
# runs each contender $runs times, alternating, keeps each run's figures as NAME#i in
# associative arrays, and compares medians.

# bench_runs SCRIPT: sets runs from BENCH_RUNS, or exits naming SCRIPT if it is not a count.
bench_runs() {
    runs=${BENCH_RUNS:-3}
    [[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "$1: BENCH_RUNS must be a positive number" >&2; exit 1; }
}

# median NAME FIELD: the middle of FIELD[NAME#1..NAME#runs] that exist (the lower middle
# for an even count); nothing when none do.
median() {
    local -n field=$2
    local i
    for ((i = 1; i <= runs; i++)); do
        [[ -n ${field[$1#$i]:-} ]] && echo "${field[$1#$i]}"
    done | sort -n | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]}'
}

# ratio A B: A / B to two decimals.
ratio() { echo "scale=2; $1 / $2" | bc -l; }
