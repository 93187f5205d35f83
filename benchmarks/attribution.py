"""Attribution speed: our integrated gradients, batched SOC and the regularised training step, each against its peer.

Model: an ``NLEModule`` over the offline MiniLM with a random 3-way head (dropout 0, fp32, CPU). Inputs: the first
posts of HateXplain validation when ``NLE_DATA_DIR`` is set, else a fixed list of sentences (lengths vary either
way, as in real batches; the batch is right-padded to its longest post).

(a) ``integrated_gradients``: ours vs captum ``LayerIntegratedGradients`` on the word-embedding layer, same steps
    (Gauss-Legendre), same [PAD] baseline, same targets; captum's time is the better of one pass (its default) and
    ``internal_batch_size`` = 2 steps × examples; ``equal``: per-dimension attributions within 1e-4. Our gain comes
    from sorting (example, step) rows by length and trimming each ~1k-token chunk to its own longest post.
(b) ``soc``: one batched call over every (example, word) pair vs a loop calling the same estimator once per span
    (its K samples batched), same uniforms; LSTM LM fitted for a few steps on the inputs; ``equal``: within 1e-4.
    Run twice: on the MiniLM classifier (compute-bound on CPU: both sides do the same arithmetic) and on a tiny
    random BERT (per-call overhead dominates, as for small models or on a GPU). ``details`` split the time: the
    context sampling of both sides (``sampler_*_s``; batched: one LM pass per span for all K draws, chunks of 64
    spans; loop: one LM call per span) and the classifier's share of the batched call. Both sides forward the same
    2·R·K rows through the classifier (deduplicated identical rows aside; the batched call's chunks are sized to a
    cache-sized activation budget), so the ratio is bounded by (classifier + sampling + per-call time of the loop)
    / (classifier time of one batched pass). Measured on a 2-core CPU (HateXplain posts): MiniLM 1.1x (its forward
    cost per row is flat from 8 to 256 rows, so batching buys nothing but the loop's overheads); the tiny BERT
    3.6x with 2 threads, 2.3x with 1. On one H200 (``--device cuda``): MiniLM 24.5x, the tiny BERT 40.7x.
(c) regularised step: cross-entropy + α Σ φ² over marked identity words (occlusion, reusing the step's logits)
    vs a plain cross-entropy step, forward + backward + AdamW; ``ratio = plain_s / ours_s`` (the contract's
    peer/ours), the slowdown ``ours_s / plain_s`` is printed too (goal ≤ 2.5); ``equal``: the penalty's φ equals
    single-example occlusion within 1e-4.
(d) every class at once: SOC (K = 4, ±2 words) and input marginalization (top 5) of all 3 classes from one call
    with a (B, C) target (one set of perturbed forward passes) vs one call per class, as ``diagnose`` did before;
    ``equal``: within 1e-4.

    python -m benchmarks.attribution [--quick] [--out FILE] [--device cuda]
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from captum.attr import LayerIntegratedGradients

from benchmarks.common import Comparison, best_time, interleaved_best, parse_args, report
from nle.attribution import ContextSampler, LSTMLanguageModel, as_classifier, attribute, encode_words, train_lm
from nle.attribution.lm import corpus_vocabulary
from nle.attribution.regularizers import explanation_penalty
from nle.attribution.soc import soc, soc_uniforms
from nle.attribution.words import dilate, piece_masks, word_spans
from nle.training.encoder import TINY_OVERRIDES, load_tokenizer
from nle.training.module import NLEModule

FALLBACK = [
    "i can not believe they let those people into the country again",
    "what a lovely day at the beach with my family",
    "the jews control the media is a tired conspiracy theory that needs to die",
    "women in tech conference was great this year and the talks were excellent too honestly",
    "go back to where you came from",
    "muslims and christians met at the interfaith dinner downtown last night to talk about their neighbourhood",
    "this movie is terrible",
    "gay marriage has been legal here for years and nothing bad happened at all",
    "black lives matter protest drew thousands",
    "stop spamming my timeline with your nonsense",
    "immigrants built this city and still keep it running every single day",
    "he is an idiot",
    "the refugees arrived on monday and were welcomed by volunteers at the station",
    "lol",
    "asian restaurants on this street are the best in town",
    "why do they always have to ruin everything for everyone else around here",
]
IDENTITY = {"jews", "jew", "muslims", "muslim", "christians", "women", "woman", "gay", "black", "immigrants",
            "refugees", "asian", "white", "people"}


def posts(n: int) -> list[list[str]]:
    """``n`` posts as word lists: HateXplain validation (NLE_DATA_DIR) or the fallback sentences, cut at 40 words."""
    if os.environ.get("NLE_DATA_DIR"):
        from nle.data.readers.hatexplain import read_hatexplain

        rows = [list(ex.tokens[:40]) for ex in read_hatexplain("hatexplain/hf_format/hatexplain_validation.json")]
        return rows[:n]
    return [s.split()[:40] for s in (FALLBACK * (n // len(FALLBACK) + 1))[:n]]


def on(batch: dict[str, torch.Tensor], device: str) -> dict[str, torch.Tensor]:
    return {k: v.to(device) for k, v in batch.items()}


def minilm_classifier() -> NLEModule:
    torch.manual_seed(0)
    return NLEModule(encoder="minilm", num_labels=3, dropout=0.0,
                     encoder_overrides={"hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0}).eval()


def tiny_classifier() -> NLEModule:
    """A 2-layer, hidden-32 random BERT: the regime where per-call overhead, not arithmetic, dominates."""
    torch.manual_seed(0)
    return NLEModule(encoder="minilm", pretrained=False, encoder_overrides=TINY_OVERRIDES, num_labels=3,
                     dropout=0.0).eval()


def bench_ig(model: NLEModule, tok, words: list[list[str]], steps: int, repeats: int,
             label: str = "MiniLM", device: str = "cpu") -> Comparison:
    clf = as_classifier(model.to(device), tok)
    batch = on(encode_words(tok, words), device)
    target = torch.arange(len(words), device=device) % 3
    base_ids = torch.where(batch["word_ids"] >= 0, clf.pad_id, batch["input_ids"])
    lig = LayerIntegratedGradients(lambda ids, mask: clf(input_ids=ids, attention_mask=mask),
                                   model.encoder.embeddings.word_embeddings)

    def peer(internal_batch_size: int | None) -> torch.Tensor:
        return lig.attribute(batch["input_ids"], baselines=base_ids, target=target, n_steps=steps,
                             additional_forward_args=(batch["attention_mask"],),
                             internal_batch_size=internal_batch_size)

    def ours() -> torch.Tensor:
        return attribute(clf, batch, "integrated_gradients", target=target, steps=steps).embeddings

    # captum's best of: everything in one pass (its default) or chunks of 2 steps × all examples (~1k tokens here)
    ours_s, peer_whole, peer_chunked = float("inf"), float("inf"), float("inf")
    for _ in range(repeats):  # interleaved, best of each
        t, theirs = best_time(lambda: peer(None), 1)
        peer_whole = min(peer_whole, t)
        t, _ = best_time(lambda: peer(2 * len(words)), 1)
        peer_chunked = min(peer_chunked, t)
        t, mine = best_time(ours, 1)
        ours_s = min(ours_s, t)
    peer_s = min(peer_whole, peer_chunked)
    diff = float((mine - theirs).abs().max())
    return Comparison(f"integrated_gradients ours vs captum LayerIntegratedGradients ({label}, {len(words)} posts, "
                      f"{steps} steps)", ours_s, peer_s, diff <= 1e-4,
                      {"max_abs_diff": diff, "captum_one_pass_s": peer_whole, "captum_chunked_s": peer_chunked,
                       "tokens": int(batch["attention_mask"].sum()),
                       "padded_tokens": int(batch["attention_mask"].numel())})


def fitted_lm(tok, batch: dict[str, torch.Tensor]) -> LSTMLanguageModel:
    """A small LSTM LM over the batch's own vocabulary, fitted for 30 steps on it (seeded)."""
    torch.manual_seed(0)
    lm = LSTMLanguageModel(len(tok), tok.mask_token_id, embedding_dim=32, hidden_size=64,
                           vocab_ids=corpus_vocabulary([batch]))
    train_lm(lm, [batch], steps=30, lr=1e-2, special_ids=(tok.cls_token_id, tok.sep_token_id))
    return lm


def bench_soc(model: NLEModule, tok, words: list[list[str]], samples: int, nb_range: int,
              repeats: int, label: str = "MiniLM", device: str = "cpu") -> Comparison:
    clf = as_classifier(model.to(device), tok)
    batch = encode_words(tok, words)
    lm = fitted_lm(tok, batch).to(device)
    batch = on(batch, device)
    sampler = ContextSampler(lm, banned_ids=tuple(tok.all_special_ids))
    masks = word_spans(batch["word_ids"])  # (B, W, W)
    target = torch.arange(len(words), device=device) % 3
    ids, att, wid = batch["input_ids"], batch["attention_mask"], batch["word_ids"]
    u = soc_uniforms((*masks.shape[:2], samples, ids.shape[1]), seed=0).to(device)
    kw = {"sampler": sampler, "nb_range": nb_range, "n_samples": samples}

    def ours() -> torch.Tensor:
        with torch.no_grad():
            return soc(clf, ids, att, wid, masks, target, uniforms=u, **kw)

    def peer() -> torch.Tensor:
        out = torch.zeros(masks.shape[:2], device=device)
        with torch.no_grad():
            for b in range(masks.shape[0]):
                for s in range(masks.shape[1]):
                    if masks[b, s].any():
                        out[b, s] = soc(clf, ids[b:b + 1], att[b:b + 1], wid[b:b + 1], masks[b:b + 1, s:s + 1],
                                        target[b:b + 1], uniforms=u[b:b + 1, s:s + 1], **kw)[0, 0]
        return out

    peer_s, ours_s, theirs, mine = interleaved_best(peer, ours, repeats)
    diff = float((mine - theirs).abs().max())
    with torch.no_grad():
        times = soc_sampling_times(sampler, batch, masks, u, nb_range)
    times["classifier_share_of_batched"] = max(0.0, 1.0 - times["sampler_batched_s"] / ours_s)
    return Comparison(f"soc batched vs per-span loop ({label}, LSTM LM, {len(words)} posts, "
                      f"{int(masks.any(-1).sum())} words, K={samples}, nb_range={nb_range}, {device})", ours_s,
                      peer_s, diff <= 1e-4, {"max_abs_diff": diff, "device": device, **times})


def soc_sampling_times(sampler: ContextSampler, batch: dict[str, torch.Tensor], masks: torch.Tensor,
                       uniforms: torch.Tensor, nb_range: int) -> dict[str, float]:
    """Seconds of SOC's context sampling alone: one batched ``sample_k`` vs one call per span (as the loop does)."""
    windows = piece_masks(dilate(masks, nb_range) & ~masks, batch["word_ids"])  # (B, S, T)
    b, s = piece_masks(masks, batch["word_ids"]).any(-1).nonzero(as_tuple=True)
    ids, att = batch["input_ids"][b], batch["attention_mask"][b]
    batched_s, _ = best_time(lambda: sampler.sample_k(ids, att, windows[b, s], uniforms[b, s]), 1)

    def loop() -> None:
        for r in range(len(b)):
            sampler.sample_k(ids[r:r + 1], att[r:r + 1], windows[b[r], s[r]][None], uniforms[b[r], s[r]][None])

    loop_s, _ = best_time(loop, 1)
    return {"sampler_batched_s": batched_s, "sampler_loop_s": loop_s}


def bench_all_classes(model: NLEModule, tok, words: list[list[str]], repeats: int, device: str = "cpu") -> Comparison:
    """SOC and input marginalization of every class (what ``diagnose`` needs for confidence indication): one call
    with a (B, C) target, one set of perturbed forward passes, vs one call per class."""
    clf = as_classifier(model.to(device), tok)
    batch = encode_words(tok, words)
    lm = fitted_lm(tok, batch).to(device)
    batch = on(batch, device)
    banned = tuple(tok.all_special_ids)
    methods = {"soc": {"sampler": ContextSampler(lm, banned_ids=banned), "nb_range": 2, "n_samples": 4},
               "marginalization": {"lm": lm, "top_k": 5, "banned_ids": banned}}
    n_classes = 3
    every = torch.arange(n_classes, device=device).expand(len(words), n_classes)

    def ours() -> torch.Tensor:
        return torch.cat([attribute(clf, batch, m, target=every, **o).words.transpose(1, 2)
                          for m, o in methods.items()], 1)  # (B, 2·C, W)

    def peer() -> torch.Tensor:
        return torch.cat([torch.stack([attribute(clf, batch, m, target=c, **o).words for c in range(n_classes)], 1)
                          for m, o in methods.items()], 1)

    peer_s, ours_s, theirs, mine = interleaved_best(peer, ours, repeats)
    diff = float((mine - theirs).abs().max())
    return Comparison(f"SOC + input marginalization of all {n_classes} classes: one call with a (B, C) target vs one "
                      f"call per class (MiniLM, {len(words)} posts)", ours_s, peer_s, diff <= 1e-4,
                      {"max_abs_diff": diff})


def bench_regularised_step(model: NLEModule, tok, words: list[list[str]], steps: int,
                           device: str = "cpu") -> Comparison:
    model.to(device)
    batch = on(encode_words(tok, words), device)
    labels = torch.arange(len(words), device=device) % 3
    spans = [[(i, i + 1) for i, w in enumerate(ws) if w.lower() in IDENTITY] for ws in words]
    state = {k: v.clone() for k, v in model.state_dict().items()}

    def run(regularise: bool) -> float:
        model.load_state_dict(state)
        model.train()
        clf = as_classifier(model, tok)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
        best = float("inf")
        for _ in range(steps):
            t, _ = best_time(lambda: step(clf, opt, regularise), 1)
            best = min(best, t)
        model.eval()
        return best

    def step(clf, opt, regularise: bool) -> float:
        logits = clf(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
        loss = F.cross_entropy(logits.float(), labels)
        if regularise:
            loss = loss + explanation_penalty(clf, batch, spans, target=0, weight=0.1, logits=logits)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return float(loss.detach())

    plain_s, ours_s = run(False), run(True)
    model.load_state_dict(state)
    clf = as_classifier(model.eval(), tok)
    phi = attribute(clf, batch, "occlusion", target=0, spans=spans).spans
    single = [attribute(clf, on(encode_words(tok, [ws]), device), "occlusion", target=0, spans=[sp]).spans[0]
              for ws, sp in zip(words, spans) if sp]
    rows = [phi[b, :len(sp)] for b, sp in enumerate(spans) if sp]
    diff = max(float((a - b).abs().max()) for a, b in zip(rows, single))
    marked = sum(len(s) for s in spans)
    return Comparison(f"regularised step (occlusion penalty on {marked} identity words) vs plain step "
                      f"(MiniLM, batch {len(words)}, {device}); ratio = plain/ours", ours_s, plain_s, diff <= 1e-4,
                      {"slowdown": ours_s / plain_s, "max_abs_diff": diff, "marked_spans": marked})


def main(argv: Sequence[str] | None = None) -> list[Comparison]:
    args = parse_args(__doc__.splitlines()[0], argv)
    quick, dev = args.quick, args.device
    tok = load_tokenizer("minilm")
    model = minilm_classifier()
    words = posts(16)
    comparisons = [
        bench_ig(model, tok, words[:4] if quick else words[:8], steps=8 if quick else 20, repeats=2 if quick else 3,
                 device=dev),
        bench_soc(model, tok, words[:2] if quick else words[:4], samples=4 if quick else 10, nb_range=2,
                  repeats=1 if quick else 3, device=dev),
        bench_soc(tiny_classifier(), tok, words[:2] if quick else words[:4], samples=4 if quick else 10, nb_range=2,
                  repeats=1 if quick else 3, label="tiny random BERT", device=dev),
        bench_regularised_step(model, tok, words[:8] if quick else words, steps=3 if quick else 5, device=dev),
        bench_all_classes(model, tok, words[:2] if quick else words[:4], repeats=1 if quick else 2, device=dev),
    ]
    report(comparisons, args.out)
    for c in comparisons:
        if "slowdown" in c.details:
            print(f"  regularised step: {c.ours_s:.3f} s vs plain {c.peer_s:.3f} s: slowdown {c.details['slowdown']:.2f}x")
    return comparisons


if __name__ == "__main__":
    main()
