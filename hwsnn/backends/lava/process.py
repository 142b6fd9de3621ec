"""Build and run the Lava process graph of a :class:`LoihiArtifact` (CPU, ``Loihi2SimCfg``).

Graph: ``io.source.RingBuffer`` (host payloads) -> ``Dense`` / ``DelayDense`` / ``Conv`` ->
``LIF`` -> ... with one ``io.sink.RingBuffer`` per spiking population (no ``Monitor``: it costs
3x per step, ir_lava.md section 9). A batch of samples runs as ``B`` independent replicas in one
graph: dense weights block-diagonal, conv channels stacked with ``groups * B`` groups, so one
compile serves the whole batch. Populations of IR shape ``(C, H, W)`` live in Lava as
``(W, H, B*C)``; ``index_map`` gives the Lava flat index of every (sample, IR index).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.lava._compat import import_lava
from hwsnn.backends.lava.artifact import Connection, LoihiArtifact, Population, lava_conv_weight
from hwsnn.errors import HwsnnError

__all__ = ["MODES", "LavaTrace", "index_map", "run_lava"]

MODES = ("fixed_pt", "floating_pt")
_GROUPS_MAX = 127  # Lava Conv stores `groups` as int8 (lava/proc/conv/models.py)


@dataclass(frozen=True)
class LavaTrace:
    """What a Lava run returns, in Lava time (see :class:`hwsnn.sim.loihi.EmulatorTrace`).

    Attributes:
        spikes: ``name -> (steps, B, n)`` uint8 per spiking population.
        final_u: ``name -> (B, n)`` after the last step.
        final_v: ``name -> (B, n)`` after the last step.
    """

    spikes: dict[str, NDArray[np.uint8]]
    final_u: dict[str, NDArray[np.generic]]
    final_v: dict[str, NDArray[np.generic]]


def lava_shape(shape: tuple[int, ...], batch: int) -> tuple[int, ...]:
    """Lava shape of a batched population: ``(W, H, B*C)`` for ``(C, H, W)``, else ``(B*n,)``."""
    if len(shape) == 3:
        return (shape[2], shape[1], batch * shape[0])
    return (batch * int(np.prod(shape)),)


def index_map(shape: tuple[int, ...], batch: int) -> NDArray[np.int64]:
    """``(B, n)`` Lava flat index of each sample's IR C-major flat index."""
    n = int(np.prod(shape))
    if len(shape) != 3:
        return np.arange(batch * n).reshape(batch, n)
    c, h, w = np.meshgrid(*(np.arange(s) for s in shape), indexing="ij")
    per = (w * shape[1] + h) * (batch * shape[0]) + c
    return np.stack([per.reshape(-1) + b * shape[0] for b in range(batch)])


def _check_fixed(name: str, *arrays: Any) -> None:
    """Float parameters must never reach a fixed-point Lava model (it fails opaquely)."""
    for array in arrays:
        if not np.issubdtype(np.asarray(array).dtype, np.integer):
            raise HwsnnError(
                f"{name}: fixed_pt parameter has dtype {np.asarray(array).dtype}, expected integer"
            )


def _lif(pop: Population, batch: int, mode: str) -> Any:
    from lava.proc.lif.process import LIF

    shape = lava_shape(pop.shape, batch)
    idx = index_map(pop.shape, batch)
    if mode == "fixed_pt":
        _check_fixed(pop.name, pop.bias_mant, pop.bias_exp, pop.du, pop.dv, pop.vth)
        mant, exp = np.zeros(idx.size, np.int32), np.zeros(idx.size, np.int32)
        mant[idx] = pop.bias_mant[None, :]
        exp[idx] = pop.bias_exp[None, :]
        return LIF(
            shape=shape,
            du=int(pop.du),
            dv=int(pop.dv),
            vth=int(pop.vth),
            bias_mant=mant.reshape(shape),
            bias_exp=exp.reshape(shape),
            name=pop.name,
        )
    fp = pop.float_params
    bias = np.zeros(idx.size)
    bias[idx] = fp.bias[None, :]
    return LIF(
        shape=shape,
        du=1.0,
        dv=float(fp.dv),
        vth=float(fp.vth),
        bias_mant=bias.reshape(shape),
        bias_exp=0.0,
        name=pop.name,
    )


def _synapse(conn: Connection, batch: int, mode: str) -> Any:
    from lava.proc.conv.process import Conv
    from lava.proc.dense.process import DelayDense, Dense
    from lava.utils.weightutils import SignMode

    fixed = mode == "fixed_pt"
    weights = conn.weights if fixed else conn.float_weights
    if fixed:
        _check_fixed(conn.name, conn.weights, conn.weight_exp)
    bits = {"num_message_bits": (8 if fixed else 24) if conn.graded else 0}
    if conn.kind == "conv":
        return Conv(
            weight=np.tile(lava_conv_weight(weights), (batch, 1, 1, 1)),
            input_shape=lava_shape(conn.in_shape, batch),
            padding=conn.padding[::-1],
            stride=conn.stride[::-1],
            dilation=conn.dilation[::-1],
            groups=conn.groups * batch,
            num_weight_bits=8,
            weight_exp=0,
            name=conn.name,
            **bits,
        )
    i_out, i_in = index_map(conn.out_shape, batch), index_map(conn.in_shape, batch)
    big = np.zeros((i_out.size, i_in.size), dtype=weights.dtype)
    for b in range(batch):
        big[np.ix_(i_out[b], i_in[b])] = weights
    extra: dict[str, Any] = {"weight_exp": int(conn.weight_exp)} if fixed else {}
    if fixed:
        extra["sign_mode"] = {
            "mixed": SignMode.MIXED,
            "excitatory": SignMode.EXCITATORY,
            "inhibitory": SignMode.INHIBITORY,
        }[conn.sign_mode]
        extra["num_weight_bits"] = 8
    if conn.delay > 0:
        delays = np.full(big.shape, conn.delay, dtype=int)
        return DelayDense(weights=big, delays=delays, name=conn.name, **bits, **extra)
    return Dense(weights=big, name=conn.name, **bits, **extra)


def _to_lava(
    values: NDArray[np.generic], shape: tuple[int, ...], dtype: type
) -> NDArray[np.generic]:
    """``(steps, B, n)`` IR-order payloads -> Lava ``(*lava_shape, steps)`` ring-buffer data."""
    steps, batch, _ = values.shape
    idx = index_map(shape, batch)
    flat: NDArray[np.generic] = np.zeros((idx.size, steps), dtype=dtype)
    for b in range(batch):
        flat[idx[b]] = values[:, b, :].T
    return flat.reshape(*lava_shape(shape, batch), steps)


def _from_lava(
    data: NDArray[np.generic], shape: tuple[int, ...], batch: int
) -> NDArray[np.generic]:
    """Lava ``(*lava_shape, steps)`` or ``(*lava_shape,)`` -> ``(steps, B, n)`` or ``(B, n)``."""
    idx = index_map(shape, batch)
    size = idx.size
    flat = np.asarray(data).reshape(size, -1)
    out: NDArray[np.generic] = np.stack([flat[idx[b]] for b in range(batch)])  # (B, n, steps|1)
    return (
        out[..., 0]
        if np.asarray(data).ndim == len(lava_shape(shape, batch))
        else out.transpose(2, 0, 1)
    )


def _wire(
    artifact: LoihiArtifact, source: Any, batch: int, mode: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    from lava.proc.io.sink import RingBuffer as Sink

    lifs = {p.name: _lif(p, batch, mode) for p in artifact.populations}
    ports = {artifact.input.name: source.s_out, **{n: p.s_out for n, p in lifs.items()}}
    shapes = {
        artifact.input.name: artifact.input.shape,
        **{p.name: p.shape for p in artifact.populations},
    }
    for conn in artifact.connections:
        syn = _synapse(conn, batch, mode)
        src_port = ports[conn.src]
        if conn.kind == "dense":
            src_port = src_port.flatten() if len(shapes[conn.src]) == 3 else src_port
            out = (
                syn.a_out.reshape(lava_shape(conn.out_shape, batch))
                if len(conn.out_shape) == 3
                else syn.a_out
            )
        else:
            out = syn.a_out
        src_port.connect(syn.s_in)
        out.connect(lifs[conn.dst].a_in)
    sinks = {}
    steps = int(source.data.shape[-1])
    for pop in artifact.populations:
        if pop.kind == "lif":
            sinks[pop.name] = Sink(shape=lava_shape(pop.shape, batch), buffer=steps)
            lifs[pop.name].s_out.connect(sinks[pop.name].a_in)
    return lifs, sinks


def _run_chunk(artifact: LoihiArtifact, payload: NDArray[np.generic], mode: str) -> LavaTrace:
    from lava.magma.core.run_conditions import RunSteps
    from lava.magma.core.run_configs import Loihi2SimCfg
    from lava.proc.io.source import RingBuffer as Source

    steps, batch, _ = payload.shape
    dtype = np.int32 if mode == "fixed_pt" else np.float64
    source = Source(data=_to_lava(payload, artifact.input.shape, dtype))
    lifs, sinks = _wire(artifact, source, batch, mode)
    try:
        source.run(condition=RunSteps(num_steps=steps), run_cfg=Loihi2SimCfg(select_tag=mode))
        spikes = {
            n: _from_lava(s.data.get(), artifact.population(n).shape, batch).astype(np.uint8)
            for n, s in sinks.items()
        }
        final_u = {
            n: _from_lava(p.u.get(), artifact.population(n).shape, batch) for n, p in lifs.items()
        }
        final_v = {
            n: _from_lava(p.v.get(), artifact.population(n).shape, batch) for n, p in lifs.items()
        }
    finally:
        source.stop()
    return LavaTrace(spikes, final_u, final_v)


def run_lava(
    artifact: LoihiArtifact, payload: NDArray[np.generic], *, mode: str = "fixed_pt"
) -> LavaTrace:
    """Run ``artifact`` in Lava on payloads ``(steps, B, n_in)`` for ``steps`` Lava steps.

    Args:
        artifact: The lowered network.
        payload: Integer payloads for ``fixed_pt`` (from :func:`encode_inputs`), or real-valued
            payload units for ``floating_pt`` (``EncodedInput.real``).
        mode: ``"fixed_pt"`` (bit-accurate integer models) or ``"floating_pt"``.

    Raises:
        SimulatorUnavailableError: lava-nc is missing (with the install hint).
        HwsnnError: Unknown mode, or a float parameter about to reach a fixed-point model.
    """
    if mode not in MODES:
        raise HwsnnError(f"unknown Lava mode {mode!r}; expected one of {MODES}")
    if mode == "fixed_pt":
        _check_fixed("input payload", payload)
    import_lava()
    groups = max((c.groups for c in artifact.connections if c.kind == "conv"), default=1)
    chunk = max(1, _GROUPS_MAX // groups)
    parts = [
        _run_chunk(artifact, payload[:, i : i + chunk], mode)
        for i in range(0, payload.shape[1], chunk)
    ]
    return LavaTrace(
        spikes={n: np.concatenate([p.spikes[n] for p in parts], axis=1) for n in parts[0].spikes},
        final_u={
            n: np.concatenate([p.final_u[n] for p in parts], axis=0) for n in parts[0].final_u
        },
        final_v={
            n: np.concatenate([p.final_v[n] for p in parts], axis=0) for n in parts[0].final_v
        },
    )
