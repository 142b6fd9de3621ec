"""sim.float kernels of the conventional-CNN nodes (ReLU, MaxPool2d) against torch."""

from __future__ import annotations

import numpy as np
import pytest

from hwsnn import ir
from hwsnn.sim.float import simulate_float

torch = pytest.importorskip("torch")


@pytest.mark.parametrize(
    ("kernel", "stride", "padding"),
    [((2, 2), None, (0, 0)), ((3, 3), (2, 2), (1, 1)), ((3, 2), (1, 2), (1, 1))],
)
def test_maxpool_matches_torch_bit_for_bit(
    rng: np.random.Generator,
    kernel: tuple[int, int],
    stride: tuple[int, int] | None,
    padding: tuple[int, int],
) -> None:
    pool = ir.MaxPool2d(kernel_size=kernel, stride=stride, padding=padding)
    graph = ir.Graph.sequential(
        [("in", ir.Input(shape=(3, 7, 8))), ("pool", pool), ("out", ir.Output())],
        dt=1e-3,
        timesteps=1,
    )
    x = (rng.normal(size=(5, 3, 7, 8)) - 4.0).astype(np.float32)  # all negative: -inf padding
    out = simulate_float(graph, x).outputs[0]
    ref = torch.nn.functional.max_pool2d(torch.from_numpy(x), kernel, pool.stride, padding).numpy()
    assert out.shape == ref.shape == (5, *graph.output_shape)
    np.testing.assert_array_equal(out, ref)
    assert float(out.max()) < 0.0


def test_conv_relu_maxpool_net_matches_torch(rng: np.random.Generator) -> None:
    conv = torch.nn.Conv2d(2, 4, 3, padding=1)
    with torch.no_grad():  # dyadic weights: every sum is exact whatever its order
        for p in conv.parameters():
            p.copy_(torch.round(p * 64) / 64)
    graph = ir.Graph.sequential(
        [
            ("in", ir.Input(shape=(2, 6, 6))),
            (
                "conv",
                ir.Conv2d(
                    weight=conv.weight.detach().double().numpy(),
                    bias=conv.bias.detach().double().numpy(),  # type: ignore[union-attr]
                    padding=(1, 1),
                ),
            ),
            ("relu", ir.ReLU()),
            ("pool", ir.MaxPool2d(kernel_size=2)),
            ("out", ir.Output()),
        ],
        dt=1e-3,
        timesteps=2,
    )
    x = (np.round(rng.normal(size=(4, 2, 6, 6)) * 16) / 16).astype(np.float32)
    out = simulate_float(graph, x).outputs
    with torch.no_grad():
        ref = torch.nn.functional.max_pool2d(torch.relu(conv(torch.from_numpy(x))), 2).numpy()
    assert out.shape == (2, *ref.shape)  # stateless: the same at every step
    np.testing.assert_array_equal(out[0], ref)
    np.testing.assert_array_equal(out[1], ref)
    assert 0.0 < float(np.mean(ref == 0)) < 1.0  # ReLU clips some, not all
