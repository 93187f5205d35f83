"""The learned string matcher of NExT (Wang et al. ICLR 2020) and its two losses, ``L_find`` and ``L_sim``.

A keyword ``q`` (a rule's quoted phrase, n words) and a sentence are read by one shared BiLSTM over word vectors.
The keyword becomes one vector by attention pooling over its words; every window of n words of the sentence
becomes the mean of its contextual states. The matching score of keyword ``k`` at window ``i``:

    match[b, k, i] = sigmoid(a * cos(W h_{b, i:i+n}, W q_k) + c)        (a, c learned scalars, W linear)

With ``keep_exact=True`` (the default) the score is ``max(exact, learned)``, so a window that holds the keyword's
very words always scores 1 and soft execution never scores a hard match lower than hard execution does.

The paper's two auxiliary losses:

* ``L_find`` (the keyword-span pretraining task): an n-gram sampled from a sentence is the query, and the
  matcher must find where it occurs -- binary cross-entropy of the window scores of that sentence against the
  exact-occurrence indicator (1 at every window holding the n-gram, 0 elsewhere);
* ``L_sim``: keywords of rules with the same label should be close, keywords of different labels apart --
  ``max_{y_i != y_j} cos(q_i, q_j) - min_{i != j, y_i = y_j} cos(q_i, q_j)`` over the keyword vectors
  (our reading of the paper's similarity loss; 0 when a pair kind is absent).

Word vectors: the ``vectors`` given at construction (``word_vectors`` makes them from any Hugging Face
encoder's input embeddings by averaging a word's word pieces; the paper used GloVe, which is not offline here).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from nle.matching.soft import PAD, exact_match, occurs, window_fits


def word_vectors(words: Sequence[str], encoder: str = "minilm") -> torch.Tensor:
    """(V, d) one vector per word: the mean of its word pieces' input embeddings in ``encoder`` (any HF name)."""
    from nle.training.encoder import load_encoder, load_tokenizer

    tok = load_tokenizer(encoder)
    emb = load_encoder(encoder).get_input_embeddings().weight.detach()
    out = torch.zeros(len(words), emb.shape[1])
    for i, w in enumerate(words):
        ids = tok(w, add_special_tokens=False)["input_ids"] or [tok.unk_token_id]
        out[i] = emb[ids].mean(0)
    return out


class LearnedMatcher(nn.Module):
    """NExT's string matching module (see the module doc). ``vectors`` (V, d) index like a ``soft.Vocab``."""

    def __init__(self, vectors: torch.Tensor, hidden: int = 100, freeze_vectors: bool = True,
                 dropout: float = 0.1, keep_exact: bool = True) -> None:
        super().__init__()
        self.embed = nn.Embedding.from_pretrained(vectors.float(), freeze=freeze_vectors)
        self.lstm = nn.LSTM(vectors.shape[1], hidden, batch_first=True, bidirectional=True)
        self.attn = nn.Linear(2 * hidden, 1)
        self.proj = nn.Linear(2 * hidden, 2 * hidden)
        self.scale = nn.Parameter(torch.tensor(5.0))
        self.bias = nn.Parameter(torch.tensor(-2.5))
        self.drop = nn.Dropout(dropout)
        self.keep_exact = keep_exact

    # ---- encoders ---------------------------------------------------------------------------------------------------
    def encode(self, words: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """(B, L) ids, (B,) lengths -> (B, L, 2h) BiLSTM states (zero after ``lengths``)."""
        B, L = words.shape
        x = self.drop(self.embed(words.clamp_min(0)))
        lens = lengths.clamp_min(1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(x, lens, batch_first=True, enforce_sorted=False)
        out, _ = self.lstm(packed)
        h, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=L)
        return h * (torch.arange(L, device=h.device)[None, :] < lengths[:, None]).unsqueeze(-1)

    def encode_keywords(self, keywords: torch.Tensor, keyword_lengths: torch.Tensor) -> torch.Tensor:
        """(K, n_max) ids -> (K, 2h): attention pooling of the keyword's BiLSTM states."""
        h = self.encode(keywords, keyword_lengths)
        mask = torch.arange(keywords.shape[1], device=h.device)[None, :] < keyword_lengths[:, None]
        logits = self.attn(h).squeeze(-1).masked_fill(~mask, float("-inf"))
        return (logits.softmax(-1).unsqueeze(-1) * h).sum(1)

    @staticmethod
    def windows(h: torch.Tensor, n: int) -> torch.Tensor:
        """(B, L, H) -> (B, L, H): mean of the states ``i .. i+n-1`` (zero-padded past the end)."""
        c = F.pad(h, (0, 0, 1, n)).cumsum(1)  # c[:, j] = sum of h[:, :j]
        L = h.shape[1]
        return (c[:, n:n + L] - c[:, :L]) / n

    def _logits(self, win: torch.Tensor, q: torch.Tensor, pairing: str = "blh,kh->bkl") -> torch.Tensor:
        """Logits ``a * cos(W win, W q) + c``: (B, L, H) windows against (K, H) keywords -> (B, K, L), or with
        ``pairing="blh,bh->bl"`` each sentence against its own query (B, H) -> (B, L)."""
        a = F.normalize(self.proj(win), dim=-1)
        b = F.normalize(self.proj(q), dim=-1)
        return self.scale * torch.einsum(pairing, a, b) + self.bias

    # ---- the matcher ------------------------------------------------------------------------------------------------
    def forward(self, words: torch.Tensor, lengths: torch.Tensor, keywords: torch.Tensor,
                keyword_lengths: torch.Tensor) -> torch.Tensor:
        """(B, K, L) scores in [0, 1] (the ``StringMatcher`` contract of :mod:`nle.matching.soft`)."""
        h = self.encode(words, lengths)
        q = self.encode_keywords(keywords, keyword_lengths)
        out = h.new_zeros((words.shape[0], keywords.shape[0], words.shape[1]))
        for n in keyword_lengths.unique().tolist():  # one pass per distinct keyword length (a handful)
            ks = (keyword_lengths == n).nonzero().squeeze(1)
            out[:, ks] = torch.sigmoid(self._logits(self.windows(h, int(n)), q[ks]))
        out = out * window_fits(lengths, keyword_lengths, words.shape[1])
        if self.keep_exact:
            out = torch.maximum(out, exact_match(words, lengths, keywords, keyword_lengths).to(out.dtype))
        return out

    # ---- losses -----------------------------------------------------------------------------------------------------
    def find_loss(self, words: torch.Tensor, lengths: torch.Tensor, generator: torch.Generator | None = None,
                  max_n: int = 3) -> torch.Tensor:
        """``L_find``: sample one n-gram (n in 1..max_n) per sentence as a query; BCE of its window scores in that
        sentence against where it occurs exactly."""
        keep = lengths > 0
        words, lengths = words[keep], lengths[keep]
        B, L = words.shape
        if B == 0:
            return self.scale.new_zeros(())
        dev = words.device
        u = torch.rand(B, 2, generator=generator).to(dev)
        n = 1 + (u[:, 0] * torch.minimum(lengths, torch.full_like(lengths, max_n)).float()).long()
        start = (u[:, 1] * (lengths - n + 1).float()).long()
        offs = torch.arange(max_n, device=dev)
        q_words = torch.where(offs[None, :] < n[:, None], words.gather(1, (start[:, None] + offs).clamp_max(L - 1)),
                              torch.full((B, max_n), PAD, device=dev))
        h = self.encode(words, lengths)
        q = self.encode_keywords(q_words, n)
        logits = h.new_zeros((B, L))
        for m in n.unique().tolist():
            rows = (n == m).nonzero().squeeze(1)
            logits[rows] = self._logits(self.windows(h[rows], int(m)), q[rows], "blh,bh->bl")
        target = occurs(words, lengths, q_words, n)  # sentence b against its own query only
        valid = torch.arange(L, device=dev)[None, :] + n[:, None] <= lengths[:, None]
        return F.binary_cross_entropy_with_logits(logits[valid], target[valid].float())

    def sim_loss(self, keywords: torch.Tensor, keyword_lengths: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """``L_sim`` over (keyword, label) pairs: max cosine across labels minus min cosine within a label."""
        q = F.normalize(self.proj(self.encode_keywords(keywords, keyword_lengths)), dim=-1)
        cos = q @ q.T
        same = labels[:, None] == labels[None, :]
        eye = torch.eye(len(labels), dtype=torch.bool, device=q.device)
        loss = q.new_zeros(())
        if (~same).any():
            loss = loss + cos[~same].max()
        if (same & ~eye).any():
            loss = loss - cos[same & ~eye].min()
        return loss
