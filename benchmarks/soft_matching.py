"""Soft matching: batched soft execution of every SemEval rule over 2,000 sentences vs a per-(rule, sentence) loop.

Rules: the 203 NExT SemEval explanations parsed (``nle.rules.build.parse_cached``, the chosen logical form of
each). Sentences: the first 2,000 SemEval-2010 training sentences, spaCy-annotated once (cached). Both sides use
the same modules: one :class:`~nle.matching.neural.LearnedMatcher` (MiniLM word vectors, seeded random BiLSTM,
eval mode, no gradient) and the :mod:`nle.matching.soft` interpreter.

- ours: ``SoftRules(all rules).execute`` on batches of ``--batch`` sentences (all keywords scored in one matcher
  call per batch, all rules as tensor operations);
- peer: for each (rule, sentence) pair, the rule alone (its own keywords only) executed on that one sentence --
  the loop a direct port of the original per-example code would run. The loop runs on the first
  ``--loop-sentences`` sentences (every rule); its time is scaled to all sentences by pairs (it is linear in
  pairs), and the output says so. ``equal``: the loop's scores equal ours on those sentences (allclose 1e-5).

    python -m benchmarks.soft_matching [--quick] [--out FILE] [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from pathlib import Path

import torch

from benchmarks.common import Comparison, best_time, report
from benchmarks.rule_matching import EXPLANATIONS, TRAIN
from nle.data.readers.next_explanations import read_next_explanations
from nle.data.readers.semeval2010 import read_semeval2010
from nle.matching.annotate import annotate
from nle.matching.corpus import AnnotatedCorpus
from nle.matching.neural import LearnedMatcher, word_vectors
from nle.matching.soft import SoftCorpus, SoftRules
from nle.rules.build import load_lexicons, parse_cached


def batched(rules: SoftRules, data: SoftCorpus, matcher: LearnedMatcher, batch: int, device: str) -> torch.Tensor:
    out = []
    with torch.no_grad():
        for i in range(0, len(data), batch):
            sb = data.batch(range(i, min(i + batch, len(data)))).to(device)
            out.append(rules.execute(sb, matcher))
    return torch.cat(out)


def per_pair(single: list[tuple[SoftRules, SoftCorpus]], n: int, matcher: LearnedMatcher, device: str) -> torch.Tensor:
    out = torch.zeros(n, len(single))
    with torch.no_grad():
        for b in range(n):
            for r, (rule, data) in enumerate(single):
                out[b, r] = rule.execute(data.batch([b]).to(device), matcher)[0, 0]
    return out


def main(argv: Sequence[str] | None = None) -> list[Comparison]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="400 sentences, loop on 10 (under a minute)")
    ap.add_argument("--out", default=None)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--loop-sentences", type=int, default=10)
    args = ap.parse_args(argv)
    if not os.environ.get("NLE_DATA_DIR"):
        raise SystemExit("set NLE_DATA_DIR to the shared data folder (SemEval-2010 train and NExT explanations)")
    n_sent = 400 if args.quick else 2000
    n_loop = 10 if args.quick else args.loop_sentences
    corpus = annotate(read_semeval2010(TRAIN)[:n_sent])
    explanations = read_next_explanations(EXPLANATIONS, task="semeval")
    forms = [lf for _, lf, _ in parse_cached(explanations, domain="relation", lexicons=load_lexicons())
             if lf is not None]
    rules = SoftRules(forms)
    data = SoftCorpus.build(corpus, rules)
    torch.manual_seed(0)
    matcher = LearnedMatcher(word_vectors(data.vocab.words), hidden=100).eval().to(args.device)
    head = AnnotatedCorpus.from_examples([corpus.example(i) for i in range(n_loop)])  # what the loop runs on
    single = [(r := SoftRules([lf]), SoftCorpus.build(head, r, vocab=data.vocab)) for lf in forms]
    print(f"rules: {len(forms)} parsed NExT SemEval explanations, {len(rules.keywords)} keywords; "
          f"sentences: {corpus.n}; loop on {n_loop} sentences x {len(forms)} rules; device {args.device}")

    batched(rules, data, matcher, args.batch, args.device)  # warm-up
    ours_s, ours = best_time(lambda: batched(rules, data, matcher, args.batch, args.device), repeats=3)
    t0 = time.perf_counter()
    loop = per_pair(single, n_loop, matcher, args.device)
    loop_s = time.perf_counter() - t0
    peer_s = loop_s * corpus.n / n_loop
    equal = bool(torch.allclose(loop, ours[:n_loop].cpu(), atol=1e-5))
    details = {"n_sentences": corpus.n, "n_rules": len(forms), "n_keywords": len(rules.keywords),
               "loop_sentences": n_loop, "loop_measured_s": loop_s, "peer_scaled_by_pairs": True,
               "device": args.device, "mean_score": float(ours.mean()), "fires_exactly": float((ours == 1).float().mean())}
    comparisons = [Comparison("batched soft execution vs per-(rule, sentence) loop", ours_s, peer_s, equal, details)]
    report(comparisons, None if args.out is None else Path(args.out))
    return comparisons


if __name__ == "__main__":
    main()
