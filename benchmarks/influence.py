"""Influence speed: our TracIn vs captum ``TracInCP``, and batched per-example gradients vs a one-example loop.

Same MiniLM classifier (``NLEModule`` over the offline all-MiniLM-L6-v2, dropout 0, eval mode), same checkpoints
(state dicts after successive SGD steps), same data (seeded synthetic sentences through the MiniLM tokenizer), same
parameters (the head and the last encoder layer: captum's ``layers=``), fp32 on CPU.

* ``tracin``: ``ratio = captum_seconds / our_seconds`` (goal ≥ 5); ``equal``: Pearson ≥ 0.9999 over all scores.
* ``per_example_grads``: ``ratio = loop_seconds / our_seconds`` (goal ≥ 10; ours = the default ``method="auto"``,
  here the hook method: one batched forward + backward); ``equal``: relative error ≤ 1e-3. The details give the
  profile that bounds the ratio: ``forward_floor_s``, one batched forward without gradients (no method computes the
  gradients without it), ``max_ratio = loop_s / forward_floor_s``, the ``vmap`` method's time, and the load average.
  Measured: 1.9-2.1x on a 2-core CPU (bounded by ``max_ratio``), 22.8-23.7x on one H200 (TracIn 5.0-5.3x there).

    python -m benchmarks.influence [--quick] [--out FILE] [--device cuda]
"""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from captum.influence import TracInCP
from torch import Tensor, nn
from torch.utils.data import TensorDataset

from benchmarks.common import Comparison, best_time, parse_args, report
from nle.influence import ClassificationTask, ParamSpace, per_example_grads, per_example_grads_loop, tracin_scores
from nle.influence.grads import influence_mode, iter_batches
from nle.influence.task import select_parameters
from nle.training.encoder import load_tokenizer
from nle.training.module import NLEModule, PositionalForward

LAYERS = ["head", "encoder.encoder.layer.5"]
WORDS = ("the movie was good bad great awful boring brilliant plot actors story slow funny sad and but not very "
         "really quite i we they loved hated watched it this that film scenes music ending").split()


def sentences(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 24))) for _ in range(n)]


def encode(n: int, seed: int, max_length: int) -> dict[str, Tensor]:
    tok = load_tokenizer("minilm")
    enc = tok(sentences(n, seed), padding="max_length", truncation=True, max_length=max_length, return_tensors="pt")
    labels = torch.tensor([i % 2 for i in range(n)])
    return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], "labels": labels}


Wrapped = PositionalForward


def make_checkpoints(model: NLEModule, train: dict[str, Tensor], n: int, folder: Path) -> tuple[list[str], list[str]]:
    """``n`` state dicts after successive SGD steps, and the same with ``m.``-prefixed keys for the captum wrapper."""
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    ours, theirs = [], []
    for c in range(n):
        part = {k: v[c * 8:(c + 1) * 8] for k, v in train.items()}
        opt.zero_grad()
        F.cross_entropy(model(part), part["labels"]).backward()
        opt.step()
        ours.append(str(folder / f"ckpt{c}.pt"))
        theirs.append(str(folder / f"ckpt{c}.wrapped.pt"))
        torch.save(model.state_dict(), ours[-1])
        torch.save({f"m.{k}": v for k, v in model.state_dict().items()}, theirs[-1])
    return ours, theirs


def forward_only(model: nn.Module, data: dict[str, Tensor], batch_size: int) -> None:
    """The batched forward of every example without gradients: a floor under any per-example gradient method."""
    with torch.no_grad(), influence_mode(model):
        for batch in iter_batches(data, batch_size):
            model(batch)


def main(argv: Sequence[str] | None = None) -> list[Comparison]:
    args = parse_args(__doc__.splitlines()[0], argv)
    n_train, n_query, n_ckpt, length, repeats = (24, 4, 2, 32, 1) if args.quick else (96, 16, 3, 64, 2)
    torch.manual_seed(0)
    device = args.device
    model = NLEModule(encoder="minilm", num_labels=2, dropout=0.0,
                      encoder_overrides={"hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0}).eval()
    model.to(device)
    train = {k: v.to(device) for k, v in encode(n_train, 0, length).items()}
    query = {k: v.to(device) for k, v in encode(n_query, 1, length).items()}
    lrs = [0.05] * n_ckpt
    comparisons = []
    with tempfile.TemporaryDirectory() as tmp:
        ckpts, wrapped_ckpts = make_checkpoints(model, train, n_ckpt, Path(tmp))
        lr_of = dict(zip(wrapped_ckpts, lrs))

        def load(m: nn.Module, path: str) -> float:
            m.load_state_dict(torch.load(path, map_location=device, weights_only=True))
            return lr_of[path]

        def ours() -> Tensor:
            return tracin_scores(model, ClassificationTask(), train, query, ckpts, lrs, params=LAYERS, batch_size=32)

        def peer() -> Tensor:
            tracin = TracInCP(Wrapped(model), TensorDataset(train["input_ids"], train["attention_mask"], train["labels"]),
                              wrapped_ckpts, checkpoints_load_func=load, layers=[f"m.{x}" for x in LAYERS],
                              loss_fn=nn.CrossEntropyLoss(reduction="none"), batch_size=32)
            return tracin.influence((query["input_ids"], query["attention_mask"], query["labels"]))

        t_peer, s_peer = best_time(peer, repeats)
        t_ours, s_ours = best_time(ours, repeats)
        s_ours, s_peer = s_ours.detach().cpu(), s_peer.detach().cpu()
        r = float(np.corrcoef(s_ours.flatten().numpy(), s_peer.flatten().numpy())[0, 1])
        comparisons.append(Comparison(
            f"tracin ours vs captum TracInCP (MiniLM head+layer5, {n_train} train x {n_query} query, {n_ckpt} ckpts, "
            f"len {length}, {device})", t_ours, t_peer, r >= 0.9999,
            {"pearson": r, "max_abs_diff": float((s_ours - s_peer).abs().max()), "n_train": n_train,
             "load_average_1min": os.getloadavg()[0], "device": device}))

        space = ParamSpace.of(select_parameters(model, LAYERS))
        loss = ClassificationTask().train_loss
        t_ours, g_ours = best_time(lambda: per_example_grads(model, loss, train, space, batch_size=32), repeats)
        t_vmap, _ = best_time(lambda: per_example_grads(model, loss, train, space, batch_size=32, method="vmap"),
                              repeats)
        t_loop, g_loop = best_time(lambda: per_example_grads_loop(model, loss, train, space), repeats)
        t_floor, _ = best_time(lambda: forward_only(model, train, 32), repeats)
        rel = float((g_ours - g_loop).norm() / g_loop.norm())
        comparisons.append(Comparison(
            f"per_example_grads hooks vs one-example loop (MiniLM head+layer5, {n_train} examples, len {length}, "
            f"D={space.numel}, {device})", t_ours, t_loop, rel <= 1e-3,
            {"relative_error": rel, "vmap_s": t_vmap, "forward_floor_s": t_floor, "max_ratio": t_loop / t_floor,
             "load_average_1min": os.getloadavg()[0], "cpu_threads": torch.get_num_threads(), "device": device}))
    report(comparisons, args.out)
    return comparisons


if __name__ == "__main__":
    main()
