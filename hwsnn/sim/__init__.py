"""Simulators of IR graphs, chosen by name through one explicit registry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import HwsnnError
from hwsnn.ir import Graph
from hwsnn.sim.result import Result, spike_dtype

__all__ = ["SIMULATORS", "Result", "register_simulator", "simulate", "spike_dtype"]

Simulator = Callable[..., Result]


def _float(graph: Graph, inputs: NDArray[np.generic], **options: Any) -> Result:
    from hwsnn.sim.float import simulate_float

    return simulate_float(graph, inputs, **options)


SIMULATORS: dict[str, Simulator] = {"float": _float}
"""Simulator by backend name; backends add theirs with :func:`register_simulator`."""


def register_simulator(name: str, simulator: Simulator) -> None:
    """Make ``simulator`` available as ``simulate(..., backend=name)``."""
    SIMULATORS[name] = simulator


def _load_builtin_backends() -> None:
    """Register the simulators that live in backends (imported lazily, listed explicitly)."""
    from hwsnn.sim import _builtin

    _builtin.register_all()


def simulate(
    graph: Graph, inputs: NDArray[np.generic], *, backend: str = "float", **options: Any
) -> Result:
    """Simulate ``graph`` on a batch of inputs with the named backend.

    Args:
        graph: The network.
        inputs: ``(B, *input_shape)`` (the sample applied every step, or encoded by the
            graph's encoder) or ``(T, B, *input_shape)``.
        backend: ``"float"`` (reference) or a registered backend (see ``SIMULATORS``).
        **options: Backend options, e.g. ``rng=`` or ``record=``.

    Returns:
        Outputs per step and spikes per layer.
    """
    if backend not in SIMULATORS:
        _load_builtin_backends()
    try:
        simulator = SIMULATORS[backend]
    except KeyError:
        raise HwsnnError(
            f"unknown backend {backend!r}; available: {', '.join(sorted(SIMULATORS))}"
        ) from None
    return simulator(graph, inputs, **options)
