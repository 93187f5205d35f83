"""Random projections of flattened gradients, for models whose selected parameter count D is too large to keep.

Johnson–Lindenstrauss: for a random P (D, d) with E[P Pᵀ] = I, ⟨Pᵀg, Pᵀh⟩ is an unbiased estimate of ⟨g, h⟩ whose
relative error shrinks like 1/√d. Two kinds:

* ``gaussian``: P_ij ~ N(0, 1/d), materialised once (D·d·4 bytes: D = 2M, d = 512 is 4 GB; use it for D up to a
  few hundred thousand, or select fewer parameters);
* ``countsketch``: each coordinate i goes to one bucket h(i) with a random sign s(i) (memory O(D), time O(D) per
  example); use it for large D.

Both are seeded: the same (D, d, seed, kind) gives the same projection in every process, so shards agree.
Projected scores approximate, not reproduce, the exact ones; every estimator records the projection in its metadata.

Example::

    proj = RandomProjection(dim=256, seed=0)
    small = proj(grads)          # (N, D) -> (N, 256)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor


@dataclass(frozen=True)
class RandomProjection:
    dim: int
    seed: int = 0
    kind: str = "gaussian"
    _cache: dict[tuple[int, str], Tensor] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in {"gaussian", "countsketch"}:
            raise ValueError(f"projection kind must be 'gaussian' or 'countsketch', got {self.kind!r}")
        if self.dim < 1:
            raise ValueError(f"projection dim must be positive, got {self.dim}")

    def settings(self) -> dict[str, object]:
        return {"dim": self.dim, "seed": self.seed, "kind": self.kind}

    def _state(self, d_in: int, device: torch.device) -> Tensor:
        key = (d_in, str(device))
        if key not in self._cache:
            gen = torch.Generator().manual_seed(self.seed)
            if self.kind == "gaussian":
                state = torch.randn(d_in, self.dim, generator=gen) / self.dim ** 0.5  # (D, d)
            else:
                bucket = torch.randint(0, self.dim, (d_in,), generator=gen)
                sign = torch.randint(0, 2, (d_in,), generator=gen) * 2 - 1
                state = torch.stack([bucket, sign])  # (2, D)
            self._cache[key] = state.to(device)
        return self._cache[key]

    def __call__(self, grads: Tensor) -> Tensor:
        """(N, D) fp32 -> (N, dim)."""
        state = self._state(grads.shape[-1], grads.device)
        if self.kind == "gaussian":
            return grads @ state
        out = grads.new_zeros(grads.shape[0], self.dim)
        return out.index_add_(1, state[0], grads * state[1].to(grads.dtype))
