#!/bin/bash
# Grade a class on a Slurm cluster: an array job, one task per shard, then one merge job, both
# queued from here (on a login node).
#
#   examples/slurm/grade_class.sh ROOT OUT [INDICES] [-- OPTIONS OF grader batch]
#
#   grade_class.sh /scratch/hw3/submissions /scratch/hw3/grades            # every shard
#   grade_class.sh /scratch/hw3/submissions /scratch/hw3/grades 3          # shard 3 again
#   grade_class.sh /scratch/hw3/submissions /scratch/hw3/grades 2,5-6 -- --timeout 10
#
# Task I grades `--shard I/SHARDS` of ROOT into OUT/shard-I (a stable slice: a student stays in
# the same shard when others join late, and a re-run grades only what is new or changed). Then
# examples/slurm/merge.sbatch runs once the array has ended, however it ended, and writes
# OUT/all/gradebook.csv and OUT/all/report.html, the files one unsharded `grader batch ROOT` would
# write. It checks the merge against ROOT: a student without a report (a task cancelled, failed or
# never started) is named in OUT/logs/merge-JOB.log and the merge job fails. Re-submit the
# missing indices; each re-submission queues a new merge.
#
# COURSE (default: the current folder) is the course: exercises/manifest.toml and the hidden
# tests. `grader` must be on the PATH of the jobs (sbatch passes this shell's environment on).
set -euo pipefail

# The one place the number of shards is set: the array is 1-SHARDS and task I grades I/SHARDS.
# OUT remembers it, so that a re-submission grades the same slices.
SHARDS="${SHARDS:-8}"

usage="usage: $0 ROOT OUT [INDICES] [-- OPTIONS OF grader batch]"
[ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(realpath -e -- "$1") || { echo "ROOT $1 does not exist" >&2; exit 2; }
out=$(realpath -m -- "$2")
course=$(realpath -e -- "${COURSE:-$PWD}")
shift 2
indices="1-$SHARDS"
if [ $# -gt 0 ] && [ "$1" != "--" ]; then indices=$1; shift; fi
if [ $# -gt 0 ] && [ "$1" = "--" ]; then shift; fi

mkdir -p "$out/logs"
if [ -f "$out/shards" ] && [ "$(cat "$out/shards")" != "$SHARDS" ]; then
    echo "$out was graded in $(cat "$out/shards") shards, not $SHARDS: keep SHARDS, or use a new OUT" >&2
    exit 2
fi
echo "$SHARDS" > "$out/shards"
# Every index must be a shard of this N: `--array=8` with 4 shards would grade nothing.
if ! [[ "$indices" =~ ^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$ ]]; then
    echo "INDICES $indices: give shard numbers like 3, 2,5 or 1-4" >&2; exit 2
fi
for n in ${indices//[,-]/ }; do
    if [ "$n" -lt 1 ] || [ "$n" -gt "$SHARDS" ]; then
        echo "INDICES $indices: $n is not a shard of 1-$SHARDS" >&2; exit 2
    fi
done

# Logs name the job and the task; a % in OUT would be read as such a pattern.
grading=$(sbatch --parsable --array="$indices" --output="$out/logs/grade-%A_%a.log" \
    "$here/grade_class.sbatch" "$root" "$out" "$course" "$SHARDS" "$@")
grading=${grading%%;*}
# afterany: the merge runs however the tasks end, and says who is missing.
merging=$(sbatch --parsable --dependency="afterany:$grading" --output="$out/logs/merge-%j.log" \
    "$here/merge.sbatch" "$root" "$out" "$SHARDS")
merging=${merging%%;*}
echo "grading: job $grading (shards $indices of $SHARDS); merge: job $merging -> $out/all"
