"""Explicit list of the simulators that backends provide (no directory scanning)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.ir import Graph
from hwsnn.sim.result import Result

__all__ = ["register_all"]


def _recorded(result: Result, record: bool) -> Result:
    """``result`` without the per-neuron spikes when the caller asked not to record them."""
    return result if record else dataclasses.replace(result, spikes={})


def _loihi_emulator(
    graph: Graph, inputs: NDArray[np.generic], *, record: bool = True, **options: Any
) -> Result:
    from hwsnn.sim.loihi import simulate_loihi

    return _recorded(simulate_loihi(graph, inputs, **options), record)


def _lava(
    graph: Graph, inputs: NDArray[np.generic], *, record: bool = True, **options: Any
) -> Result:
    from hwsnn.sim._loihi_lava import simulate_lava

    return _recorded(simulate_lava(graph, inputs, **options), record)


def register_all() -> None:
    """Register every built-in backend simulator whose module is present."""
    from hwsnn.backends.crossbar.backend import simulator_for
    from hwsnn.sim import register_simulator, ttfs

    register_simulator("loihi-emulator", _loihi_emulator)
    register_simulator("lava", _lava)
    ttfs.register()
    for target in ("crossbar-mtj", "crossbar-rram"):
        register_simulator(target, simulator_for(target))
