"""Binary-aware fine-tuning: exact binary layers that map onto cells without rounding."""

import numpy as np
import torch

from hwsnn.backends.crossbar import Fidelity, load_spec, map_graph, simulate_crossbar
from hwsnn.backends.crossbar.binary_training import binarize_ste, binary_finetune
from hwsnn.data import load_digits
from hwsnn.export import export_torch
from hwsnn.nn import build_model, evaluate, train_classifier
from hwsnn.sim.float import simulate_float


def test_ste_is_binary_forward_and_identity_backward() -> None:
    w = torch.tensor([[0.3, -0.1], [0.0, -0.6]], requires_grad=True)
    b = binarize_ste(w)
    alpha = 0.25  # mean |w|
    assert torch.equal(b, torch.tensor([[alpha, -alpha], [alpha, -alpha]]))
    (b * torch.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert torch.equal(w.grad, torch.tensor([[1.0, 2.0], [3.0, 4.0]]))


def test_finetuned_copy_is_binary_accurate_and_maps_exactly() -> None:
    torch.set_num_threads(1)
    d = load_digits()
    x_tr, y_tr = d.x_train[:500], d.y_train[:500]
    model = build_model("mlp", d.input_shape, 10, timesteps=6, dt=1e-3, hidden=32, seed=0)
    train_classifier(model, x_tr, y_tr, epochs=4, lr=3e-3, batch_size=32, seed=0, timesteps=6)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    binary, summary = binary_finetune(model, x_tr, y_tr, epochs=3, batch_size=32, seed=0)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())  # untouched
    assert summary.layers == 2 and len(summary.losses) == 3
    for layer, alpha in zip(
        [m for m in binary.modules() if isinstance(m, torch.nn.Linear)], summary.alphas, strict=True
    ):
        assert set(np.unique(np.abs(layer.weight.detach().numpy()))) == {np.float32(alpha)}
    x_te, y_te = d.x_test[:150], d.y_test[:150]
    float_acc = evaluate(model, x_te, y_te, batch_size=150)
    binary_acc = evaluate(binary, x_te, y_te, batch_size=150)
    assert binary_acc > float_acc - 0.1 and binary_acc > 0.6
    graph = export_torch(binary, tuple(d.input_shape), timesteps=6, dt=1e-3)
    art = map_graph(graph, load_spec("rram"), rng=np.random.default_rng(0), ideal=True)
    assert max(layer.weight_error_rel for layer in art.layers.values()) < 1e-9
    x = x_te.reshape(len(x_te), *graph.input_shape)
    ref = simulate_float(graph, x, record=False).predictions()
    got, _ = simulate_crossbar(art, x, fidelity=Fidelity.IDEAL, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(got.predictions(), ref)
