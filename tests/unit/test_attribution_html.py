"""HTML heatmaps: every word escaped, one row per method, colours by sign, atomic writes."""

from __future__ import annotations

import pytest
import torch

from nle.attribution import Attribution
from nle.attribution.html import heatmap_examples, render_example, write_heatmaps


def test_every_word_is_escaped_and_coloured(tmp_path) -> None:
    words = ["<script>", "Tom & Jerry", '"quoted"', "fine"]
    scores = {"ig": [1.0, -0.5, 0.0, 0.25], "occlusion<x>": [0.0, 0.0, 0.0, 0.0]}
    path = write_heatmaps(tmp_path / "out" / "heat.html", [("post 1 <b>", words, scores)])
    text = path.read_text(encoding="utf-8")
    for escaped in ("&lt;script&gt;", "Tom &amp; Jerry", "&quot;quoted&quot;", ">fine<", "occlusion&lt;x&gt;",
                    "post 1 &lt;b&gt;"):
        assert escaped in text
    assert "<script>" not in text and "<b>" not in text
    assert text.count("<tr>") == 2 and text.count('class="w"') == 8
    assert "rgba(220,40,40,1.000)" in text and "rgba(40,90,220,0.500)" in text  # scaled by the row's max
    assert "rgba(220,40,40,0.000)" in text  # an all-zero row stays uncoloured
    assert not list((tmp_path / "out").glob("*.tmp"))


def test_length_mismatch_is_refused() -> None:
    with pytest.raises(ValueError, match="2 scores for 3 words"):
        render_example(["a", "b", "c"], {"ig": [1.0, 2.0]})


def test_heatmap_examples_from_attributions() -> None:
    words = torch.tensor([[0.5, -1.0, 0.0], [2.0, 0.0, 0.0]])
    result = Attribution("occlusion", torch.tensor([1, 1]), words=words)
    rows = heatmap_examples([["a", "b", "c"], ["d"]], {"occ": result}, titles=["x", "y"])
    assert rows == [("x", ["a", "b", "c"], {"occ": [0.5, -1.0, 0.0]}), ("y", ["d"], {"occ": [2.0]})]
    with pytest.raises(ValueError, match="no word scores"):
        heatmap_examples([["a"]], {"spans": Attribution("soc", torch.tensor([0]), spans=words)})
