from __future__ import annotations

import pytest
import torch

from hwsnn.errors import DataError
from hwsnn.nn import build_model, evaluate, train_classifier


def _toy(gen: torch.Generator, n: int = 96) -> tuple[torch.Tensor, torch.Tensor]:
    """Two classes: the first or the second half of 8 inputs is bright."""
    y = torch.arange(n) % 2
    x = torch.rand(n, 8, generator=gen) * 0.3
    x[y == 0, :4] += 0.7
    x[y == 1, 4:] += 0.7
    return x, y


def test_training_reduces_loss_and_learns(gen, capsys):
    x, y = _toy(gen)
    model = build_model("mlp", (8,), 2, timesteps=4, dt=1e-3, hidden=16, seed=0)
    history = train_classifier(
        model, x, y, epochs=6, lr=2e-2, batch_size=16, seed=0, timesteps=4, progress=False
    )
    assert len(history.losses) == 6 and history.seed == 0 and history.seconds > 0
    assert history.losses[-1] < 0.7 * history.losses[0]
    assert evaluate(model, x, y, batch_size=32) > 0.9
    assert capsys.readouterr().err == ""


def test_training_is_seeded(gen):
    x, y = _toy(gen, 32)
    runs = []
    for _ in range(2):
        model = build_model("mlp", (8,), 2, timesteps=3, dt=1e-3, hidden=8, seed=5)
        runs.append(
            train_classifier(
                model, x, y, epochs=2, lr=1e-2, batch_size=8, seed=9, timesteps=3
            ).losses
        )
    assert runs[0] == runs[1]


def test_progress_bar_goes_to_stderr(gen, capsys):
    x, y = _toy(gen, 16)
    model = build_model("mlp", (8,), 2, timesteps=2, dt=1e-3, hidden=4)
    train_classifier(
        model, x, y, epochs=1, lr=1e-3, batch_size=8, seed=0, timesteps=2, progress=True
    )
    captured = capsys.readouterr()
    assert captured.out == "" and "train" in captured.err


def test_bad_data_is_a_data_error():
    model = build_model("mlp", (8,), 2, timesteps=2, dt=1e-3, hidden=4)
    with pytest.raises(DataError, match="need"):
        train_classifier(
            model,
            torch.zeros(4, 8),
            torch.zeros(3),
            epochs=1,
            lr=1e-3,
            batch_size=2,
            seed=0,
            timesteps=2,
        )


def test_accepts_read_only_numpy_arrays(gen):
    x, y = _toy(gen, 16)
    xn, yn = x.numpy().copy(), y.numpy().copy()
    xn.setflags(write=False)
    yn.setflags(write=False)
    model = build_model("mlp", (8,), 2, timesteps=2, dt=1e-3, hidden=4)
    train_classifier(model, xn, yn, epochs=1, lr=1e-3, batch_size=8, seed=0, timesteps=2)
    assert 0.0 <= evaluate(model, xn, yn) <= 1.0
