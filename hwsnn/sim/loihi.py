"""``sim.loihi``: vectorised, bit-exact emulator of a Loihi artifact under Lava ``fixed_pt``.

Lava's CPU runtime runs one OS process per Lava process and one sample at a time (about
1 ms per step for a 784-128-10 MLP, ir_lava.md section 9). This emulator runs the same
integer arithmetic (:mod:`hwsnn.sim._loihi_ops`) for a whole batch at once, with the same
schedule: at every Lava step each synapse process first sends what it computed at the
previous step (plus its ``DelayDense`` delay), every population integrates, spikes and resets,
then every synapse process computes from this step's spikes. The conformance tests check it
spike for spike and ``u``/``v`` for ``u``/``v`` against Lava.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.lava._population import LoweringConfig
from hwsnn.backends.lava.artifact import LoihiArtifact
from hwsnn.backends.lava.encode import encode_inputs
from hwsnn.backends.lava.lowering import map_graph
from hwsnn.ir import Graph
from hwsnn.sim._loihi_ops import LifConstants, LifState, conn_output, lif_step
from hwsnn.sim.result import Result
from hwsnn.targets import TargetSpec, load_target

__all__ = ["EmulatorTrace", "align_result", "run_emulator", "simulate_artifact", "simulate_loihi"]


@dataclass(frozen=True)
class EmulatorTrace:
    """Raw per-Lava-step record of one run, in Lava time.

    IR step ``t`` of a population at depth ``d`` is Lava step ``t + d``.

    Attributes:
        spikes: ``name -> (steps, B, n)`` uint8 for every ``lif`` population.
        v: ``name -> (steps, B, n)`` int32 membrane for the populations asked for.
        final_u: ``name -> (B, n)`` int32 after the last step.
        final_v: ``name -> (B, n)`` int32 after the last step.
    """

    spikes: dict[str, NDArray[np.uint8]]
    v: dict[str, NDArray[np.int32]]
    final_u: dict[str, NDArray[np.int32]]
    final_v: dict[str, NDArray[np.int32]]


def run_emulator(
    artifact: LoihiArtifact,
    payload: NDArray[np.integer[Any]],
    *,
    spec: TargetSpec | None = None,
    record_v: Collection[str] = (),
) -> EmulatorTrace:
    """Run ``artifact`` on integer payloads ``(steps, B, n_in)`` for ``steps`` Lava steps."""
    spec = spec or load_target(artifact.target)
    k = LifConstants.from_spec(spec)
    steps, batch = payload.shape[0], payload.shape[1]
    states = {p.name: LifState.start(p, batch, k) for p in artifact.populations}
    weights = {c.name: c.weights.astype(np.float64) for c in artifact.connections}
    lines = {
        c.name: [np.zeros((batch, int(np.prod(c.out_shape))), np.int32)] * (c.delay + 1)
        for c in artifact.connections
    }
    spiking = [p.name for p in artifact.populations if p.kind == "lif"]
    spikes = {n: np.zeros((steps, batch, states[n].u.shape[1]), np.uint8) for n in spiking}
    v_rec = {n: np.zeros((steps, batch, states[n].u.shape[1]), np.int32) for n in record_v}
    for step in range(steps):
        outputs: dict[str, NDArray[np.generic]] = {artifact.input.name: payload[step]}
        for pop in artifact.populations:
            a_in = np.zeros((batch, pop.size), np.int32)
            for conn in artifact.incoming(pop.name):
                a_in = a_in + lines[conn.name][0]
            outputs[pop.name] = lif_step(states[pop.name], a_in, k)
            if pop.name in spikes:
                spikes[pop.name][step] = outputs[pop.name]
            if pop.name in v_rec:
                v_rec[pop.name][step] = states[pop.name].v
        for conn in artifact.connections:
            new = conn_output(conn, weights[conn.name], outputs[conn.src], k)
            lines[conn.name] = [*lines[conn.name][1:], new]
    return EmulatorTrace(
        spikes, v_rec, {n: s.u for n, s in states.items()}, {n: s.v for n, s in states.items()}
    )


def align_result(
    artifact: LoihiArtifact,
    spikes: dict[str, NDArray[np.uint8]],
    out_values: NDArray[np.float32],
    steps: int,
    backend: str,
    input_spikes: NDArray[np.uint8] | None = None,
) -> Result:
    """Shift raw Lava-time records to IR time (``t -> t + depth``) and build a :class:`Result`."""
    aligned = {
        n: s[artifact.population(n).depth : artifact.population(n).depth + steps]
        for n, s in spikes.items()
    }
    if input_spikes is not None:
        aligned[artifact.input.name] = input_spikes[:steps]
    d = artifact.population(artifact.output).depth
    outputs = out_values[d : d + steps]
    shape = artifact.population(artifact.output).shape
    return Result(
        outputs=np.ascontiguousarray(
            outputs.reshape(steps, outputs.shape[1], *shape), dtype=np.float32
        ),
        spikes={
            n: s.reshape(s.shape[0], s.shape[1], *artifact.population(n).shape)
            if n != artifact.input.name
            else s.reshape(s.shape[0], s.shape[1], *artifact.input.shape)
            for n, s in aligned.items()
        },
        spike_totals={
            n: s.reshape(s.shape[0], -1).sum(axis=1).astype(np.int64) for n, s in aligned.items()
        },
        backend=backend,
    )


def simulate_artifact(
    artifact: LoihiArtifact, inputs: NDArray[np.generic], *, rng: np.random.Generator | None = None
) -> Result:
    """Emulate a lowered artifact on ``(B, *shape)`` or ``(T, B, *shape)`` inputs, in IR time.

    Outputs are spikes (0/1) of a spiking output population, or ``v * v_lsb`` of an ``LI``
    readout (IR voltage units).
    """
    encoded = encode_inputs(artifact, inputs, rng=rng)
    out = artifact.population(artifact.output)
    trace = run_emulator(artifact, encoded.payload, record_v=[out.name] if out.kind == "li" else [])
    values = (trace.v[out.name] * out.v_lsb if out.kind == "li" else trace.spikes[out.name]).astype(
        np.float32
    )
    steps = encoded.payload.shape[0] - (artifact.total_steps - artifact.timesteps)
    poisson = encoded.payload.astype(np.uint8) if artifact.input.encoding == "poisson" else None
    return align_result(artifact, trace.spikes, values, steps, "loihi-emulator", poisson)


def simulate_loihi(
    graph: Graph,
    inputs: NDArray[np.generic],
    *,
    rng: np.random.Generator | None = None,
    target: TargetSpec | str = "loihi2",
    config: LoweringConfig | None = None,
) -> Result:
    """Lower ``graph`` for ``target`` and emulate it (the ``"loihi-emulator"`` backend).

    Args:
        graph: The network.
        inputs: ``(B, *input_shape)`` or ``(T, B, *input_shape)``.
        rng: Randomness of a Poisson encoder (default seed 0).
        target: Target spec or name.
        config: Lowering choices.

    Returns:
        Outputs and spikes in IR time (synapse delays removed).
    """
    artifact = map_graph(graph, target, rng=rng, config=config)
    return simulate_artifact(artifact, inputs, rng=rng)
