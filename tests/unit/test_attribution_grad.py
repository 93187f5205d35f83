"""The differentiable methods: numerical gradient checks in float64, and the explanation regularisers."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.func import functional_call

from nle.attribution import (
    TextClassifier,
    as_classifier,
    attribute,
    encode_words,
    explanation_penalty,
    suppression_loss,
    target_loss,
)
from nle.training.encoder import load_tokenizer
from nle.training.module import NLEModule

MICRO = {"hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 16,
         "vocab_size": 120, "max_position_embeddings": 16}
PARAMS = ("head.weight", "encoder.encoder.layer.0.output.LayerNorm.weight")


def micro_bert() -> NLEModule:
    torch.manual_seed(0)
    return NLEModule(pretrained=False, encoder_overrides=MICRO, num_labels=2, dropout=0.0).eval().double()


def micro_batch() -> dict[str, torch.Tensor]:
    return {"input_ids": torch.tensor([[2, 40, 41, 42, 3], [2, 50, 51, 3, 0]]),
            "attention_mask": torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]]),
            "word_ids": torch.tensor([[-1, 0, 1, 1, -1], [-1, 0, 1, -1, -1]])}


class Scores(nn.Module):
    """Attribution scores as a function of the wrapped model's parameters (for gradcheck)."""

    def __init__(self, model: NLEModule, method: str, field: str, **options):
        super().__init__()
        self.model, self.method, self.field, self.options = model, method, field, options

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        result = attribute(self.model, batch, self.method, target=1, differentiable=True, **self.options)
        return getattr(result, self.field)


@pytest.mark.parametrize(("method", "field", "options"), [
    ("occlusion", "words", {}),
    ("soc", "words", {"nb_range": 0}),
    ("gradient", "pieces", {}),
    ("gradient_norm", "pieces", {}),
    ("input_x_gradient", "words", {}),
    ("integrated_gradients", "words", {"steps": 3}),
])
def test_gradcheck_of_differentiable_methods(method: str, field: str, options: dict) -> None:
    model = micro_bert()
    wrapper = Scores(model, method, field, **options)
    named = dict(wrapper.named_parameters())
    start = tuple(named[f"model.{p}"].detach().clone().requires_grad_() for p in PARAMS)
    batch = micro_batch()

    def fn(*params: torch.Tensor) -> torch.Tensor:
        return functional_call(wrapper, {f"model.{p}": v for p, v in zip(PARAMS, params)}, (batch,))

    assert fn(*start).requires_grad
    assert torch.autograd.gradcheck(fn, start, eps=1e-6, atol=1e-5, rtol=1e-3, fast_mode=True)


def test_detached_unless_differentiable() -> None:
    model = micro_bert()
    for method, options in (("occlusion", {}), ("gradient", {}), ("integrated_gradients", {"steps": 2})):
        assert not attribute(model, micro_batch(), method, target=1, **options).words.requires_grad


def test_regularisers_closed_form() -> None:
    phi = torch.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
    marked = torch.tensor([[True, False], [True, True]])
    assert float(suppression_loss(phi, marked, weight=0.5)) == 0.5 * (1 + 9 + 0.25)
    assert float(suppression_loss(phi, marked, reduction="mean")) == pytest.approx((1 + 9 + 0.25) / 3)
    tau = torch.tensor([[1.0, 0.0], [2.0, 0.0]])
    assert float(target_loss(phi, tau, marked)) == 0 + 1 + 0.25
    suppression_loss(phi, marked).backward()
    assert phi.grad.tolist() == [[2.0, 0.0], [6.0, 1.0]]
    with pytest.raises(ValueError, match="reduction"):
        suppression_loss(phi, marked, reduction="max")


def test_explanation_penalty_trains_toward_zero_attribution() -> None:
    """Gradient steps on the occlusion penalty alone shrink the marked word's occlusion score."""
    tok = load_tokenizer("minilm")
    torch.manual_seed(0)
    emb = nn.Embedding(len(tok), 4)
    layer = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))

    def forward(input_ids=None, inputs_embeds=None, attention_mask=None):
        x = emb(input_ids) if inputs_embeds is None else inputs_embeds
        return layer((x * attention_mask.unsqueeze(-1)).sum(1))

    clf = TextClassifier(forward, emb, pad_id=0)
    batch = encode_words(tok, [["those", "jews", "are", "here"], ["muslims", "again"]])
    spans = [[(1, 2)], [(0, 1)]]
    before = attribute(clf, batch, "occlusion", target=1, spans=spans).spans
    opt = torch.optim.SGD([*emb.parameters(), *layer.parameters()], lr=0.05)
    for _ in range(30):
        logits = clf(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
        loss = explanation_penalty(clf, batch, spans, target=1, logits=logits)
        opt.zero_grad()
        loss.backward()
        opt.step()
    after = attribute(clf, batch, "occlusion", target=1, spans=spans).spans
    assert after.abs().sum() < 0.2 * before.abs().sum()
    toward = torch.tensor([[0.5], [-0.5]])
    penalty = explanation_penalty(clf, batch, spans, target=1, toward=toward, method="input_x_gradient")
    assert penalty.requires_grad and penalty > 0


def test_penalty_reuses_the_step_logits() -> None:
    model = micro_bert()
    clf = as_classifier(model)
    batch = micro_batch()
    logits = clf(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
    a = explanation_penalty(clf, batch, [[(0, 1)], [(1, 2)]], target=1, logits=logits)
    b = explanation_penalty(clf, batch, [[(0, 1)], [(1, 2)]], target=1)
    torch.testing.assert_close(a, b)
