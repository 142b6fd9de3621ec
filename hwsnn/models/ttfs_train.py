"""Training of the paper-003 TTFS network, its quantised variants and its ANN twin.

Recipe (paper 003 Sec. 4.1): Adam, learning rate decayed linearly from ``lr_start`` to
``lr_end``, loss eq. 5 (K = 100, beta = 1, lambda = 1e-3), the gradient of each weight
matrix clipped to norm 10. Quantisation-aware training lowers the bits step by step
(32 -> 8 -> 4 -> 2), fine-tuning each level from the previous one (Sec. 4.3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import numpy as np
import torch
from torch import Tensor, nn

from hwsnn.data import Dataset
from hwsnn.ir import Graph
from hwsnn.models._common import Timer, batches, evaluate
from hwsnn.models.ttfs import (
    PAPER_MNIST_SPEC,
    TTFSLossConfig,
    TTFSNet,
    build_ttfs_net,
    export_ttfs,
    ttfs_loss,
)

__all__ = ["TTFSRun", "TTFSTrainConfig", "train_ann_twin", "train_ttfs"]


@dataclass(frozen=True)
class TTFSTrainConfig:
    """Hyper-parameters of :func:`train_ttfs`.

    Attributes:
        spec: Layer spec (see :func:`~hwsnn.models.ttfs.build_ttfs_net`).
        alpha: Input code span (s); pixel p spikes at ``alpha (1 - p)``.
        t_max: "No spike" time (s).
        epochs: Full-precision epochs.
        qat_epochs: Fine-tuning epochs per quantisation level.
        bits: Quantisation levels trained after full precision, in order.
        batch_size: Samples per step.
        lr_start, lr_end: Learning rate at the first and last epoch.
        clip: Maximum gradient norm of each weight matrix.
        loss: Loss coefficients of eq. 5.
        limit_steps: Stop each epoch after this many steps (None: full epochs).
    """

    spec: tuple[tuple[object, ...], ...] = PAPER_MNIST_SPEC
    alpha: float = 1.0
    t_max: float = 10.0
    epochs: int = 3
    qat_epochs: int = 1
    bits: tuple[int, ...] = (8, 4, 2)
    batch_size: int = 32
    lr_start: float = 1e-3
    lr_end: float = 1e-4
    clip: float = 10.0
    loss: TTFSLossConfig = field(default_factory=TTFSLossConfig)
    limit_steps: int | None = None


@dataclass
class TTFSRun:
    """Result of :func:`train_ttfs`: the model (at its last bit level), graphs and measurements.

    Attributes:
        model: The trained network (set to full precision with ``set_bits(32)`` state restored).
        graph: IR graph of the full-precision network.
        graphs_by_bits: IR graph per weight precision (32 = full precision).
        accuracy_by_bits: Torch test accuracy per precision (fraction).
        history: Per-epoch ``(bits, epoch, mean loss, test accuracy, seconds)``.
        train_s: Total training wall time (s).
    """

    model: TTFSNet
    graph: Graph
    graphs_by_bits: dict[int, Graph]
    accuracy_by_bits: dict[int, float]
    history: list[tuple[int, int, float, float, float]]
    train_s: float


def _lr(cfg: TTFSTrainConfig, epoch: int, epochs: int) -> float:
    frac = epoch / max(epochs - 1, 1)
    return cfg.lr_start + (cfg.lr_end - cfg.lr_start) * frac


def _epoch(
    model: TTFSNet,
    opt: torch.optim.Optimizer,
    ds: Dataset,
    cfg: TTFSTrainConfig,
    rng: np.random.Generator,
) -> float:
    losses = []
    for step, (xb, yb) in enumerate(batches(ds.x_train, ds.y_train, cfg.batch_size, rng)):
        if cfg.limit_steps is not None and step >= cfg.limit_steps:
            break
        opt.zero_grad()
        loss = ttfs_loss(model, model(xb), yb, cfg.loss)
        loss.backward()  # type: ignore[no-untyped-call]
        for layer in model.weight_layers():  # paper 003: per-matrix gradient-norm limit
            nn.utils.clip_grad_norm_([layer.weight], cfg.clip)
        opt.step()
        losses.append(float(loss.detach()))
    return float(np.mean(losses)) if losses else float("nan")


def _stage(
    model: TTFSNet,
    ds: Dataset,
    cfg: TTFSTrainConfig,
    bits: int,
    epochs: int,
    rng: np.random.Generator,
    history: list[tuple[int, int, float, float, float]],
) -> float:
    model.set_bits(bits)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr_start)
    acc = evaluate(model.predict, ds.x_test, ds.y_test)
    for epoch in range(epochs):
        for group in opt.param_groups:
            group["lr"] = _lr(cfg, epoch, epochs) if bits >= 32 else cfg.lr_end
        timer = Timer()
        loss = _epoch(model, opt, ds, cfg, rng)
        acc = evaluate(model.predict, ds.x_test, ds.y_test)
        history.append((bits, epoch, loss, acc, timer.elapsed_s))
    return acc


def train_ttfs(ds: Dataset, cfg: TTFSTrainConfig = TTFSTrainConfig(), *, seed: int = 0) -> TTFSRun:
    """Train the TTFS network on ``ds`` at full precision, then at each of ``cfg.bits``.

    Args:
        ds: Image data set (pixels in [0, 1]).
        cfg: Hyper-parameters.
        seed: Seed of the weight initialisation and of the batch order.

    Returns:
        The trained model (full-precision weights restored), its IR graphs and accuracies.
    """
    rng = np.random.default_rng(seed)
    model = build_ttfs_net(ds.input_shape, cfg.spec, alpha=cfg.alpha, t_max=cfg.t_max, seed=seed)
    history: list[tuple[int, int, float, float, float]] = []
    timer = Timer()
    accuracy = {32: _stage(model, ds, cfg, 32, cfg.epochs, rng, history)}
    graphs = {32: export_ttfs(model, ds.input_shape)}
    full = {k: v.clone() for k, v in model.state_dict().items()}
    for bits in cfg.bits:
        accuracy[bits] = _stage(model, ds, cfg, bits, cfg.qat_epochs, rng, history)
        graphs[bits] = export_ttfs(model, ds.input_shape, name=f"ttfs_{bits}bit")
    model.load_state_dict(full)
    model.set_bits(32)
    return TTFSRun(model, graphs[32], graphs, accuracy, history, timer.elapsed_s)


def _ann_twin(model: TTFSNet) -> nn.Sequential:
    """A ReLU ANN with the same layers (conv without padding, max-pool, dense, no bias)."""
    from hwsnn.models.ttfs import TTFSConv2d, TTFSMaxPool2d

    mods: list[nn.Module] = []
    dense_seen = False
    for layer in model.layers:
        if isinstance(layer, TTFSConv2d):
            co, ci, k, _ = layer.weight.shape
            mods += [nn.Conv2d(ci, co, k, stride=layer.stride, bias=False), nn.ReLU()]
        elif isinstance(layer, TTFSMaxPool2d):
            mods.append(nn.MaxPool2d(layer.kernel))
        else:
            if not dense_seen:
                mods.append(nn.Flatten())
                dense_seen = True
            w = cast(Tensor, layer.weight)
            n_out, n_in = int(w.shape[0]), int(w.shape[1])
            mods += [nn.Linear(n_in, n_out, bias=False), nn.ReLU()]
    return nn.Sequential(*mods[:-1])  # no ReLU on the logits


def train_ann_twin(
    ds: Dataset, cfg: TTFSTrainConfig = TTFSTrainConfig(), *, seed: int = 0
) -> tuple[float, float]:
    """Train the ReLU ANN of the same architecture with the same epochs, batch and Adam schedule.

    Returns:
        ``(test accuracy, training seconds)``.
    """
    torch.manual_seed(seed)  # nn default init draws from the global generator
    rng = np.random.default_rng(seed)
    net = _ann_twin(
        build_ttfs_net(ds.input_shape, cfg.spec, alpha=cfg.alpha, t_max=cfg.t_max, seed=seed)
    )
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr_start)
    timer = Timer()
    for epoch in range(cfg.epochs):
        for group in opt.param_groups:
            group["lr"] = _lr(cfg, epoch, cfg.epochs)
        for step, (xb, yb) in enumerate(batches(ds.x_train, ds.y_train, cfg.batch_size, rng)):
            if cfg.limit_steps is not None and step >= cfg.limit_steps:
                break
            opt.zero_grad()
            nn.functional.cross_entropy(net(xb), yb).backward()  # type: ignore[no-untyped-call]
            opt.step()

    def predict(x: Tensor) -> Tensor:
        out: Tensor = net(x).argmax(dim=1)
        return out

    return evaluate(predict, ds.x_test, ds.y_test), timer.elapsed_s
