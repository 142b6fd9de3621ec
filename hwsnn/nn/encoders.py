"""Input encoders as torch sequence modules."""

from __future__ import annotations

import torch
from torch import Tensor

from hwsnn import ir
from hwsnn.nn._base import SequenceModule

__all__ = ["PoissonEncoder"]


class PoissonEncoder(SequenceModule):
    """Rate code: at each step a spike with probability ``clip(gain * x, 0, 1)``.

    The same rule as :class:`hwsnn.ir.PoissonEncoder` (``u < p`` with ``u`` uniform in
    [0, 1)), but drawn from torch's generator, so the spikes are not the ones the numpy
    simulator draws; pass the encoded sequence to both to compare them. No gradient
    flows through the encoder. ``signed``: ``sign(x) * (u < clip(gain * |x|, 0, 1))``,
    spikes in {-1, 0, +1} (signed input of e/iHB-STDP, paper 002 Sec. 2.2).

    Args:
        gain: Spike probability per step for an input of magnitude 1 (dimensionless), > 0.
        signed: Fire ``-1`` spikes for negative inputs (else they stay silent).
        generator: Source of randomness (default: torch's global generator).
    """

    def __init__(
        self,
        gain: float = 1.0,
        *,
        signed: bool = False,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        self._node = ir.PoissonEncoder(gain=gain, signed=signed)
        self.gain = float(gain)
        self.signed = bool(signed)
        self.generator = generator

    def to_ir(self) -> ir.Node:
        """The IR node this module computes."""
        return self._node

    def forward(self, x: Tensor) -> Tensor:
        """Spikes (0/1; -1/0/+1 when signed) for the sequence ``x`` ``(T, B, *shape)``."""
        x = x.detach()
        if not self.signed:
            p = torch.clamp(x * self.gain, 0.0, 1.0)
            u = torch.rand(p.shape, generator=self.generator, dtype=p.dtype, device=p.device)
            return (u < p).to(p.dtype)
        p = torch.clamp(x.abs() * self.gain, 0.0, 1.0)
        u = torch.rand(p.shape, generator=self.generator, dtype=p.dtype, device=p.device)
        return torch.where(u < p, torch.sign(x), torch.zeros_like(x))

    def extra_repr(self) -> str:
        """Parameters shown by ``repr``."""
        return f"gain={self.gain}, signed=True" if self.signed else f"gain={self.gain}"
