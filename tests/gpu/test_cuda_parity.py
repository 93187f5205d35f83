"""The same computations on CUDA and on the CPU give the same numbers: soft matching (NExT), every attribution
method (differentiable ones too), per-example gradients and TracIn. Marked ``gpu`` (deselected by default; skipped
without a CUDA device): ``pytest -m gpu tests/gpu``, run on a GPU machine by ``benchmarks/gpu/checks.sh``."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nle.attribution import ContextSampler, LSTMLanguageModel, attribute, encode_words, train_lm
from nle.attribution.lm import corpus_vocabulary
from nle.influence import ClassificationTask, ParamSpace, per_example_grads, per_example_grads_loop, tracin_scores
from nle.influence.task import select_parameters
from nle.matching.corpus import AnnotatedCorpus
from nle.matching.neural import LearnedMatcher
from nle.matching.soft import SoftConfig, SoftCorpus, SoftRules
from nle.training.encoder import TINY_OVERRIDES, load_tokenizer
from nle.training.module import NLEModule
from tests.unit.test_matching_execute import FORMULA, examples

CUDA = os.environ.get("NLE_PARITY_DEVICE", "cuda")  # "cpu" checks this file itself on a machine without a GPU
pytestmark = [pytest.mark.gpu, pytest.mark.skipif(CUDA.startswith("cuda") and not torch.cuda.is_available(),
                                                  reason="needs a CUDA device")]
WORDS = [["you", "are", "unkindness", "itself", "today"], ["hello", "world"], ["a", "b", "c", "d"],
         ["they", "should", "all", "go", "back", "home", "now"]]


@pytest.fixture(autouse=True)
def exact_fp32():
    """TF32 would make CUDA matrix products differ from the CPU's in the 3rd digit; parity is checked in fp32."""
    before = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    yield
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = before


def on(batch: dict[str, torch.Tensor], device: str) -> dict[str, torch.Tensor]:
    return {k: v.to(device) for k, v in batch.items()}


def tiny_bert(seed: int = 0) -> NLEModule:
    torch.manual_seed(seed)
    return NLEModule(pretrained=False, encoder_overrides=TINY_OVERRIDES, num_labels=3, dropout=0.0).eval()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exs=st.lists(st.integers(0, 10**6), min_size=1, max_size=5).flatmap(
    lambda ids: st.tuples(*[examples(i) for i in range(len(ids))])), lfs=st.lists(FORMULA, min_size=1, max_size=4))
def test_soft_execution_on_cuda_equals_cpu(exs, lfs) -> None:
    corpus = AnnotatedCorpus.from_examples(list(exs))
    rules = SoftRules(lfs, SoftConfig(), lexicons={"lex": ["a", "b a", "c"]})
    data = SoftCorpus.build(corpus, rules)
    torch.manual_seed(0)
    matcher = LearnedMatcher(torch.randn(len(data.vocab), 8), hidden=4, dropout=0.0).eval()
    batch = data.batch(range(corpus.n))
    with torch.no_grad():
        cpu = rules.execute(batch, matcher)
        gpu = rules.execute(batch.to(CUDA), matcher.to(CUDA))
    assert gpu.device.type == torch.device(CUDA).type
    torch.testing.assert_close(gpu.cpu(), cpu, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("method, options", [
    ("gradient", {}), ("input_x_gradient", {}), ("integrated_gradients", {"steps": 8}),
    ("occlusion", {}), ("soc", {"nb_range": 0}), ("soc", {"nb_range": 2, "n_samples": 4}),
    ("marginalization", {"top_k": 5})])
def test_attribution_on_cuda_equals_cpu(method: str, options: dict) -> None:
    tok = load_tokenizer("minilm")
    model = tiny_bert()
    batch = encode_words(tok, WORDS)
    target = torch.tensor([0, 1, 2, 0])
    extra_cpu, extra_gpu = {}, {}
    if method in ("soc", "marginalization") and options.get("nb_range", 1):
        torch.manual_seed(0)
        lm = LSTMLanguageModel(len(tok), tok.mask_token_id, embedding_dim=16, hidden_size=32,
                               vocab_ids=corpus_vocabulary([batch]))
        train_lm(lm, [batch], steps=5, lr=1e-2, special_ids=(tok.cls_token_id, tok.sep_token_id))
        lm.eval()
        lm_gpu = copy.deepcopy(lm).to(CUDA)
        if method == "soc":
            extra_cpu["sampler"] = ContextSampler(lm, banned_ids=tuple(tok.all_special_ids))
            extra_gpu["sampler"] = ContextSampler(lm_gpu, banned_ids=tuple(tok.all_special_ids))
        else:
            extra_cpu["lm"], extra_gpu["lm"] = lm, lm_gpu
    cpu = attribute(model, batch, method, target=target, **options, **extra_cpu)
    gpu = attribute(model.to(CUDA), on(batch, CUDA), method, target=target.to(CUDA), **options, **extra_gpu)
    assert gpu.words.device.type == torch.device(CUDA).type
    torch.testing.assert_close(gpu.words.cpu(), cpu.words, rtol=1e-4, atol=1e-4)


def test_differentiable_occlusion_backpropagates_on_cuda() -> None:
    tok = load_tokenizer("minilm")
    batch = encode_words(tok, WORDS)
    target = torch.tensor([0, 1, 2, 0])
    grads = []
    for device in ("cpu", CUDA):
        model = tiny_bert().to(device)
        phi = attribute(model, on(batch, device), "occlusion", target=target.to(device), differentiable=True).words
        phi.pow(2).sum().backward()
        grads.append(torch.cat([p.grad.flatten() for p in model.parameters() if p.grad is not None]).cpu())
    torch.testing.assert_close(grads[1], grads[0], rtol=1e-3, atol=1e-5)


def influence_setup():
    tok = load_tokenizer("minilm")
    model = tiny_bert()
    enc = tok([" ".join(w) for w in WORDS * 3], padding=True, return_tensors="pt")
    data = {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"],
            "labels": torch.arange(len(WORDS) * 3) % 3}
    return model, data


def test_per_example_grads_on_cuda_equal_cpu_and_the_loop() -> None:
    model, data = influence_setup()
    task = ClassificationTask()
    space = ParamSpace.of(select_parameters(model))
    cpu = per_example_grads(model, task.train_loss, data, space)
    loop = per_example_grads_loop(model, task.train_loss, data, space)
    model.to(CUDA)
    space = ParamSpace.of(select_parameters(model))
    gpu = per_example_grads(model, task.train_loss, on(data, CUDA), space)
    assert gpu.device.type == torch.device(CUDA).type
    torch.testing.assert_close(gpu.cpu(), cpu, rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(cpu, loop, rtol=1e-4, atol=1e-6)


def test_tracin_on_cuda_equals_cpu(tmp_path: Path) -> None:
    model, data = influence_setup()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    paths = []
    for step in range(2):
        loss = ClassificationTask().train_loss(model, data).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        paths.append(tmp_path / f"step{step}.pt")
        torch.save(model.state_dict(), paths[-1])
    query = {k: v[:4] for k, v in data.items()}
    cpu = tracin_scores(model, ClassificationTask(), data, query, paths, [0.1, 0.1], batch_size=5)
    model.to(CUDA)
    gpu = tracin_scores(model, ClassificationTask(), on(data, CUDA), on(query, CUDA), paths, [0.1, 0.1], batch_size=5)
    torch.testing.assert_close(gpu.cpu(), cpu, rtol=1e-4, atol=1e-5)


def test_the_other_threshold_is_tuned_on_cuda_as_on_the_cpu() -> None:
    """NExT's entropy threshold for Other, tuned on dev outputs that live on the GPU (a CPU-made quantile grid once
    crashed every run with ``tune_other`` there), gives the CPU's threshold and decisions."""
    from projects.next_tacred.model import NExTClassifier

    labels = ["Other", "Cause-Effect(e1,e2)", "Cause-Effect(e2,e1)"]
    gen = torch.Generator().manual_seed(0)
    probs = torch.softmax(3 * torch.randn(200, 3, generator=gen), -1)
    gold = torch.randint(0, 3, (200,), generator=gen)
    out = {}
    for device in ("cpu", CUDA):
        model = NExTClassifier(labels=labels, num_labels=3, pretrained=False, encoder_overrides=dict(TINY_OVERRIDES),
                               tune_other=True, metrics=["semeval_f1"]).to(device)
        dev = model.decide("dev", gold.to(device), probs.to(device))
        test = model.decide("test", torch.full((200,), -100, device=device), probs.to(device))
        out[device] = (dev.cpu(), test.cpu(), float(model.other_tau))
    assert torch.equal(out["cpu"][0], out[CUDA][0]) and torch.equal(out["cpu"][1], out[CUDA][1])
    assert out["cpu"][2] == pytest.approx(out[CUDA][2], rel=1e-9) and (out["cpu"][0] == 0).any()
