"""Language models for SOC context sampling and input marginalization, behind one protocol.

``TokenDistribution.logits_at(input_ids, attention_mask, positions)`` returns the logits (M, V) of the word piece at
each of the M positions marked in ``positions`` (N, T) (row-major order), given the rest of the row; positions to be
predicted hold ``mask_token_id``. Two implementations:

* ``LSTMLanguageModel``: a bidirectional LSTM LM trained on the task corpus (the original SOC code trains an LSTM
  LM): a forward LSTM reads the pieces left of t, a backward LSTM those right of t, and a linear layer over
  [h→_{t−1}; h←_{t+1}] predicts piece t. It never sees piece t, so one pass gives every position's distribution.
* ``HFMaskedLM``: any ``AutoModelForMaskedLM`` name or path (``bert-base-uncased`` for users who have it), or
  ``HFMaskedLM.from_encoder("minilm")``: the offline MiniLM encoder with a freshly initialised MLM head to fit with
  ``train_lm`` (no trained MLM head exists offline).

``ContextSampler`` draws pieces from a ``TokenDistribution`` by inverse-CDF sampling with caller-supplied uniforms,
so the same uniforms give the same samples however the rows are batched; ``sample_k`` draws K samples per row from
one LM pass (SOC's K samples of a phrase share their masked input). A model with a compact vocabulary may
also offer ``compact_logits_at`` (logits over its own V' pieces and their ids); the sampler then works in that
space (same draws, without V-wide softmax and cumsum per position).

>>> lm = LSTMLanguageModel(30522, mask_token_id=103, vocab_ids=corpus_vocabulary(corpus_batches))  # doctest: +SKIP
>>> train_lm(lm, corpus_batches, steps=1000)  # doctest: +SKIP
>>> ContextSampler(lm).sample(ids, mask, positions, uniforms)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


@runtime_checkable
class TokenDistribution(Protocol):
    """Logits of the pieces at marked positions given their context (see the module doc)."""

    mask_token_id: int

    def logits_at(self, input_ids: Tensor, attention_mask: Tensor, positions: Tensor) -> Tensor: ...


class LSTMLanguageModel(nn.Module):
    """Bidirectional LSTM LM: p(x_t | x_<t, x_>t) from [h→_{t−1}; h←_{t+1}] (zeros beyond the ends)."""

    def __init__(self, vocab_size: int, mask_token_id: int, pad_token_id: int = 0, embedding_dim: int = 128,
                 hidden_size: int = 256, num_layers: int = 1, dropout: float = 0.1,
                 vocab_ids: Sequence[int] | None = None):
        super().__init__()
        self.mask_token_id, self.pad_token_id, self.vocab_size = mask_token_id, pad_token_id, vocab_size
        # A compact vocabulary (the pieces of the task corpus, see ``corpus_vocabulary``): the LM only embeds and
        # predicts those; other ids read as one unknown slot and get probability 0.
        keep = sorted({*range(vocab_size)} if vocab_ids is None else {*vocab_ids, mask_token_id, pad_token_id})
        slots = torch.full((vocab_size,), len(keep), dtype=torch.long)
        slots[torch.tensor(keep)] = torch.arange(len(keep))
        self.register_buffer("token_to_slot", slots, persistent=False)
        self.register_buffer("slot_to_token", torch.tensor(keep, dtype=torch.long), persistent=False)
        self.embedding = nn.Embedding(len(keep) + 1, embedding_dim)
        self.forward_lstm = nn.LSTM(embedding_dim, hidden_size, num_layers, batch_first=True)
        self.backward_lstm = nn.LSTM(embedding_dim, hidden_size, num_layers, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(2 * hidden_size, len(keep))

    def _run(self, lstm: nn.LSTM, embeds: Tensor, lengths: Tensor) -> Tensor:
        packed = pack_padded_sequence(embeds, lengths.cpu().clamp_min(1), batch_first=True, enforce_sorted=False)
        out, _ = lstm(packed)
        return pad_packed_sequence(out, batch_first=True, total_length=embeds.shape[1])[0]  # (N, T, Hd)

    def context(self, input_ids: Tensor, attention_mask: Tensor, positions: Tensor | None = None) -> Tensor:
        """States (N, T, 2Hd) that summarise every piece except piece t.

        With ``positions`` (N, T) only the states at marked positions are needed (others are left unspecified): the
        forward LSTM stops before a row's last marked piece and the backward one after its first (same states there).
        """
        n, length = input_ids.shape
        lengths = attention_mask.long().sum(1)  # (N,)
        embeds = self.dropout(self.embedding(self.token_to_slot[input_ids]))  # (N, T, E)
        pos = torch.arange(length, device=input_ids.device).expand(n, -1)
        rev = torch.where(pos < lengths[:, None], lengths[:, None] - 1 - pos, pos)  # reverse within each length
        fwd_len, bwd_len = lengths, lengths
        if positions is not None:  # h→_{t−1} for t ≤ last marked; h←_{t+1} for t ≥ first marked
            fwd_len = torch.minimum(torch.where(positions, pos, 0).amax(1), lengths)
            bwd_len = (lengths - 1 - torch.where(positions, pos, length).amin(1)).clamp(0, None)
        fwd = self._run(self.forward_lstm, embeds, fwd_len)
        bwd = self._run(self.backward_lstm, embeds.gather(1, rev[..., None].expand_as(embeds)), bwd_len)
        bwd = bwd.gather(1, rev[..., None].expand_as(bwd))  # back to positions: bwd[t] has read x_t..x_end
        left = F.pad(fwd, (0, 0, 1, 0))[:, :length]  # h→_{t−1}
        right = F.pad(bwd, (0, 0, 0, 1))[:, 1:] * (pos + 1 < lengths[:, None]).unsqueeze(-1)  # h←_{t+1}
        return self.dropout(torch.cat([left, right], -1))

    def _full(self, compact: Tensor) -> Tensor:
        """Compact logits (..., V') → tokenizer-vocabulary logits (..., V), −inf outside the LM's vocabulary."""
        if compact.shape[-1] == self.vocab_size:
            return compact
        full = compact.new_full((*compact.shape[:-1], self.vocab_size), float("-inf"))
        return full.index_copy(-1, self.slot_to_token, compact)

    def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tensor:
        """Logits (N, T, V) of every position."""
        return self._full(self.out(self.context(input_ids, attention_mask)))

    def logits_at(self, input_ids: Tensor, attention_mask: Tensor, positions: Tensor) -> Tensor:
        return self._full(self.out(self.context(input_ids, attention_mask, positions)[positions]))  # (M, V)

    def compact_logits_at(self, input_ids: Tensor, attention_mask: Tensor, positions: Tensor) -> tuple[Tensor, Tensor]:
        """Logits (M, V') over the LM's own vocabulary and its token ids (V',): what ``ContextSampler`` draws from."""
        return self.out(self.context(input_ids, attention_mask, positions)[positions]), self.slot_to_token


def corpus_vocabulary(batches: Iterable[dict[str, Tensor]]) -> list[int]:
    """The distinct attended piece ids of a corpus (for ``LSTMLanguageModel(vocab_ids=...)``)."""
    seen: set[int] = set()
    for batch in batches:
        seen.update(batch["input_ids"][batch["attention_mask"].bool()].unique().tolist())
    return sorted(seen)


class HFMaskedLM(nn.Module):
    """A Hugging Face masked LM as a ``TokenDistribution``: ``HFMaskedLM("bert-base-uncased")``."""

    def __init__(self, name_or_path: str, mask_token_id: int | None = None):
        super().__init__()
        from transformers import AutoModelForMaskedLM, AutoTokenizer

        from nle.training.encoder import resolve_encoder

        path = resolve_encoder(name_or_path)
        self.model = AutoModelForMaskedLM.from_pretrained(path)
        self.mask_token_id = int(mask_token_id if mask_token_id is not None
                                 else AutoTokenizer.from_pretrained(path).mask_token_id)

    @classmethod
    def from_encoder(cls, name_or_path: str = "minilm") -> HFMaskedLM:
        """The encoder's weights with a randomly initialised MLM head (decoder tied to the embeddings): fit it first."""
        return cls(name_or_path)

    def head_parameters(self) -> list[nn.Parameter]:
        """The MLM head's own parameters (to fit the head alone with ``train_lm(..., parameters=...)``)."""
        base = {id(p) for p in self.model.base_model.parameters()}  # a tied decoder is the input embedding: excluded
        return [p for p in self.model.parameters() if id(p) not in base]

    def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tensor:
        return self.model(input_ids=input_ids, attention_mask=attention_mask).logits  # (N, T, V)

    def logits_at(self, input_ids: Tensor, attention_mask: Tensor, positions: Tensor) -> Tensor:
        return self(input_ids, attention_mask)[positions]  # (M, V)


@dataclass(frozen=True)
class ContextSampler:
    """Draws word pieces at marked positions from a ``TokenDistribution``; ``banned_ids`` are never drawn."""

    lm: TokenDistribution
    banned_ids: tuple[int, ...] = ()
    chunk_size: int = 64

    def sample(self, input_ids: Tensor, attention_mask: Tensor, positions: Tensor, uniforms: Tensor) -> Tensor:
        """Rows (N, T) with every marked position (N, T) replaced by a draw; ``uniforms`` (N, T) in [0, 1).

        All marked positions of a row are masked and drawn jointly-independently given the unmarked context.
        Row-independent: the draw at (n, t) depends only on row n and ``uniforms[n, t]``.
        """
        return self.sample_k(input_ids, attention_mask, positions, uniforms.unsqueeze(1)).squeeze(1)

    def sample_k(self, input_ids: Tensor, attention_mask: Tensor, positions: Tensor, uniforms: Tensor) -> Tensor:
        """K draws per row: (N, K, T) from rows (N, T), marked positions (N, T) and ``uniforms`` (N, K, T).

        The LM reads each masked row once and its distribution at every marked position serves all K draws
        (the K samples of one SOC phrase share their masked input), so the LM costs N rows, not N·K.
        ``sample_k(x, m, p, u)[:, k] == sample(x, m, p, u[:, k])``.
        """
        n, k, length = uniforms.shape
        out = input_ids.unsqueeze(1).expand(n, k, length).clone()  # (N, K, T)
        masked = torch.where(positions, torch.full_like(input_ids, self.lm.mask_token_id), input_ids)
        with torch.no_grad():
            for i in range(0, n, self.chunk_size):
                part = slice(i, i + self.chunk_size)
                if not positions[part].any():
                    continue
                args = (masked[part], attention_mask[part], positions[part])
                compact = getattr(self.lm, "compact_logits_at", None)
                logits, vocab = compact(*args) if compact is not None else (self.lm.logits_at(*args), None)
                logits = logits.float()  # (M, V) or (M, V') over the LM's own vocabulary ``vocab``
                if self.banned_ids:
                    banned = torch.tensor(self.banned_ids, device=logits.device)
                    logits[:, banned if vocab is None else torch.isin(vocab, banned)] = float("-inf")
                cdf = logits.softmax(-1).cumsum(-1)  # (M, V)
                u = uniforms[part].transpose(1, 2)[positions[part]].to(cdf) * cdf[:, -1:]  # (M, K)
                draws = torch.searchsorted(cdf, u).clamp_max(cdf.shape[1] - 1)  # (M, K)
                draws = draws if vocab is None else vocab[draws]
                rows = out[part].transpose(1, 2)  # (n', T, K): a view of ``out``
                rows[positions[part]] = draws.to(out.dtype)
        return out


def mask_for_training(input_ids: Tensor, attention_mask: Tensor, mask_token_id: int, mask_prob: float,
                      generator: torch.Generator | None = None, special: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """(masked ids, positions) with each attended, non-special piece masked with probability ``mask_prob`` (≥ 1 per row)."""
    candidates = attention_mask.bool() if special is None else attention_mask.bool() & ~special
    noise = torch.rand(input_ids.shape, generator=generator).to(input_ids.device)
    positions = candidates & (noise < mask_prob)
    first = torch.where(candidates, noise, 2.0).argmin(1)  # guarantee one masked piece per non-empty row
    positions[torch.arange(len(first)), first] |= candidates.any(1)
    return torch.where(positions, torch.full_like(input_ids, mask_token_id), input_ids), positions


def train_lm(lm: nn.Module, batches: Iterable[dict[str, Tensor]], *, steps: int, lr: float = 1e-3,
             mask_prob: float = 0.15, seed: int = 0, parameters: Sequence[nn.Parameter] | None = None,
             special_ids: Sequence[int] = ()) -> list[float]:
    """Fit a ``TokenDistribution`` (LSTM LM or MLM head) by masked-piece cross-entropy; returns the step losses.

    ``batches`` yields ``input_ids``/``attention_mask`` (cycled until ``steps``); ``special_ids`` ([CLS], [SEP]) are
    never masked. Loss: −mean log p(x_t | context) over the masked positions.
    """
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW(list(parameters) if parameters is not None else lm.parameters(), lr=lr)
    lm.train()
    losses: list[float] = []
    data = list(batches)
    if not data:
        raise ValueError("train_lm: no batches")
    while len(losses) < steps:
        for batch in data:
            ids, mask = batch["input_ids"], batch["attention_mask"]
            special = torch.isin(ids, torch.tensor(list(special_ids), dtype=ids.dtype, device=ids.device)) if special_ids else None
            masked, positions = mask_for_training(ids, mask, lm.mask_token_id, mask_prob, generator, special)
            logits = lm.logits_at(masked, mask, positions)  # (M, V)
            loss = F.cross_entropy(logits.float(), ids[positions])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
            if len(losses) == steps:
                break
    lm.eval()
    return losses
