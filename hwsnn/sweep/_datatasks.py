"""Data-set sweeps: crossbar inference and the Loihi emulator on shards of a test set.

The payload carries the network as an IR record (``hwsnn.ir.graph_to_record``: header and
arrays, no pickled objects), the test inputs and labels, and the *name or path* of the target
spec; ``prepare`` rebuilds the graph and loads the spec once per worker. A ``shard`` parameter
selects ``np.array_split(range(N), shards)[shard]`` of the test set, so one configuration can
spread over workers; ``summary.csv`` combines shards into the accuracy over the whole set.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import HwsnnError
from hwsnn.ir import Graph
from hwsnn.sweep.spec import Metrics, Params, Scalar, Sweep, grid

__all__ = [
    "CROSSBAR_AXES",
    "DataPayload",
    "crossbar_sweep",
    "crossbar_task",
    "loihi_sweep",
    "loihi_task",
]

CROSSBAR_AXES = {
    "d2d": "d2d",
    "read_noise": "read-noise",
    "adc_bits": "adc-bits",
    "stuck": "stuck",
    "ir_drop": "ir-drop",
}
"""Sweep parameter -> non-ideality of ``hwsnn.backends.crossbar.sweeps.SWEEPS``."""


@dataclass(frozen=True)
class DataPayload:
    """What every worker of a data-set sweep needs, sent once.

    Attributes:
        header: IR record header (``graph_to_record``).
        arrays: IR record arrays.
        x: Test inputs ``(N, *input_shape)`` float32.
        y: Labels ``(N,)`` int64.
        target: Spec name or TOML path (crossbar spec or Loihi target).
        shards: Number of shards the test set is split into.
        batch_size: Samples per simulated batch.
        options: Backend options (``binarize`` for crossbars, ``input_range`` for Loihi).
    """

    header: Mapping[str, Any]
    arrays: Mapping[str, NDArray[Any]]
    x: NDArray[np.float32]
    y: NDArray[np.int64]
    target: str
    shards: int
    batch_size: int
    options: Mapping[str, Scalar]


@dataclass(frozen=True)
class _Context:
    graph: Graph
    spec: Any
    payload: DataPayload


def _payload(
    graph: Graph,
    x: NDArray[Any],
    y: NDArray[Any],
    target: str,
    shards: int,
    batch_size: int,
    options: Mapping[str, Scalar],
) -> DataPayload:
    from hwsnn.ir import graph_to_record
    from hwsnn.sim.evaluate import fit_inputs

    if shards < 1 or batch_size < 1:
        raise HwsnnError(f"need shards >= 1 and batch size >= 1, got {shards}, {batch_size}")
    if len(x) != len(y) or len(x) < shards:
        raise HwsnnError(f"{len(x)} samples, {len(y)} labels: cannot make {shards} shards")
    header, arrays = graph_to_record(graph)
    return DataPayload(
        header=header,
        arrays=arrays,
        x=fit_inputs(graph, x),
        y=np.asarray(y, dtype=np.int64),
        target=target,
        shards=shards,
        batch_size=batch_size,
        options=dict(options),
    )


def _graph(payload: DataPayload) -> Graph:
    from hwsnn.ir import graph_from_record

    return graph_from_record(dict(payload.header), dict(payload.arrays))


def _shard(ctx: _Context, params: Params) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    shard = int(params.get("shard", 0))
    p = ctx.payload
    if not 0 <= shard < p.shards:
        raise HwsnnError(f"shard {shard} outside 0..{p.shards - 1}")
    idx = np.array_split(np.arange(len(p.y)), p.shards)[shard]
    return p.x[idx], p.y[idx]


def _batches(x: NDArray[np.float32], size: int) -> list[NDArray[np.float32]]:
    return [x[i : i + size] for i in range(0, len(x), size)]


def prepare_crossbar(payload: DataPayload) -> _Context:
    """Rebuild the graph and load the crossbar spec (once per worker)."""
    import torch

    from hwsnn.backends.crossbar import load_spec

    torch.set_num_threads(1)
    return _Context(_graph(payload), load_spec(payload.target), payload)


def crossbar_task(params: Params, rng: np.random.Generator, context: _Context) -> Metrics:
    """Accuracy and read energy of the noisy crossbar on one shard.

    Each non-ideality parameter (names in :data:`CROSSBAR_AXES`) changes the spec as in
    :mod:`hwsnn.backends.crossbar.sweeps`; devices are sampled from the point's ``rng``, so
    every point (and every shard) is its own chip instance.
    """
    from hwsnn.backends.crossbar import Fidelity, map_graph, simulate_crossbar
    from hwsnn.backends.crossbar.energy import estimate_inference_energy
    from hwsnn.backends.crossbar.sweeps import SWEEPS

    spec = context.spec
    for name, value in params.items():
        if name in CROSSBAR_AXES:
            spec = SWEEPS[CROSSBAR_AXES[name]][1](spec, float(value))
    x, y = _shard(context, params)
    map_rng, sim_rng = rng.spawn(2)
    binarize = bool(context.payload.options.get("binarize", False))
    artifact = map_graph(context.graph, spec, rng=map_rng, binarize=binarize)
    predictions: list[NDArray[np.int64]] = []
    counters: list[Any] = []
    for xb in _batches(x, context.payload.batch_size):
        result, readers = simulate_crossbar(
            artifact, xb, fidelity=Fidelity.NOISY, rng=sim_rng, record=False
        )
        predictions.append(result.predictions())
        counters.extend(r.counters for r in readers.values())
    correct = int(np.sum(np.concatenate(predictions) == y))
    energy = estimate_inference_energy(spec, counters, samples=len(y))
    return {
        "accuracy": correct / len(y),
        "correct": float(correct),
        "samples": float(len(y)),
        "energy_per_sample_j": energy.per_sample_j,
    }


def _axes(axes: Mapping[str, Sequence[Scalar]], shards: int) -> dict[str, Sequence[Scalar]]:
    out = dict(axes)
    if shards > 1:
        out["shard"] = list(range(shards))
    if not out:
        out["shard"] = [0]
    return out


def crossbar_sweep(
    graph: Graph,
    x: NDArray[Any],
    y: NDArray[Any],
    axes: Mapping[str, Sequence[float]],
    *,
    target: str = "rram",
    shards: int = 1,
    repeats: int = 1,
    seed: int = 0,
    batch_size: int = 256,
    binarize: bool = False,
) -> Sweep:
    """Crossbar accuracy over a grid of non-idealities x shards x repeats.

    Args:
        graph: Network with binary (or ``binarize``-able) weights.
        x: Test inputs ``(N, ...)``.
        y: Labels ``(N,)``.
        axes: Values per parameter of :data:`CROSSBAR_AXES` (sigma of ln R, relative read
            noise, ADC bits, stuck-at rate, wire resistance in ohm).
        target: Crossbar spec name (``mappings/crossbar``) or TOML path (a path must exist
            on every worker).
        shards: Shards of the test set (a ``shard`` axis when > 1).
        repeats: Copies of every point (a ``repeat`` axis when > 1), each its own chip.
        seed: Base seed of the sweep.
        batch_size: Samples per simulated batch.
        binarize: Replace non-binary weights by ``mean|w| * sign(w)``.

    Raises:
        HwsnnError: An unknown axis name.
    """
    if unknown := sorted(set(axes) - set(CROSSBAR_AXES)):
        raise HwsnnError(f"unknown crossbar sweep axes {unknown}; choose {list(CROSSBAR_AXES)}")
    options: dict[str, Scalar] = {"binarize": binarize}
    return Sweep(
        name="crossbar",
        task=crossbar_task,
        points=grid(_axes(axes, shards), repeats=repeats),
        seed=seed,
        payload=_payload(graph, x, y, target, shards, batch_size, options),
        prepare=prepare_crossbar,
        options={**options, "target": target, "shards": shards, "samples": len(y),
                 "model": graph.metadata.get("model", "")},
    )  # fmt: skip


def prepare_loihi(payload: DataPayload) -> _Context:
    """Rebuild the graph and load the Loihi target spec (once per worker)."""
    from hwsnn.targets import load_target

    return _Context(_graph(payload), load_target(payload.target), payload)


def loihi_task(params: Params, rng: np.random.Generator, context: _Context) -> Metrics:
    """Accuracy of the bit-exact Loihi emulator (``sim.loihi``) on one shard.

    ``params["weight_bits"]`` (optional) overrides the target's ``numeric.weight_bits``
    (weight mantissa bits, unsigned); ``input_range`` comes from the payload options.
    """
    from hwsnn.backends.lava._population import LoweringConfig
    from hwsnn.backends.lava.lowering import map_graph
    from hwsnn.sim.loihi import simulate_artifact

    spec = context.spec
    if "weight_bits" in params:
        numeric = {**spec.numeric, "weight_bits": int(params["weight_bits"])}
        spec = dataclasses.replace(spec, numeric=types.MappingProxyType(numeric))
    x, y = _shard(context, params)
    config = LoweringConfig(input_range=float(context.payload.options.get("input_range", 1.0)))
    map_rng, sim_rng = rng.spawn(2)
    artifact = map_graph(context.graph, spec, rng=map_rng, config=config)
    predictions = [
        simulate_artifact(artifact, xb, rng=sim_rng).predictions()
        for xb in _batches(x, context.payload.batch_size)
    ]
    correct = int(np.sum(np.concatenate(predictions) == y))
    return {"accuracy": correct / len(y), "correct": float(correct), "samples": float(len(y))}


def loihi_sweep(
    graph: Graph,
    x: NDArray[Any],
    y: NDArray[Any],
    *,
    weight_bits: Sequence[int] = (),
    target: str = "loihi2",
    shards: int = 1,
    repeats: int = 1,
    seed: int = 0,
    batch_size: int = 256,
    input_range: float = 1.0,
) -> Sweep:
    """Fixed-point (Loihi emulator) accuracy over weight bits x shards x repeats.

    Args:
        graph: The network (lowerable to Loihi).
        x: Test inputs ``(N, ...)``.
        y: Labels ``(N,)``.
        weight_bits: Weight mantissa bit widths to try (empty: the target's own).
        target: Loihi target name (``mappings/``) or TOML path.
        shards: Shards of the test set (a ``shard`` axis when > 1).
        repeats: Copies of every point (a ``repeat`` axis when > 1).
        seed: Base seed of the sweep.
        batch_size: Samples per simulated batch.
        input_range: Largest direct input value (input units).
    """
    axes: dict[str, Sequence[Scalar]] = {}
    if weight_bits:
        axes["weight_bits"] = [int(b) for b in weight_bits]
    options: dict[str, Scalar] = {"input_range": float(input_range)}
    return Sweep(
        name="loihi",
        task=loihi_task,
        points=grid(_axes(axes, shards), repeats=repeats),
        seed=seed,
        payload=_payload(graph, x, y, target, shards, batch_size, options),
        prepare=prepare_loihi,
        options={**options, "target": target, "shards": shards, "samples": len(y),
                 "model": graph.metadata.get("model", "")},
    )  # fmt: skip
