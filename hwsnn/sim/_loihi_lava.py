"""The ``"lava"`` simulator backend: lower the graph and run it in Lava (CPU, ``Loihi2SimCfg``)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.lava._population import LoweringConfig
from hwsnn.backends.lava.encode import encode_inputs
from hwsnn.backends.lava.lowering import map_graph
from hwsnn.backends.lava.process import run_lava
from hwsnn.ir import Graph
from hwsnn.sim.loihi import align_result
from hwsnn.sim.result import Result
from hwsnn.targets import TargetSpec

__all__ = ["simulate_lava"]


def simulate_lava(
    graph: Graph,
    inputs: NDArray[np.generic],
    *,
    rng: np.random.Generator | None = None,
    target: TargetSpec | str = "loihi2",
    config: LoweringConfig | None = None,
    mode: str = "fixed_pt",
) -> Result:
    """Run ``graph`` in Lava and return spikes in IR time.

    Lava gives spikes per step but only the final ``v`` (no per-step ``Monitor``), so an ``LI``
    readout's outputs hold the final ``v`` (IR units) at the last step and zeros before it.

    Raises:
        SimulatorUnavailableError: lava-nc is not installed.
    """
    artifact = map_graph(graph, target, rng=rng, config=config)
    encoded = encode_inputs(artifact, inputs, rng=rng)
    payload = encoded.payload if mode == "fixed_pt" else encoded.real
    trace = run_lava(artifact, payload, mode=mode)
    out = artifact.population(artifact.output)
    steps = payload.shape[0]
    if out.kind == "li":
        values = np.zeros((steps, payload.shape[1], out.size), np.float32)
        scale = out.v_lsb if mode == "fixed_pt" else 1.0
        values[-1] = np.asarray(trace.final_v[out.name], dtype=np.float64) * scale
        values[out.depth + artifact.timesteps - 1] = values[-1]
    else:
        values = trace.spikes[out.name].astype(np.float32)
    ir_steps = steps - (artifact.total_steps - artifact.timesteps)
    poisson = encoded.payload.astype(np.uint8) if artifact.input.encoding == "poisson" else None
    return align_result(artifact, trace.spikes, values, ir_steps, f"lava-{mode}", poisson)
