"""Explicit list of the simulators that backends provide (no directory scanning)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.ir import Graph
from hwsnn.sim.result import Result

__all__ = ["register_all"]


def _loihi_emulator(graph: Graph, inputs: NDArray[np.generic], **options: Any) -> Result:
    from hwsnn.sim.loihi import simulate_loihi

    return simulate_loihi(graph, inputs, **options)


def _lava(graph: Graph, inputs: NDArray[np.generic], **options: Any) -> Result:
    from hwsnn.sim._loihi_lava import simulate_lava

    return simulate_lava(graph, inputs, **options)


def register_all() -> None:
    """Register every built-in backend simulator whose module is present."""
    from hwsnn.backends.crossbar.backend import simulator_for
    from hwsnn.sim import register_simulator

    register_simulator("loihi-emulator", _loihi_emulator)
    register_simulator("lava", _lava)
    for target in ("crossbar-mtj", "crossbar-rram"):
        register_simulator(target, simulator_for(target))
