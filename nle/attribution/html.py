"""Per-example HTML heatmaps: the words of an example coloured by score, one row per method, side by side.

Scores are scaled per row by the largest magnitude (red: toward the target class, blue: against it); the exact
score is the cell's tooltip. Words are HTML-escaped; the file is written atomically (temporary file + rename).

>>> html = render_example(["you", "are", "kind"], {"ig": [0.1, -0.2, 0.9], "occlusion": [0.0, 0.1, 0.5]})
>>> "kind" in html and "<table" in html
True
"""

from __future__ import annotations

import html as html_lib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from nle.atomic import write_text_atomic
from nle.attribution.result import Attribution

STYLE = ("body{font-family:sans-serif} table{border-collapse:collapse;margin-bottom:1.5em} "
         "td{padding:2px 4px} th{text-align:left;padding-right:1em;font-weight:normal;color:#555} "
         ".w{border-radius:3px}")


def _colour(score: float, scale: float) -> str:
    """rgba red for positive, blue for negative scores, opacity |score| / scale."""
    alpha = min(abs(score) / scale, 1.0) if scale > 0 else 0.0
    rgb = "220,40,40" if score >= 0 else "40,90,220"
    return f"rgba({rgb},{alpha:.3f})"


def render_example(words: Sequence[str], scores: Mapping[str, Sequence[float]], title: str = "") -> str:
    """One ``<table>``: a row per method (name → one score per word)."""
    rows = []
    for method, values in scores.items():
        if len(values) != len(words):
            raise ValueError(f"method {method!r}: {len(values)} scores for {len(words)} words")
        scale = max((abs(float(v)) for v in values), default=0.0)
        cells = "".join(f'<td class="w" style="background:{_colour(float(v), scale)}" title="{float(v):.4g}">'
                        f"{html_lib.escape(w)}</td>" for w, v in zip(words, values))
        rows.append(f"<tr><th>{html_lib.escape(method)}</th>{cells}</tr>")
    caption = f"<caption>{html_lib.escape(title)}</caption>" if title else ""
    return f"<table>{caption}{''.join(rows)}</table>"


def render_page(examples: Sequence[tuple[str, Sequence[str], Mapping[str, Sequence[float]]]]) -> str:
    """A whole page of ``(title, words, {method: scores})`` examples."""
    body = "\n".join(render_example(words, scores, title) for title, words, scores in examples)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>attributions</title>'
            f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n")


def heatmap_examples(sentences: Sequence[Sequence[str]], results: Mapping[str, Attribution],
                     titles: Sequence[str] | None = None) -> list[tuple[str, Sequence[str], dict[str, list[float]]]]:
    """``(title, words, {method: word scores})`` per example from ``attribute`` results over the same batch."""
    out = []
    for b, words in enumerate(sentences):
        rows = {}
        for name, result in results.items():
            if result.words is None:
                raise ValueError(f"{name}: the attribution has no word scores (pass word_ids and no spans)")
            rows[name] = [float(v) for v in result.words[b, :len(words)]]
        out.append((titles[b] if titles is not None else f"example {b}", words, rows))
    return out


def write_heatmaps(path: str | os.PathLike[str],
                   examples: Sequence[tuple[str, Sequence[str], Mapping[str, Sequence[float]]]]) -> Path:
    """Write ``render_page(examples)`` to ``path`` atomically; returns the path."""
    path = write_text_atomic(path, render_page(examples))
    return path
