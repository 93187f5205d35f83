"""Entity markers, windowing and sharding of relation inputs."""

from __future__ import annotations

from nle.data.module import PairedBatchSampler, ShardSampler
from nle.data.relation import marked_words, window
from nle.types import Example


def test_markers_wrap_both_arguments_in_order() -> None:
    ex = Example.from_tokens("1", ["the", "big", "fire", "caused", "damage", "."])
    ex = Example(**{**ex.__dict__, "spans": (ex.make_span(1, 3, "e1"), ex.make_span(4, 5, "e2"))})
    assert marked_words(ex, ("e1", "e2")) == ["the", "[E1]", "big", "fire", "[/E1]", "caused", "[E2]", "damage",
                                              "[/E2]", "."]


def test_adjacent_and_final_arguments() -> None:
    ex = Example.from_tokens("2", ["a", "b"])
    ex = Example(**{**ex.__dict__, "spans": (ex.make_span(1, 2, "e1"), ex.make_span(0, 1, "e2"))})
    assert marked_words(ex, ("e1", "e2")) == ["[E2]", "a", "[/E2]", "[E1]", "b", "[/E1]"]


def test_window_keeps_the_markers_when_it_must_cut() -> None:
    ids = [101, *range(1000, 1100), 7, 8, *range(2000, 2010), 102]  # markers 7 and 8 near the end
    cut = window(ids, (7, 8), 32)
    assert len(cut) == 32 and cut[0] == 101 and cut[-1] == 102 and 7 in cut and 8 in cut
    assert window(ids[:10], (7, 8), 32) == ids[:10]


def test_shard_sampler_is_a_function_of_seed_and_epoch() -> None:
    a, b = ShardSampler(50, seed=3), ShardSampler(50, seed=3)
    assert list(a) == list(b) and sorted(a) == list(range(50))
    a.set_epoch(1)
    assert list(a) != list(b)
    assert list(ShardSampler(5, shuffle=False)) == [0, 1, 2, 3, 4]


def test_paired_batches_cover_the_unlabelled_pool_once_and_cycle_the_labelled() -> None:
    labelled, unlabelled = [0, 1, 2], list(range(3, 13))
    sampler = PairedBatchSampler(labelled, unlabelled, 2, 4, seed=5)
    batches = list(sampler)
    assert len(batches) == len(sampler) == 3
    assert [len(b) for b in batches] == [6, 6, 4]
    assert sorted(i for b in batches for i in b[2:]) == unlabelled  # every unlabelled row exactly once
    heads = [i for b in batches for i in b[:2]]
    assert set(heads) <= set(labelled) and sorted(heads[:3]) == labelled  # a full permutation before repeating
    assert list(PairedBatchSampler(labelled, unlabelled, 2, 4, seed=5)) == batches  # a function of (seed, epoch)
    sampler.set_epoch(1)
    assert list(sampler) != batches
    assert sampler.sampler is sampler  # Lightning finds set_epoch through ``batch_sampler.sampler``


def test_paired_batches_refuse_an_empty_side() -> None:
    import pytest

    with pytest.raises(ValueError, match="0 unlabelled"):
        PairedBatchSampler([0], [], 1, 1)
