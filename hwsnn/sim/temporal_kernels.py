"""``sim.float`` kernels of the nodes added for the papers' models.

* :class:`~hwsnn.ir.TimeAffine` (BNTT at inference): ``y = scale[t] * x + shift[t]``.
* :class:`~hwsnn.ir.AlphaSynapse` (paper 001): two cascaded exact first-order low-passes.
* :class:`~hwsnn.ir.SAU` (paper 000): step activation ``sum_i a_i 1[x in [e_i, e_i+1))``.

Importing this module registers them in :mod:`hwsnn.sim.kernels` (idempotent).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import IRValidationError
from hwsnn.ir import SAU, AlphaSynapse, Graph, TimeAffine
from hwsnn.sim.kernels import register_stateful, register_stateless

__all__ = ["AlphaState", "TimeAffineState", "register", "sau"]

F32 = NDArray[np.float32]


class TimeAffineState:
    """Steps a :class:`TimeAffine` node (the state is only the step index it is given)."""

    def __init__(self, node: TimeAffine, shape: tuple[int, ...], graph: Graph) -> None:
        self.scale = np.asarray(node.scale, dtype=np.float32)
        self.shift = np.asarray(node.shift, dtype=np.float32)

    def step(self, x: F32, t: int, rng: np.random.Generator) -> F32:
        """``scale[t] * x + shift[t]`` in float32."""
        if t >= self.scale.shape[0]:
            raise IRValidationError(f"TimeAffine: step {t} beyond its {self.scale.shape[0]} steps")
        return np.asarray(x * self.scale[t] + self.shift[t], dtype=np.float32)


class AlphaState:
    """Two cascaded first-order low-passes (exact zero-order-hold discretisation).

    ``a <- d a + (1 - d) x / dt`` then ``y <- d y + (1 - d) a`` with ``d = exp(-dt / tau)``:
    the discrete alpha kernel of unit area; ``x`` is spikes per step, ``y`` a rate (1/s).
    """

    def __init__(self, node: AlphaSynapse, shape: tuple[int, ...], graph: Graph) -> None:
        d = np.exp(-graph.dt / np.asarray(node.tau_syn))
        self.d = np.asarray(d, dtype=np.float32)
        self.gain = np.asarray((1.0 - d) / graph.dt, dtype=np.float32)
        self.out_gain = np.asarray(1.0 - d, dtype=np.float32)
        self.a = np.zeros(shape, dtype=np.float32)
        self.y = np.zeros(shape, dtype=np.float32)

    def step(self, x: F32, t: int, rng: np.random.Generator) -> F32:
        """Filter one step of input ``x``."""
        self.a = np.asarray(self.d * self.a + self.gain * x, dtype=np.float32)
        self.y = np.asarray(self.d * self.y + self.out_gain * self.a, dtype=np.float32)
        return self.y


def sau(node: SAU, x: F32) -> F32:
    """Step activation of paper 000: the level of the interval ``x`` falls in (0 outside)."""
    edges = np.asarray(node.edges, dtype=np.float32)
    levels = np.concatenate([[0.0], np.asarray(node.levels), [0.0]]).astype(np.float32)
    return np.asarray(levels[np.searchsorted(edges, x, side="right")], dtype=np.float32)


def register() -> None:
    """Register the kernels of TimeAffine, AlphaSynapse and SAU in ``sim.float``."""
    register_stateful(TimeAffine, TimeAffineState)
    register_stateful(AlphaSynapse, AlphaState)
    register_stateless(SAU, sau)


register()
