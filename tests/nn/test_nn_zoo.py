from __future__ import annotations

import pytest
import torch

from hwsnn.errors import FormatError, HwsnnError
from hwsnn.nn import LI, LIF, build_model, load_checkpoint, save_checkpoint

CONFIG = {
    "input_shape": [1, 8, 8],
    "n_classes": 10,
    "timesteps": 4,
    "dt": 1e-3,
    "channels": [4, 6],
    "seed": 3,
}


def test_mlp_layout_and_output_shape(gen):
    model = build_model("mlp", (1, 8, 8), 10, timesteps=5, dt=1e-3, hidden=32)
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Flatten", "Linear", "LIF", "Linear", "LI"]
    assert model(torch.rand(3, 1, 8, 8, generator=gen)).shape == (5, 3, 10)


def test_conv_layout_and_output_shape(gen):
    model = build_model("conv", (1, 8, 8), 10, timesteps=3, dt=1e-3, channels=(4, 6))
    kinds = [type(m).__name__ for m in model]
    assert kinds == [
        "Conv2d",
        "LIF",
        "AvgPool2d",
        "Conv2d",
        "LIF",
        "AvgPool2d",
        "Flatten",
        "Linear",
        "LI",
    ]
    assert model(torch.rand(2, 1, 8, 8, generator=gen)).shape == (3, 2, 10)
    assert isinstance(model[1], LIF) and model[1].dt == 1e-3
    assert isinstance(model[8], LI)


def test_build_is_seeded_and_leaves_global_rng_alone():
    state = torch.random.get_rng_state()
    a = build_model("mlp", (4,), 2, timesteps=2, dt=1e-3, seed=7)
    b = build_model("mlp", (4,), 2, timesteps=2, dt=1e-3, seed=7)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))


def test_unknown_architecture_and_option():
    with pytest.raises(HwsnnError, match="unknown architecture 'resnet'"):
        build_model("resnet", (4,), 2, timesteps=2, dt=1e-3)
    with pytest.raises(HwsnnError, match="no option"):
        build_model("mlp", (4,), 2, timesteps=2, dt=1e-3, channels=(3, 4))
    with pytest.raises(HwsnnError, match="C, H, W"):
        build_model("conv", (64,), 2, timesteps=2, dt=1e-3)


def test_checkpoint_round_trip(tmp_path, gen):
    model = build_model("conv", **CONFIG)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.1)
    path = tmp_path / "model.pt"
    save_checkpoint(path, "conv", CONFIG, model)
    loaded, arch, config = load_checkpoint(path)
    assert arch == "conv" and config == CONFIG
    x = torch.rand(2, 1, 8, 8, generator=gen) * 2
    assert torch.equal(loaded(x), model(x))
    assert not loaded.training


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: b"not a checkpoint at all",
        lambda data: bytes(b ^ 0x5A for b in data),
    ],
    ids=["truncated", "garbage", "flipped"],
)
def test_corrupt_checkpoint_is_a_one_line_format_error(tmp_path, damage):
    path = tmp_path / "model.pt"
    config = {"input_shape": [1, 8, 8], "n_classes": 10, "timesteps": 4, "dt": 1e-3, "hidden": 8}
    save_checkpoint(path, "mlp", config, build_model("mlp", **config))
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(FormatError) as info:
        load_checkpoint(path)
    assert "\n" not in str(info.value) and "model.pt" in str(info.value)


def test_missing_or_foreign_checkpoint(tmp_path):
    with pytest.raises(FormatError, match="does not exist"):
        load_checkpoint(tmp_path / "nope.pt")
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(3)}, foreign)
    with pytest.raises(FormatError, match="not a hwsnn checkpoint"):
        load_checkpoint(foreign)


def test_checkpoint_weights_must_fit(tmp_path):
    model = build_model("mlp", (4,), 2, timesteps=2, dt=1e-3, hidden=8)
    path = tmp_path / "m.pt"
    save_checkpoint(
        path,
        "mlp",
        {"input_shape": [4], "n_classes": 2, "timesteps": 2, "dt": 1e-3, "hidden": 9},
        model,
    )
    with pytest.raises(FormatError, match="does not rebuild") as info:
        load_checkpoint(path)
    assert "\n" not in str(info.value)


def test_export_checkpoint_gives_the_models_graph(tmp_path):
    from hwsnn.nn import export_checkpoint

    path = tmp_path / "m.pt"
    save_checkpoint(path, "conv", CONFIG, build_model("conv", **CONFIG))
    graph = export_checkpoint(path)
    assert graph.input_shape == (1, 8, 8) and graph.timesteps == 4 and graph.dt == 1e-3
    assert graph.output_shape == (10,)
    with pytest.raises(FormatError):
        export_checkpoint(tmp_path / "missing.pt")
