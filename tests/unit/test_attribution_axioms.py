"""Attribution axioms on toy models with known answers: closed forms, completeness, batch invariance, captum."""

from __future__ import annotations

import pytest
import torch
from captum.attr import LayerIntegratedGradients
from torch import nn

from nle.attribution import TextClassifier, as_classifier, attribute, encode_words
from nle.attribution.integrated_gradients import approximation
from nle.training.encoder import TINY_OVERRIDES, load_tokenizer
from nle.training.module import NLEModule

SENTENCES = [["you", "are", "unkindness", "itself"], ["hello", "world"], ["a", "b", "c"]]


def tiny_bert(seed: int = 0, pooling: str = "cls") -> NLEModule:
    torch.manual_seed(seed)
    return NLEModule(pretrained=False, encoder_overrides=TINY_OVERRIDES, num_labels=3, dropout=0.0,
                     pooling=pooling).eval()


def linear_model(seed: int = 0) -> tuple[TextClassifier, torch.Tensor]:
    """f(x) = Σ_t m_t x_t · W + b over embeddings of 12 ids in 4 dims; returns the classifier and W (H, C)."""
    torch.manual_seed(seed)
    emb, weight, bias = nn.Embedding(12, 4), torch.randn(4, 3), torch.randn(3)

    def forward(input_ids=None, inputs_embeds=None, attention_mask=None):
        x = emb(input_ids) if inputs_embeds is None else inputs_embeds
        return (x * attention_mask.unsqueeze(-1)).sum(1) @ weight + bias

    return TextClassifier(forward, emb, pad_id=0, mask_id=1), weight


def linear_batch() -> dict[str, torch.Tensor]:
    return {"input_ids": torch.tensor([[5, 6, 7, 8], [9, 10, 0, 0]]),
            "attention_mask": torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0]]),
            "word_ids": torch.tensor([[0, 0, 1, 2], [0, 1, -1, -1]])}


@pytest.fixture(scope="module")
def tok():
    return load_tokenizer("minilm")


def test_linear_closed_forms() -> None:
    clf, weight = linear_model()
    batch = linear_batch()
    mask = batch["attention_mask"].unsqueeze(-1).float()
    x = clf.embed(batch["input_ids"]).detach()
    w = weight[:, 2]  # target class 2
    grad = attribute(clf, batch, "gradient", target=2)
    torch.testing.assert_close(grad.embeddings, w.expand_as(x) * mask)  # saliency = w
    ixg = attribute(clf, batch, "input_x_gradient", target=2)
    torch.testing.assert_close(ixg.pieces, (x @ w) * mask.squeeze(-1))  # input × gradient = x · w
    pad = clf.embed(torch.tensor(0)).detach()
    for rule in ("gausslegendre", "riemann_trapezoid"):
        ig = attribute(clf, batch, "integrated_gradients", target=2, steps=7, rule=rule)
        torch.testing.assert_close(ig.embeddings, (x - pad) * w * mask)  # IG = (x − x')·w
        torch.testing.assert_close(ig.words, torch.tensor([[((x[0, 0] + x[0, 1] - 2 * pad) @ w), (x[0, 2] - pad) @ w,
                                                             (x[0, 3] - pad) @ w], [(x[1, 0] - pad) @ w,
                                                                                    (x[1, 1] - pad) @ w, 0.0]]))
    zero = attribute(clf, batch, "integrated_gradients", target=2, steps=3, baseline="zero")
    torch.testing.assert_close(zero.pieces, ixg.pieces)  # zero baseline on a linear model = input × gradient
    norm = attribute(clf, batch, "saliency", target=2)
    torch.testing.assert_close(norm.pieces, w.norm().expand(2, 4) * batch["attention_mask"])


def test_approximation_rules_integrate_polynomials_exactly() -> None:
    a, w = approximation("gausslegendre", 5)
    assert abs(float((w * a ** 9).sum()) - 0.1) < 1e-12 and abs(float(w.sum()) - 1) < 1e-12
    a, w = approximation("riemann_trapezoid", 11)
    assert abs(float((w * a).sum()) - 0.5) < 1e-12
    a, w = approximation("riemann_middle", 4)
    assert torch.allclose(a, torch.tensor([0.125, 0.375, 0.625, 0.875], dtype=torch.float64))
    with pytest.raises(ValueError, match="integration rule"):
        approximation("simpson", 4)


def test_integrated_gradients_completeness_on_tiny_bert(tok) -> None:
    model = tiny_bert()
    clf = as_classifier(model, tok)
    batch = encode_words(tok, SENTENCES)
    ig = attribute(clf, batch, "ig", target=1, steps=64)
    base_ids = torch.where(batch["word_ids"] >= 0, 0, batch["input_ids"])
    with torch.no_grad():
        delta = (clf(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])[:, 1]
                 - clf(input_ids=base_ids, attention_mask=batch["attention_mask"])[:, 1])
    assert delta.abs().min() > 1e-4
    assert ((ig.pieces.sum(1) - delta).abs() <= 0.01 * delta.abs()).all()
    assert (ig.pieces[batch["word_ids"] < 0] == 0).all()  # specials and padding get nothing
    torch.testing.assert_close(ig.words.sum(1), ig.pieces.sum(1))


def test_our_integrated_gradients_equal_captum(tok) -> None:
    model = tiny_bert(seed=3, pooling="mean")
    clf = as_classifier(model, tok)
    batch = encode_words(tok, SENTENCES)
    target = torch.tensor([0, 2, 1])
    ours = attribute(clf, batch, "integrated_gradients", target=target, steps=20, batch_tokens=40)
    lig = LayerIntegratedGradients(lambda ids, mask: clf(input_ids=ids, attention_mask=mask),
                                   model.encoder.embeddings.word_embeddings)
    base_ids = torch.where(batch["word_ids"] >= 0, 0, batch["input_ids"])
    theirs = lig.attribute(batch["input_ids"], baselines=base_ids, target=target, n_steps=20,
                           additional_forward_args=(batch["attention_mask"],))
    torch.testing.assert_close(ours.embeddings, theirs, atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("method", ["gradient", "gradient_norm", "input_x_gradient", "integrated_gradients",
                                    "occlusion"])
def test_batch_size_invariance(tok, method: str) -> None:
    clf = as_classifier(tiny_bert(seed=1), tok)
    batch = encode_words(tok, SENTENCES)
    whole = attribute(clf, batch, method, target=2, steps=8) if method == "integrated_gradients" else \
        attribute(clf, batch, method, target=2)
    for i, words in enumerate(SENTENCES):
        one = encode_words(tok, [words])
        kw = {"steps": 8} if method == "integrated_gradients" else {}
        alone = attribute(clf, one, method, target=2, **kw)
        torch.testing.assert_close(alone.words[0], whole.words[i, :len(words)], atol=1e-6, rtol=1e-4)
        assert (whole.words[i, len(words):] == 0).all()


def test_predicted_target_and_unknown_method(tok) -> None:
    model = tiny_bert()
    batch = encode_words(tok, SENTENCES)
    a = attribute(model, batch, "occlusion")  # NLEModule adapted, target = argmax
    with torch.no_grad():
        pred = model(batch).argmax(-1)
    assert torch.equal(a.target, pred) and a.words.shape == (3, 4) and a.pieces is None
    with pytest.raises(ValueError, match="unknown attribution method"):
        attribute(model, batch, "lime")
    with pytest.raises(ValueError, match="target has"):
        attribute(model, batch, "gradient", target=torch.tensor([0, 1]))


def test_integrated_gradients_run_in_fp32_under_autocast(tok) -> None:
    clf = as_classifier(tiny_bert(seed=2), tok)
    batch = encode_words(tok, SENTENCES)
    plain = attribute(clf, batch, "integrated_gradients", target=1, steps=4)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        mixed = attribute(clf, batch, "integrated_gradients", target=1, steps=4)
    assert mixed.pieces.dtype == torch.float32
    torch.testing.assert_close(mixed.pieces, plain.pieces)
