"""Lowerings of the time-dependent synapses: TimeAffine (BNTT), AlphaSynapse, SAU.

They follow ``hwsnn.sim.float`` (``hwsnn/sim/temporal_kernels.py``) operation for
operation in float32, so onnxruntime and the reference agree bit for bit.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hwsnn.formats.onnx import _names as nm
from hwsnn.formats.onnx._builder import Builder, value_name
from hwsnn.ir import SAU, AlphaSynapse, TimeAffine

__all__ = ["lower_alpha", "lower_sau", "lower_time_affine"]


def lower_time_affine(b: Builder, name: str, node: TimeAffine) -> None:
    """``y = x * scale[t] + shift[t]`` (BNTT at inference, paper 004 eq. 9)."""
    picked = []
    for field in ("scale", "shift"):
        out = nm.derived(name, f"{field}_t")
        b.add("Gather", [b.record_f32(name, field), b.time()], [out], owner=name, axis=0)
        picked.append(out)
    product = nm.derived(name, "scaled")
    b.add("Mul", [b.source(name), picked[0]], [product], owner=name)
    b.add("Add", [product, picked[1]], [value_name(b.graph, name)], owner=name)


def alpha_coefficients(node: AlphaSynapse, dt: float) -> tuple[NDArray[np.float32], ...]:
    """float32 ``(d, gain, out_gain)``: ``d = exp(-dt/tau_syn)``, ``(1-d)/dt`` (1/s), ``1-d``."""
    d = np.exp(-dt / np.asarray(node.tau_syn))
    return tuple(np.asarray(a, dtype=np.float32) for a in (d, (1.0 - d) / dt, 1.0 - d))


def lower_alpha(b: Builder, name: str, node: AlphaSynapse) -> None:
    """Two cascaded first-order low-passes with states ``<node>.a`` and ``<node>.y``."""
    states = [b.io("state_in", nm.state_in(name, var), name) for var in ("a", "y")]
    coeffs = alpha_coefficients(node, b.graph.dt)
    names = [b.const(name, k, c) for k, c in zip(("d", "gain", "out_gain"), coeffs, strict=True)]
    outputs = [nm.state_out(name, "a"), nm.state_out(name, "y")]
    inputs = [b.source(name), *states, *names]
    b.add("AlphaSynapse", inputs, outputs, owner=name, domain=nm.DOMAIN)
    for out in outputs:
        b.io("state_out", out, name)


def lower_sau(b: Builder, name: str, node: SAU) -> None:
    """Step activation (paper 000): a table look-up by the number of edges at or below ``x``."""
    edges = b.record_f32(name, "edges")
    table = np.concatenate([[0.0], node.levels, [0.0]]).astype(np.float32)
    levels = b.const(name, "levels_padded", table)
    b.add(
        "SAU",
        [b.source(name), edges, levels],
        [value_name(b.graph, name)],
        owner=name,
        domain=nm.DOMAIN,
    )
