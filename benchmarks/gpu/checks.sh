#!/usr/bin/env bash
# The checks that need a GPU, in one run (a few minutes on one H200 after start-up):
#   benchmarks.attribution --device cuda  (SOC batched vs per-span loop: goal >= 10x on a GPU; IG vs captum;
#                                          the regularised step; every class at once)
#   benchmarks.influence --device cuda    (TracIn vs captum; per-example gradients vs a one-example loop: goal 10x)
#   pytest -m gpu tests/gpu                (CUDA equals CPU: soft matching, every attribution method, influence)
#   benchmarks.training_throughput        (Lightning vs a plain loop, 32-true and bf16-mixed, batch 16 and 64: seq/s)
#   the relation classifier trained on the built-in sample with bf16-mixed on the GPU, then 32-true, both to results
# Outputs (JSON + logs) go to $OUT/gpu_checks.tar.gz, else runs/gpu_checks/. On an offline machine prepared with prepare_carry.sh,
# run it with .gpu carried:  bash benchmarks/gpu/checks.sh
set -uo pipefail
dest=${OUT:-runs/gpu_checks}
out=$(mktemp -d)/gpu_checks  # logs and JSON, packed into $dest/gpu_checks.tar.gz at the end (a device run returns <= 8 files)
mkdir -p "$out" "$dest"
export PYTHONUNBUFFERED=1
carry=.gpu
# shellcheck source=benchmarks/gpu/use_carry.sh
. benchmarks/gpu/use_carry.sh
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"
python3 -c "import torch, transformers, pytorch_lightning as pl; print('torch', torch.__version__, 'transformers', transformers.__version__, 'lightning', pl.__version__)" | tee -a "$out/gpu.txt"
status=0
step() {  # step NAME SECONDS CMD...: run with a time limit, log to $out/NAME.log, record the wall time
  local name=$1 limit=$2; shift 2
  local t0=$EPOCHREALTIME
  timeout "$limit" "$@" 2>&1 | grep -v "Loading weights" | tee "$out/$name.log"
  local rc=${PIPESTATUS[0]}
  echo "$name rc=$rc wall_s=$(python3 -c "print(round($EPOCHREALTIME - $t0, 1))")" | tee -a "$out/steps.txt"
  [ "$rc" = 0 ] || status=1
}
step parity 120 python3 -m pytest -m gpu tests/gpu -q -p no:cacheprovider
step influence 150 python3 -m benchmarks.influence --device cuda --out "$out/influence.json"
step attribution 200 python3 -m benchmarks.attribution --device cuda --out "$out/attribution.json"
for p in 32-true bf16-mixed; do
  for bs in 16 64; do
    step "throughput_${p}_b$bs" 120 python3 -m benchmarks.training_throughput --device cuda --precision $p \
        --batch-size $bs --out "$out/throughput_${p}_b$bs.json"
  done
done
for p in bf16-mixed 32-true; do
  step "train_$p" 60 python3 -m projects.next_tacred.train --trainer.accelerator gpu --trainer.devices 1 \
      --trainer.precision $p --experiment "gpu_$p" --run_root "$out/runs" --trainer.enable_progress_bar false
  cp "$out/runs/next_tacred/gpu_$p/seed=1/results.json" "$out/results_$p.json" 2>/dev/null || status=1
done
rm -rf "$out/runs"
echo "== summary"; cat "$out/gpu.txt" "$out/steps.txt"; grep -h "ratio=" "$out"/*.log
python3 - "$out" <<'PY'
import json, sys, pathlib
for f in sorted(pathlib.Path(sys.argv[1]).glob("results_*.json")):
    r = json.loads(f.read_text())
    print(f.name, {k: r.get(k) for k in ("precision", "accelerator", "devices", "wall_time_s", "metrics")})
PY
tar -czf "$dest/gpu_checks.tar.gz" -C "$(dirname "$out")" gpu_checks && cp "$out/steps.txt" "$dest/"
exit $status
