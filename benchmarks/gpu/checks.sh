#!/usr/bin/env bash
# The checks that need a GPU, in one run (a few minutes on one H200 after start-up):
#   benchmarks.attribution --device cuda  (SOC batched vs per-span loop: goal >= 10x on a GPU; IG vs captum;
#                                          the regularised step; every class at once)
#   benchmarks.influence --device cuda    (TracIn vs captum; per-example gradients vs a one-example loop: goal 10x)
#   the relation classifier trained on the built-in sample with bf16-mixed on the GPU, then 32-true, both to results
# Outputs (JSON + logs) go to $OUT, else runs/gpu_checks. On an offline machine prepared with prepare_carry.sh,
# run it with .gpu carried:  bash benchmarks/gpu/checks.sh
set -uo pipefail
out=${OUT:-runs/gpu_checks}
mkdir -p "$out"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
if [ -d .gpu ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/nle-site .gpu/wheels/*.whl
  export PYTHONPATH=$PWD:$PWD/.gpu/site:/tmp/nle-site${PYTHONPATH:+:$PYTHONPATH}
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"
python3 -c "import torch, transformers, pytorch_lightning as pl; print('torch', torch.__version__, 'transformers', transformers.__version__, 'lightning', pl.__version__)" | tee -a "$out/gpu.txt"
status=0
python3 -m benchmarks.attribution --device cuda --out "$out/attribution.json" 2>&1 | grep -v "Loading weights" | tee "$out/attribution.log" || status=1
python3 -m benchmarks.influence --device cuda --out "$out/influence.json" 2>&1 | grep -v "Loading weights" | tee "$out/influence.log" || status=1
for p in bf16-mixed 32-true; do
  python3 -m projects.next_tacred.train --trainer.accelerator gpu --trainer.devices 1 --trainer.precision $p \
      --experiment "gpu_$p" --run_root "$out/runs" --trainer.enable_progress_bar false 2>&1 | tail -n 5 | tee "$out/train_$p.log" || status=1
  cp "$out/runs/next_tacred/gpu_$p/seed=1/results.json" "$out/results_$p.json" 2>/dev/null || status=1
done
rm -rf "$out/runs"
exit $status
