"""An exported conv LIF network: torch, sim.float and onnxruntime give the same spikes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import hwsnn
from hwsnn.sim.float import simulate_float

torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")


@pytest.mark.parametrize("reset", ["subtract", "zero"])
def test_conv_lif_spikes_agree_in_torch_sim_and_onnxruntime(tmp_path: Path, reset: str) -> None:
    from hwsnn.formats.onnx import run_onnx
    from hwsnn.nn import record_spikes
    from hwsnn.nn.zoo import build_model

    torch.set_num_threads(1)
    model = build_model("conv", (1, 8, 8), 10, timesteps=8, dt=1e-3, reset=reset, seed=3)
    graph = hwsnn.export_torch(model, (1, 8, 8), timesteps=8, dt=1e-3)
    path = hwsnn.save(graph, tmp_path / "conv.onnx")
    x = np.random.default_rng(0).random((16, 1, 8, 8)).astype(np.float32)

    reference = simulate_float(graph, x)
    torch_spikes = record_spikes(model, x)
    onnx_out, onnx_spikes = run_onnx(path, x, timesteps=graph.timesteps)

    assert set(reference.spikes) == set(torch_spikes) == set(onnx_spikes)
    total = 0
    for name, spikes in reference.spikes.items():
        np.testing.assert_array_equal(np.asarray(torch_spikes[name]), spikes, err_msg=name)
        np.testing.assert_array_equal(np.asarray(onnx_spikes[name]), spikes, err_msg=name)
        total += int(spikes.sum())
    assert total > 100  # the layers really spike: the comparison is not vacuous
    np.testing.assert_allclose(onnx_out, reference.outputs, atol=1e-5)
