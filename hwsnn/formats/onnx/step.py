"""Run an hwsnn ONNX model in onnxruntime, one session call per time step.

The state of every neuron goes out of one call and into the next; the initial
membrane is 0. Each step, PoissonEncoder nodes (in topological order) draw their
noise as ``rng.random((B, *shape), dtype=np.float32)``, exactly as ``hwsnn.sim.float`` does,
so both give the same spikes for the same generator state.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import IRValidationError, UnsupportedNodeError
from hwsnn.formats.onnx import _names as nm
from hwsnn.formats.onnx.lower import EXECUTABLE, STATE_VARS
from hwsnn.formats.onnx.read import load_model, model_to_graph
from hwsnn.ir import LIF, Graph, Node, PoissonEncoder, TimeAffine

if TYPE_CHECKING:
    from onnx import ModelProto

__all__ = ["run_onnx"]

F32 = NDArray[np.float32]


def _check_executable(graph: Graph, steps: int) -> None:
    for name, node in graph.nodes.items():
        kind = type(node).__name__
        if kind not in EXECUTABLE:
            raise UnsupportedNodeError(
                f"{kind} (node {name!r})", "ONNX stepping (onnxruntime)", EXECUTABLE
            )
        covered = _steps_covered(node)
        if covered is not None and steps > covered:
            raise IRValidationError(
                f"{kind} {name!r}: its per-step parameters cover {covered} steps, asked for {steps}"
            )


def _steps_covered(node: Node) -> int | None:
    """Steps a node's per-step parameters cover (LIF threshold_scale, TimeAffine), or None."""
    if isinstance(node, LIF) and node.threshold_scale is not None:
        return int(node.threshold_scale.shape[0])
    if isinstance(node, TimeAffine):
        return node.timesteps
    return None


def _sequence(inputs: Any, shape: tuple[int, ...], steps: int) -> F32:
    """Inputs as ``(T, B, *shape)`` float32; a ``(B, *shape)`` sample repeats every step."""
    x = np.asarray(inputs, dtype=np.float32)
    if x.shape[1:] == shape:
        return np.broadcast_to(x, (steps, *x.shape))
    if x.shape[2:] == shape and x.shape[0] == steps:
        return x
    raise IRValidationError(
        f"inputs of shape {x.shape} do not match (B, *{shape}) or ({steps}, B, *{shape})"
    )


def _session(model: ModelProto) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.log_severity_level = 3
    return ort.InferenceSession(
        model.SerializeToString(),
        options,
        providers=["CPUExecutionProvider"],
        disabled_optimizers=["MatMulAddFusion"],
    )


def _feeds(graph: Graph, x: F32, step: int, rng: np.random.Generator) -> dict[str, Any]:
    feeds: dict[str, Any] = {nm.INPUT: x, nm.TIME: np.array(step, dtype=np.int64)}
    for name in graph.order:
        if isinstance(graph.nodes[name], PoissonEncoder):
            feeds[nm.noise(name)] = rng.random((x.shape[0], *graph.shapes[name]), dtype=np.float32)
    return feeds


def run_onnx(
    model: str | Path | ModelProto,
    inputs: Any,
    *,
    timesteps: int | None = None,
    rng: np.random.Generator | None = None,
) -> tuple[F32, dict[str, F32]]:
    """Step an hwsnn ONNX model in onnxruntime (single thread, sequential execution).

    Args:
        model: Path of an ``.onnx`` file written by hwsnn, or the loaded model.
        inputs: One sample per batch row ``(B, *input_shape)`` applied at every step, or a
            sequence ``(T, B, *input_shape)``.
        timesteps: Number of steps ``T``; defaults to the graph's ``timesteps``.
        rng: Source of the PoissonEncoder noise (default: seed 0, as ``sim.float``).

    Returns:
        ``(outputs, spikes)``: the Output values ``(T, B, *output_shape)`` and, per spiking
        node, its spikes ``(T, B, *shape)`` (float32 0/1).

    Raises:
        UnsupportedNodeError: The graph has a node with no time-step lowering (e.g. NLIF).
        IRValidationError: Inputs of the wrong shape, or more steps than a threshold_scale has.
        FormatError: The file is not a readable hwsnn ONNX model.
    """
    where = str(model) if isinstance(model, str | Path) else "ONNX model"
    proto = load_model(Path(model)) if isinstance(model, str | Path) else model
    graph = model_to_graph(proto, where=where)
    steps = graph.timesteps if timesteps is None else timesteps
    _check_executable(graph, steps)
    seq = _sequence(inputs, graph.input_shape, steps)
    return _run(_session(proto), graph, seq, rng if rng is not None else np.random.default_rng(0))


def _run(
    session: Any, graph: Graph, seq: F32, rng: np.random.Generator
) -> tuple[F32, dict[str, F32]]:
    """The time loop: state out of one ``session.run`` goes into the next (starts at 0)."""
    names = [o.name for o in session.get_outputs()]
    wanted = {i.name for i in session.get_inputs()}
    carried = [(n, var) for n in graph.order for var in STATE_VARS.get(type(graph.nodes[n]), ())]
    batch = seq.shape[1]
    states = {
        nm.state_in(n, var): np.zeros((batch, *graph.shapes[n]), np.float32) for n, var in carried
    }
    outputs: list[F32] = []
    spikes: dict[str, list[F32]] = {n: [] for n in graph.order if graph.nodes[n].spiking}
    for step in range(seq.shape[0]):
        feeds = {**_feeds(graph, np.ascontiguousarray(seq[step]), step, rng), **states}
        feeds = {k: v for k, v in feeds.items() if k in wanted}
        result = dict(zip(names, session.run(names, feeds), strict=True))
        outputs.append(result[nm.OUTPUT])
        states = {nm.state_in(n, var): result[nm.state_out(n, var)] for n, var in carried}
        for n in spikes:
            spikes[n].append(result[nm.spikes(n)])
    return np.stack(outputs), {n: np.stack(s) for n, s in spikes.items()}
