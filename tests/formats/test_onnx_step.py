"""onnxruntime stepping an hwsnn ONNX model equals a plain numpy float32 reference.

Weights and inputs are multiples of 1/8 or 1/16, so every synapse sum is exact in
float32 whatever the summation order; the neuron updates (non-dyadic coefficients)
are element-wise and must then agree bit for bit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hwsnn.errors import IRValidationError
from hwsnn.ir import (
    IF,
    LI,
    LIF,
    Add,
    Affine,
    AvgPool2d,
    Conv2d,
    CurrentEncoder,
    Flatten,
    Graph,
    Input,
    Linear,
    Node,
    Output,
    PoissonEncoder,
    ResetMode,
    Scale,
    SumPool2d,
    neuron_coefficients,
)

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from hwsnn.formats.onnx import run_onnx, write_onnx

pytestmark = pytest.mark.onnx

F32 = np.float32
Array = np.ndarray[Any, Any]


def _windows(
    x: Array,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int] = (1, 1),
) -> Array:
    """Patches (B, C, kh, kw, Ho, Wo) of a zero-padded (B, C, H, W) array."""
    ph, pw = padding
    x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ho = (x.shape[2] - dilation[0] * (kernel[0] - 1) - 1) // stride[0] + 1
    wo = (x.shape[3] - dilation[1] * (kernel[1] - 1) - 1) // stride[1] + 1
    out = np.empty((*x.shape[:2], *kernel, ho, wo), F32)
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            r, c = i * dilation[0], j * dilation[1]
            out[:, :, i, j] = x[
                :, :, r : r + stride[0] * ho : stride[0], c : c + stride[1] * wo : stride[1]
            ]
    return out


def _conv(node: Conv2d, x: Array) -> Array:
    w = node.weight.astype(F32)
    p = _windows(x, w.shape[2:], node.stride, node.padding, node.dilation)
    g, cin = node.groups, w.shape[1]
    parts = [
        np.einsum(
            "bcijhw,ocij->bohw",
            p[:, k * cin : (k + 1) * cin],
            w[k * len(w) // g : (k + 1) * len(w) // g],
        )
        for k in range(g)
    ]
    y = np.concatenate(parts, axis=1).astype(F32)
    return y if node.bias is None else y + node.bias.astype(F32)[:, None, None]


def _pool(node: SumPool2d, x: Array) -> Array:
    total = _windows(x, node.kernel_size, node.stride or node.kernel_size, node.padding).sum(
        axis=(2, 3)
    )
    return total / F32(node.window) if isinstance(node, AvgPool2d) else total


def _neuron(node: LIF | IF | LI, x: Array, v: Array, dt: float, t: int) -> tuple[Array, Array]:
    """One step: returns (value, new v). The update order of hwsnn.ir.neuron_coefficients."""
    c = neuron_coefficients(node, dt)
    v = c.keep * v + c.gain * x + c.leak
    if isinstance(node, LI):
        return v, v
    thr = node.v_threshold.astype(F32)
    if isinstance(node, LIF) and node.threshold_scale is not None:
        thr = thr * node.threshold_scale.astype(F32)[t]
    s = (v > thr).astype(F32)
    v = (
        v - s * thr
        if node.reset is ResetMode.SUBTRACT
        else np.where(s > 0, node.v_reset.astype(F32), v)
    )
    return s, v.astype(F32)


def _synapse(node: Node, ins: list[Array], rng: np.random.Generator | None) -> Array:
    x = ins[0]
    if isinstance(node, PoissonEncoder):
        assert rng is not None
        u = rng.random(x.shape, dtype=F32)
        if node.signed:
            return (np.sign(x) * (u < np.clip(F32(node.gain) * np.abs(x), 0, 1))).astype(F32)
        return (u < np.clip(F32(node.gain) * x, 0, 1)).astype(F32)
    if isinstance(node, CurrentEncoder):
        return F32(node.gain) * x
    if isinstance(node, Linear):
        y = x @ node.weight.astype(F32).T
        return y + node.bias.astype(F32) if isinstance(node, Affine) else y
    if isinstance(node, Conv2d):
        return _conv(node, x)
    if isinstance(node, SumPool2d):
        return _pool(node, x)
    if isinstance(node, Add):
        total = ins[0]
        for other in ins[1:]:
            total = total + other
        return total
    if isinstance(node, Scale):
        return x * node.scale.astype(F32)
    assert isinstance(node, Output)
    return x


def reference(
    graph: Graph, seq: Array, rng: np.random.Generator | None = None
) -> tuple[Array, dict[str, Array]]:
    """Straightforward float32 simulation of ``graph`` on inputs ``(T, B, *shape)``."""
    state = {
        n: np.zeros((seq.shape[1], *graph.shapes[n]), F32)
        for n in graph.order
        if graph.nodes[n].stateful
    }
    outputs, spikes = [], {n: [] for n in graph.order if graph.nodes[n].spiking}
    for t in range(seq.shape[0]):
        values: dict[str, Array] = {}
        for name in graph.order:
            node = graph.nodes[name]
            ins = [values[p] for p in graph.predecessors(name)]
            if isinstance(node, Input):
                values[name] = seq[t].astype(F32)
            elif isinstance(node, Flatten):
                values[name] = ins[0].reshape(ins[0].shape[0], *graph.shapes[name])
            elif isinstance(node, LIF | IF | LI):
                values[name], state[name] = _neuron(node, ins[0], state[name], graph.dt, t)
            else:
                values[name] = _synapse(node, ins, rng)
            if name in spikes:
                spikes[name].append(values[name])
        outputs.append(values[graph.output_name])
    return np.stack(outputs), {n: np.stack(s) for n, s in spikes.items()}


def _dyadic(rng: np.random.Generator, shape: tuple[int, ...], scale: int = 8) -> Array:
    return rng.integers(-scale, scale + 1, size=shape) / scale


def conv_lif_net(rng: np.random.Generator, reset: ResetMode, timesteps: int = 8) -> Graph:
    """Input -> Conv2d -> LIF -> AvgPool2d -> Flatten -> Affine -> LI -> Output."""
    return Graph.sequential(
        [
            ("in", Input(shape=(2, 6, 6))),
            (
                "conv",
                Conv2d(weight=_dyadic(rng, (4, 2, 3, 3)), bias=_dyadic(rng, (4,)), padding=(1, 1)),
            ),
            (
                "lif",
                LIF(
                    tau_mem=np.array(3e-3),
                    r=np.array(3.0),
                    v_threshold=np.array(0.5),
                    v_reset=np.array(-0.125),
                    reset=reset,
                ),
            ),
            ("pool", AvgPool2d(kernel_size=(2, 2))),
            ("flat", Flatten()),
            ("fc", Affine(weight=_dyadic(rng, (5, 36)), bias=_dyadic(rng, (5,)))),
            ("li", LI(tau_mem=np.array(5e-3), r=np.array(5.0), v_leak=np.array(0.1))),
            ("out", Output()),
        ],
        dt=1e-3,
        timesteps=timesteps,
    )


@pytest.mark.parametrize("reset", list(ResetMode))
def test_conv_lif_network_matches_numpy(reset: ResetMode, tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    graph = conv_lif_net(rng, reset)
    x = rng.integers(0, 17, size=(4, 2, 6, 6)) / 16
    write_onnx(graph, tmp_path / "net.onnx")
    out, spikes = run_onnx(tmp_path / "net.onnx", x)
    ref_out, ref_spikes = reference(graph, np.broadcast_to(x, (graph.timesteps, *x.shape)))
    assert out.shape == (8, 4, 5) and out.dtype == F32
    assert spikes.keys() == ref_spikes.keys() == {"lif"}
    assert 0.05 < spikes["lif"].mean() < 0.95
    np.testing.assert_array_equal(spikes["lif"], ref_spikes["lif"])
    np.testing.assert_array_equal(out, ref_out)


def test_poisson_if_sumpool_threshold_scale(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    graph = Graph.sequential(
        [
            ("in", Input(shape=(2, 6, 6))),
            ("enc", PoissonEncoder(gain=0.9)),
            ("conv", Conv2d(weight=_dyadic(rng, (4, 1, 3, 3)), padding=(1, 1), groups=2)),
            ("if", IF(r=np.array(1e3), v_threshold=np.array(0.375), reset=ResetMode.ZERO)),
            ("pool", SumPool2d(kernel_size=(3, 3))),
            ("scale", Scale(scale=_dyadic(rng, (4, 1, 1), 4))),
            ("flat", Flatten()),
            ("fc", Linear(weight=_dyadic(rng, (6, 16)))),
            (
                "lif",
                LIF(
                    tau_mem=np.array(7e-3),
                    r=np.array(7.0),
                    threshold_scale=np.array([1.0, 0.5, 1.5, 0.75, 2.0, 1.25]),
                ),
            ),
            ("out", Output()),
        ],
        dt=1e-3,
        timesteps=6,
    )
    x = rng.uniform(size=(3, 2, 6, 6))
    write_onnx(graph, tmp_path / "net.onnx")
    out, spikes = run_onnx(tmp_path / "net.onnx", x, rng=np.random.default_rng(99))
    ref_out, ref_spikes = reference(
        graph, np.broadcast_to(x, (6, *x.shape)), np.random.default_rng(99)
    )
    for name in ("enc", "if", "lif"):
        assert 0 < spikes[name].mean() < 1, name
        np.testing.assert_array_equal(spikes[name], ref_spikes[name], err_msg=name)
    np.testing.assert_array_equal(out, ref_out)


def test_residual_add_with_input_sequence(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    nodes = {
        "in": Input(shape=(6,)),
        "enc": CurrentEncoder(gain=0.5),
        "fc": Affine(weight=_dyadic(rng, (4, 6)), bias=_dyadic(rng, (4,))),
        "l1": LIF(tau_mem=np.array(2e-3), r=np.array(2.0), v_threshold=np.array(0.25)),
        "skip": Linear(weight=_dyadic(rng, (4, 4))),
        "half": Scale(scale=np.array(0.5)),
        "sum": Add(),
        "li": LI(tau_mem=np.array(3e-3)),
        "out": Output(),
    }
    edges = [
        ("in", "enc"),
        ("enc", "fc"),
        ("fc", "l1"),
        ("l1", "skip"),
        ("l1", "half"),
        ("skip", "sum"),
        ("half", "sum"),
        ("l1", "sum"),
        ("sum", "li"),
        ("li", "out"),
    ]
    graph = Graph(nodes=nodes, edges=edges, dt=1e-3, timesteps=5)
    seq = rng.integers(0, 9, size=(5, 2, 6)) / 8
    write_onnx(graph, tmp_path / "net.onnx")
    out, spikes = run_onnx(tmp_path / "net.onnx", seq)
    ref_out, ref_spikes = reference(graph, seq)
    assert 0 < spikes["l1"].mean() < 1
    np.testing.assert_array_equal(spikes["l1"], ref_spikes["l1"])
    np.testing.assert_array_equal(out, ref_out)


def test_bad_arguments(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    graph = conv_lif_net(rng, ResetMode.SUBTRACT, timesteps=3)
    write_onnx(graph, tmp_path / "net.onnx")
    with pytest.raises(IRValidationError, match="shape"):
        run_onnx(tmp_path / "net.onnx", np.zeros((2, 3, 6, 6)))
    out, _ = run_onnx(tmp_path / "net.onnx", np.zeros((2, 2, 6, 6)), timesteps=7)
    assert out.shape == (7, 2, 5)
    poisson = Graph.sequential(
        [("in", Input(shape=(3,))), ("enc", PoissonEncoder()), ("out", Output())],
        dt=1.0,
        timesteps=9,
    )
    write_onnx(poisson, tmp_path / "p.onnx")
    x = np.full((2, 3), 0.5)
    first, _ = run_onnx(tmp_path / "p.onnx", x)
    seeded, _ = run_onnx(tmp_path / "p.onnx", x, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(first, seeded)
    short = Graph.sequential(
        [
            ("in", Input(shape=(2,))),
            ("lif", LIF(tau_mem=np.array(1.0), threshold_scale=np.array([1.0, 2.0]))),
            ("out", Output()),
        ],
        dt=0.1,
        timesteps=2,
    )
    write_onnx(short, tmp_path / "s.onnx")
    with pytest.raises(IRValidationError, match="cover 2 steps"):
        run_onnx(tmp_path / "s.onnx", np.zeros((1, 2)), timesteps=3)


def test_matches_sim_float_with_real_valued_weights(tmp_path: Path) -> None:
    """Gaussian weights: synapse sums may differ in the last bit, spikes must not."""
    from hwsnn.sim.float import simulate_float

    rng = np.random.default_rng(0)
    graph = Graph.sequential(
        [
            ("in", Input(shape=(1, 8, 8))),
            ("enc", PoissonEncoder(gain=0.9)),
            (
                "conv",
                Conv2d(
                    weight=rng.normal(size=(6, 1, 3, 3)),
                    bias=rng.normal(size=6) * 0.1,
                    padding=(1, 1),
                ),
            ),
            ("lif", LIF(tau_mem=np.array(3e-3), r=np.array(3.0), v_threshold=np.array(0.5))),
            ("pool", AvgPool2d(kernel_size=(2, 2))),
            ("flat", Flatten()),
            ("fc", Affine(weight=rng.normal(size=(10, 96)) * 0.2, bias=np.zeros(10))),
            ("lif2", LIF(tau_mem=np.array(3e-3), r=np.array(3.0), reset=ResetMode.ZERO)),
            ("ro", Linear(weight=rng.normal(size=(4, 10)))),
            ("li", LI(tau_mem=np.array(5e-3))),
            ("out", Output()),
        ],
        dt=1e-3,
        timesteps=10,
    )
    x = rng.uniform(size=(32, 1, 8, 8))
    write_onnx(graph, tmp_path / "net.onnx")
    out, spikes = run_onnx(tmp_path / "net.onnx", x, rng=np.random.default_rng(4))
    ref = simulate_float(graph, x, rng=np.random.default_rng(4))
    assert spikes.keys() == ref.spikes.keys()
    for name, s in spikes.items():
        assert 0 < s.mean() < 1, name
        np.testing.assert_array_equal(s, ref.spikes[name], err_msg=name)
    np.testing.assert_allclose(out, ref.outputs, rtol=0, atol=1e-5)


def test_time_affine_alpha_sau_match_sim_float(tmp_path: Path) -> None:
    """BNTT's TimeAffine, the alpha synapse and the SAU step activation, against sim.float."""
    import hwsnn.sim.temporal_kernels  # noqa: F401  (registers the kernels in sim.float)
    from hwsnn.ir import SAU, AlphaSynapse, TimeAffine
    from hwsnn.sim.float import simulate_float

    rng = np.random.default_rng(1)
    steps = 12
    graph = Graph.sequential(
        [
            ("in", Input(shape=(6,))),
            ("enc", PoissonEncoder(gain=0.7)),
            ("alpha", AlphaSynapse(tau_syn=rng.uniform(2e-3, 6e-3, size=6))),
            ("fc", Affine(weight=rng.normal(size=(5, 6)) * 0.01, bias=np.zeros(5))),
            (
                "bntt",
                TimeAffine(
                    scale=rng.uniform(0.5, 2, (steps, 5)), shift=rng.normal(size=(steps, 5))
                ),
            ),
            ("sau", SAU(edges=np.array([-1.0, 0.0, 0.5, 2.0]), levels=np.array([-0.5, 0.25, 1.0]))),
            ("lif", LIF(tau_mem=np.array(2e-3), r=np.array(2.0), v_threshold=np.array(0.3))),
            ("out", Output()),
        ],
        dt=1e-3,
        timesteps=steps,
    )
    x = rng.uniform(size=(16, 6))
    write_onnx(graph, tmp_path / "net.onnx")
    out, spikes = run_onnx(tmp_path / "net.onnx", x, rng=np.random.default_rng(3))
    ref = simulate_float(graph, x, rng=np.random.default_rng(3))
    assert 0 < spikes["lif"].mean() < 1
    np.testing.assert_array_equal(spikes["enc"], ref.spikes["enc"])
    np.testing.assert_array_equal(spikes["lif"], ref.spikes["lif"])
    np.testing.assert_array_equal(out, ref.outputs)


def test_relu_maxpool_cnn_matches_sim_float(tmp_path: Path) -> None:
    """Conv -> ReLU -> MaxPool2d (-inf padding) -> ... one step: onnxruntime == sim.float."""
    from hwsnn.ir import MaxPool2d, ReLU
    from hwsnn.sim.float import simulate_float

    rng = np.random.default_rng(2)
    conv = Conv2d(weight=rng.normal(size=(4, 1, 3, 3)), bias=rng.normal(size=4), padding=(1, 1))
    pool = MaxPool2d(kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))
    graph = Graph.sequential(
        [
            ("in", Input(shape=(1, 9, 9))),
            ("conv", conv),
            ("relu", ReLU()),
            ("pool", pool),
            ("flat", Flatten()),
            ("fc", Affine(weight=rng.normal(size=(5, 100)), bias=rng.normal(size=5))),
            ("out", Output()),
        ],
        dt=1e-3,
        timesteps=1,
    )
    x = rng.normal(size=(8, 1, 9, 9)) - 3.0  # negative borders: padding must not win the max
    write_onnx(graph, tmp_path / "cnn.onnx")
    out, spikes = run_onnx(tmp_path / "cnn.onnx", x)
    ref = simulate_float(graph, x).outputs
    assert not spikes
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4)  # MatMul sum order differs


def test_signed_poisson_matches_numpy_and_sim_float(tmp_path: Path) -> None:
    """Signed spikes (-1/0/+1, paper 002) through Conv2d -> LIF: ORT = numpy = sim.float."""
    from hwsnn.sim.float import simulate_float

    rng = np.random.default_rng(11)
    graph = Graph.sequential(
        [
            ("in", Input(shape=(1, 6, 6))),
            ("enc", PoissonEncoder(gain=0.7, signed=True)),
            ("conv", Conv2d(weight=_dyadic(rng, (3, 1, 3, 3)), padding=(1, 1))),
            ("lif", LIF(tau_mem=np.array(4e-3), r=np.array(4.0), v_threshold=np.array(0.25))),
            ("flat", Flatten()),
            ("fc", Linear(weight=_dyadic(rng, (4, 108)))),
            ("li", LI(tau_mem=np.array(5e-3))),
            ("out", Output()),
        ],
        dt=1e-3,
        timesteps=8,
    )
    x = rng.uniform(-1.5, 1.5, size=(4, 1, 6, 6))
    write_onnx(graph, tmp_path / "signed.onnx")
    out, spikes = run_onnx(tmp_path / "signed.onnx", x, rng=np.random.default_rng(2))
    ref_out, ref_spikes = reference(
        graph, np.broadcast_to(x, (8, *x.shape)), np.random.default_rng(2)
    )
    enc: list[Array] = []
    sim = simulate_float(
        graph,
        x,
        rng=np.random.default_rng(2),
        record=False,
        observer=lambda t, values: enc.append(np.array(values["enc"])),
    )
    neg = np.broadcast_to(x < 0, spikes["enc"].shape)
    assert spikes["enc"][neg].min() == -1.0 and spikes["enc"][~neg].min() == 0.0
    np.testing.assert_array_equal(spikes["enc"], ref_spikes["enc"])
    np.testing.assert_array_equal(spikes["enc"], np.stack(enc))
    assert 0 < spikes["lif"].mean() < 1
    np.testing.assert_array_equal(spikes["lif"], ref_spikes["lif"])
    np.testing.assert_array_equal(out, ref_out)
    np.testing.assert_allclose(out, sim.outputs, rtol=0, atol=1e-5)
