"""Exact event-time evaluation of time-to-first-spike graphs (paper 003, eq. 4).

Every activation is a spike time in seconds (one spike per neuron, ``t_max`` = none).
An :class:`~hwsnn.ir.NLIF` node after a Linear/Affine/Conv2d node integrates
``dv/dt = sum_i w_i exp(-(t - t_i) / tau_syn)`` for ``t > t_i`` and fires when ``v`` reaches
``v_threshold``; from eq. 3, with ``u = t / tau_syn`` and ``w' = w tau_syn / v_threshold``,
``exp(u_j) = sum_{i in C} w'_i exp(u_i) / (sum_{i in C} w'_i - 1)`` over the causal set
``C`` (inputs before the spike), found by sorting the inputs. A bias acts as an input
spiking at ``t = 0``. Arithmetic is float64 numpy; batches are processed in chunks.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import IRValidationError, UnsupportedNodeError
from hwsnn.ir import NLIF, Conv2d, Flatten, Graph, Input, Linear, Node, Output
from hwsnn.ir.temporal import MaxPoolTTFS, TTFSEncoder
from hwsnn.sim._kernels import _windows
from hwsnn.sim.result import Result

__all__ = ["evaluate_ttfs", "nlif_times", "register", "simulate_ttfs", "ttfs_predictions"]

F64 = NDArray[np.float64]
_SUPPORTED = (
    "Input",
    "TTFSEncoder",
    "Linear",
    "Affine",
    "Conv2d",
    "NLIF",
    "MaxPoolTTFS",
    "Flatten",
    "Output",
)


def _first_crossing(z: F64, w: F64, z_max: float) -> F64:
    """Output ``z`` per row of ``z`` (R, N) for weights ``w`` (M, N) -> (R, M)."""
    order = np.argsort(z, axis=1, kind="stable")
    zs = np.take_along_axis(z, order, axis=1)  # (R, N)
    ws = w[:, order].transpose(1, 0, 2)  # (R, M, N)
    a = np.cumsum(ws * zs[:, None, :], axis=2)
    s = np.cumsum(ws, axis=2)
    denom = s - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        cand = np.where(denom > 0, a / np.where(denom > 0, denom, 1.0), np.inf)
    nxt = np.concatenate([zs[:, 1:], np.full((zs.shape[0], 1), np.inf)], axis=1)[:, None, :]
    valid = (denom > 0) & (cand >= zs[:, None, :]) & (cand <= nxt) & (cand < z_max)
    k = valid.argmax(axis=2)[..., None]
    out = np.take_along_axis(cand, k, axis=2)[..., 0]
    return np.where(valid.any(axis=2), out, z_max)


def _scalar(node: NLIF, name: str) -> float:
    value = np.asarray(getattr(node, name))
    if value.size != 1:
        raise UnsupportedNodeError(
            f"NLIF with per-neuron {name}", "sim.ttfs", ["NLIF with scalar tau_syn/v_threshold"]
        )
    return float(value.reshape(()))


def nlif_times(synapse: Node, node: NLIF, t_in: F64, chunk: int = 64) -> F64:
    """Spike times (s) of ``node`` fed by ``synapse`` from input times ``t_in`` (B, *in).

    Args:
        synapse: The Linear, Affine or Conv2d node before ``node``.
        node: The n-LIF population.
        t_in: Input spike times (s), ``t_max`` or later meaning "no spike".
        chunk: Receptive fields evaluated at once (memory ``chunk x M x N`` floats).

    Returns:
        Output spike times (s), ``node.t_max`` where the neuron does not fire.
    """
    tau, theta = _scalar(node, "tau_syn"), _scalar(node, "v_threshold")
    u_max = node.t_max / tau
    z = np.exp(np.minimum(t_in, node.t_max) / tau)
    out_shape: tuple[int, ...]
    if isinstance(synapse, Conv2d):
        rows, w, out_shape = _conv_rows(synapse, z, u_max)
    elif isinstance(synapse, Linear):
        rows, w = z.reshape(z.shape[0], -1), np.asarray(synapse.weight)
        out_shape = (synapse.weight.shape[0],)
    else:
        raise UnsupportedNodeError(
            type(synapse).__name__, "sim.ttfs (NLIF input)", ["Affine", "Conv2d", "Linear"]
        )
    bias = getattr(synapse, "bias", None)
    if bias is not None:  # a bias is an input spiking at t = 0 (z = 1)
        rows = np.concatenate([rows, np.ones((rows.shape[0], 1))], axis=1)
        w = np.concatenate([w, np.asarray(bias)[:, None]], axis=1)
    w = w * (tau / theta)
    out = np.concatenate(
        [
            _first_crossing(rows[i : i + chunk], w, float(np.exp(u_max)))
            for i in range(0, rows.shape[0], chunk)
        ]
    )
    t = np.minimum(np.log(out) * tau, node.t_max)
    if isinstance(synapse, Conv2d):
        co, ho, wo = list(out_shape)[:3]
        b = t_in.shape[0]
        return np.asarray(t.reshape(b, ho, wo, co).transpose(0, 3, 1, 2), dtype=np.float64)
    return np.asarray(t.reshape(t_in.shape[0], *out_shape), dtype=np.float64)


def _conv_rows(node: Conv2d, z: F64, u_max: float) -> tuple[F64, F64, tuple[int, int, int]]:
    if node.groups != 1:
        raise UnsupportedNodeError("Conv2d with groups > 1", "sim.ttfs", ["Conv2d with groups=1"])
    # Padding is "no spike": pad with exp(u_max) by shifting, since _windows pads zeros.
    view = _windows(
        z - np.exp(u_max),
        (node.weight.shape[2], node.weight.shape[3]),
        node.stride,
        node.padding,
        node.dilation,
    )
    view = view + np.exp(u_max)
    b, c, ho, wo, kh, kw = view.shape
    rows = view.transpose(0, 2, 3, 1, 4, 5).reshape(b * ho * wo, c * kh * kw)
    w = np.asarray(node.weight).reshape(node.weight.shape[0], -1)
    return rows, w, (node.weight.shape[0], ho, wo)


def _maxpool(node: MaxPoolTTFS, t: F64) -> F64:
    big = float(np.max(t)) + 1.0
    view = _windows(t - big, node.kernel_size, node.stride or node.kernel_size, node.padding)
    return np.asarray(view.min(axis=(4, 5)) + big, dtype=np.float64)


def _flatten(node: Flatten, t: F64) -> F64:
    shape = t.shape[1:]
    n = len(shape)
    start, end = node.start_dim % n, node.end_dim % n
    return t.reshape(t.shape[0], *shape[:start], -1, *shape[end + 1 :])


def _evaluate(graph: Graph, x: F64) -> dict[str, F64]:
    values: dict[str, F64] = {}
    for name in graph.order:
        node = graph.nodes[name]
        preds = graph.predecessors(name)
        t = values[preds[0]] if preds else x
        if isinstance(node, Input | Output | Linear | Conv2d):
            values[name] = t  # synapses are applied by the NLIF after them
        elif isinstance(node, TTFSEncoder):
            values[name] = node.alpha * (1.0 - np.clip(t, 0.0, 1.0))
        elif isinstance(node, NLIF):
            values[name] = nlif_times(
                graph.nodes[preds[0]], node, values[graph.predecessors(preds[0])[0]]
            )
        elif isinstance(node, MaxPoolTTFS):
            values[name] = _maxpool(node, t)
        elif isinstance(node, Flatten):
            values[name] = _flatten(node, t)
        else:
            raise UnsupportedNodeError(type(node).__name__, "sim.ttfs", _SUPPORTED)
    return values


def evaluate_ttfs(graph: Graph, inputs: NDArray[np.generic]) -> dict[str, F64]:
    """Spike times (s, float64) of every node for a batch ``(B, *input_shape)``."""
    _check(graph)
    x = np.asarray(inputs, dtype=np.float64)
    if x.shape[1:] != graph.input_shape:
        raise IRValidationError(
            f"inputs of shape {x.shape} do not match the graph input {graph.input_shape}"
        )
    return _evaluate(graph, x)


def _t_max(graph: Graph) -> float:
    limits = [float(getattr(n, "t_max", np.inf)) for n in graph.nodes.values()]
    return min(limits) if limits else float("inf")


def _check(graph: Graph) -> None:
    for name, node in graph.nodes.items():
        succ = graph.successors(name)
        if isinstance(node, Linear | Conv2d) and not (
            len(succ) == 1 and isinstance(graph.nodes[succ[0]], NLIF)
        ):
            raise IRValidationError(f"sim.ttfs: synapse {name!r} must feed exactly one NLIF node")
        if isinstance(node, NLIF) and not isinstance(
            graph.nodes[graph.predecessors(name)[0]], Linear | Conv2d
        ):
            raise IRValidationError(
                f"sim.ttfs: NLIF {name!r} must follow a Linear, Affine or Conv2d node"
            )


def simulate_ttfs(graph: Graph, inputs: NDArray[np.generic], **_: object) -> Result:
    """Evaluate a TTFS graph exactly on a batch.

    Args:
        graph: Input, TTFSEncoder, Linear/Affine/Conv2d + NLIF, MaxPoolTTFS, Flatten, Output.
        inputs: ``(B, *input_shape)`` pixels in [0, 1] (or spike times if there is no encoder).
        **_: Ignored simulator options (``rng``, ``record``): the evaluation is deterministic.

    Returns:
        ``outputs`` of shape ``(1, B, *out)`` holding the output spike times (s) (the class is
        the *earliest*: use :func:`ttfs_predictions`), and ``spikes`` with one step per
        spiking node (1 where the neuron fired before ``t_max``).
    """
    values = evaluate_ttfs(graph, inputs)
    t_max = _t_max(graph)
    spikes: dict[str, NDArray[np.uint8]] = {}
    for name in graph.order:
        node = graph.nodes[name]
        if node.spiking:
            spikes[name] = (values[name] < t_max).astype(np.uint8)[None]
    return Result(
        outputs=values[graph.output_name].astype(np.float32)[None],
        spikes=spikes,
        spike_totals={n: s.reshape(1, -1).sum(axis=1).astype(np.int64) for n, s in spikes.items()},
        backend="ttfs",
    )


def ttfs_predictions(result: Result) -> NDArray[np.int64]:
    """Class per sample: the output neuron that spikes first, shape ``(B,)``."""
    flat = result.outputs.reshape(result.outputs.shape[0], result.outputs.shape[1], -1)
    return np.asarray(flat.min(axis=0).argmin(axis=-1), dtype=np.int64)


def register() -> None:
    """Make ``hwsnn.simulate(graph, x, backend="ttfs")`` use :func:`simulate_ttfs`."""
    from hwsnn.sim import register_simulator

    register_simulator("ttfs", simulate_ttfs)
