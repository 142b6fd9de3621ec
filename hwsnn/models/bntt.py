"""Batch Normalization Through Time (paper 004) for hwsnn.nn spiking networks.

Kim & Panda, "Revisiting batch normalization for training low-latency deep spiking
neural networks from scratch", Front. Neurosci. 15:773954, 2021, doi:10.3389/fnins.2021.773954
(``papers/004_fe897da2d3fe010a.txt``). A BNTT layer keeps one ``gamma_t`` and one set of
running statistics per time step and no ``beta`` (eq. 9):
``y_t = gamma_t (x_t - mu_t) / sqrt(sigma_t^2 + eps)``. At inference this is the per-step
affine map exported as :class:`hwsnn.ir.TimeAffine` (exact); the paper's reading of it as
a per-step threshold (Sec. 3.3, eq. 16) is :func:`threshold_fold`. Early exit (Sec. 3.4):
stop at the first step after which every layer's mean ``gamma_t`` stays below a threshold
(threshold choice: :mod:`hwsnn.models.bntt_exit`).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch
from numpy.typing import NDArray
from torch import Tensor, nn

from hwsnn import ir
from hwsnn.errors import HwsnnError
from hwsnn.nn import LIF, PoissonEncoder, Sequential, Triangle, node_name
from hwsnn.nn._base import SequenceModule

__all__ = [
    "BNTT",
    "bntt_layers",
    "build_bntt_net",
    "early_exit_step",
    "gamma_profile",
    "threshold_fold",
    "threshold_fold_graph",
]


class BNTT(SequenceModule):
    """BNTT over a ``(T, B, C, ...)`` sequence: per-step ``gamma`` and running stats, no beta.

    Args:
        channels: Number of channels ``C`` (dim 2 of the sequence).
        timesteps: Number of steps ``T`` it has parameters for.
        eps: Variance floor (paper code: 1e-4).
        momentum: Running-statistics update rate (paper code: 0.1).
    """

    running_mean: Tensor
    running_var: Tensor

    def __init__(
        self, channels: int, timesteps: int, *, eps: float = 1e-4, momentum: float = 0.1
    ) -> None:
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(timesteps, channels))
        self.register_buffer("running_mean", torch.zeros(timesteps, channels))
        self.register_buffer("running_var", torch.ones(timesteps, channels))
        self.eps = eps
        self.momentum = momentum

    def folded(self) -> tuple[Tensor, Tensor]:
        """Inference ``(scale, shift)`` of shape ``(T, C)`` in float32, as exported."""
        scale = self.gamma.detach().double() / torch.sqrt(self.running_var.double() + self.eps)
        shift = -scale * self.running_mean.double()
        return scale.float(), shift.float()

    def _view(self, p: Tensor, ndim: int) -> Tensor:
        return p.reshape(*p.shape, *([1] * (ndim - 3)))  # (T, C) -> (T, C, 1, ...) for (T,B,C,...)

    def forward(self, x: Tensor) -> Tensor:
        """Normalise each step with its own statistics (batch stats while training).

        Training runs torch's fused batch norm on ``(B, T*C, ...)``: each (step, channel)
        pair is one BN channel, so the batch statistics, the unbiased running-variance
        update and the gradients are those of eq. 9 with per-step ``gamma_t``.
        """
        steps = x.shape[0]
        if not self.training:
            scale, shift = self.folded()
            return (
                x * self._view(scale[:steps], x.ndim)[:, None]
                + self._view(shift[:steps], x.ndim)[:, None]
            )
        batch = x.shape[1]
        flat = x.transpose(0, 1).reshape(batch, steps * x.shape[2], *x.shape[3:])
        y = nn.functional.batch_norm(
            flat,
            self.running_mean[:steps].view(-1),
            self.running_var[:steps].view(-1),
            weight=self.gamma[:steps].reshape(-1),
            bias=None,
            training=True,
            momentum=self.momentum,
            eps=self.eps,
        )
        return y.reshape(batch, steps, *x.shape[2:]).transpose(0, 1)


def _export_bntt(m: BNTT, b: object, path: str, prev: str) -> str:
    """Exporter for ``hwsnn.export.torch.EXPORTERS``: a :class:`hwsnn.ir.TimeAffine` node."""
    scale, shift = m.folded()
    node = ir.TimeAffine(
        scale=scale.numpy()[:, :, None, None] if _is_conv(m) else scale.numpy(),
        shift=shift.numpy()[:, :, None, None] if _is_conv(m) else shift.numpy(),
    )
    return b.add(node_name(path, m), node, prev)  # type: ignore[attr-defined, no-any-return]


def _is_conv(m: BNTT) -> bool:
    return bool(getattr(m, "conv", False))


def register_exporter() -> None:
    """Add BNTT to the torch exporter table (idempotent)."""
    from hwsnn.export.torch import EXPORTERS

    EXPORTERS[BNTT] = _export_bntt
    import hwsnn.sim.temporal_kernels  # noqa: F401 - registers the TimeAffine sim kernel


def build_bntt_net(
    input_shape: tuple[int, int, int],
    n_classes: int,
    *,
    timesteps: int,
    channels: tuple[int, ...] = (16, 32),
    hidden: tuple[int, ...] = (),
    leak: float = 0.95,
    dt: float = 1e-3,
    input_gain: float = 1.0,
    generator: torch.Generator | None = None,
) -> Sequential:
    """Poisson -> [Conv3x3 -> BNTT -> LIF -> AvgPool2]* -> [FC -> BNTT -> LIF]* -> FC readout.

    The paper's VGG nets (Sec. 4.1) are this chain with more conv stages; their ``fc1``
    is a hidden FC stage with BNTT (``hidden``). The LIF leak ``lambda`` (eq. 4) is
    ``keep = 1 - dt / tau_mem``, the reset is soft, the surrogate is the triangle of
    eq. 8 (alpha = 0.3); convolutions and FCs have no bias and are Xavier-uniform with
    gain 2 (paper code). The output is the FC current per step; its mean over time is
    the non-leaky accumulated membrane / T (eq. 7).

    Args:
        input_shape: ``(C, H, W)`` of one image.
        n_classes: Readout size.
        timesteps: ``T``; every BNTT layer has ``T`` gammas and statistics.
        channels: Output channels of each conv stage (each halves H and W).
        hidden: Sizes of the hidden FC-BNTT-LIF stages before the readout.
        leak: Membrane keep factor ``lambda`` per step (dimensionless, < 1).
        dt: Time step (s) of the exported graph.
        input_gain: Poisson spike probability per step for a pixel of 1.
        generator: Source of the weight init and of the Poisson draws.
    """
    c, h, w = input_shape
    layers: list[nn.Module] = [PoissonEncoder(input_gain, generator=generator)]
    for co in channels:
        layers += [nn.Conv2d(c, co, 3, padding=1, bias=False), *_bntt_lif(co, timesteps, dt, leak)]
        layers[-2].conv = True  # type: ignore[assignment]  # the BNTT before the LIF
        layers.append(nn.AvgPool2d(2))
        c, h, w = co, h // 2, w // 2
    layers.append(nn.Flatten())
    features = c * h * w
    for size in hidden:
        layers += [nn.Linear(features, size, bias=False), *_bntt_lif(size, timesteps, dt, leak)]
        features = size
    layers.append(nn.Linear(features, n_classes, bias=False))
    for m in layers:
        if isinstance(m, nn.Conv2d | nn.Linear):
            nn.init.xavier_uniform_(m.weight, gain=2.0, generator=generator)
    register_exporter()
    return Sequential(*layers, timesteps=timesteps, input_shape=input_shape)


def _bntt_lif(size: int, timesteps: int, dt: float, leak: float) -> list[nn.Module]:
    return [BNTT(size, timesteps), LIF(dt / (1.0 - leak), dt, surrogate=Triangle(0.3))]


def bntt_layers(model: nn.Module) -> list[BNTT]:
    """The BNTT layers of ``model`` in order."""
    return [m for m in model.modules() if isinstance(m, BNTT)]


def gamma_profile(model: nn.Module, *, absolute: bool = False) -> NDArray[np.float64]:
    """Mean ``gamma_t`` over channels per BNTT layer, shape ``(layers, T)`` (paper 004 Fig. 3).

    With ``absolute`` the mean of ``|gamma_t|``: a negative gamma drives spikes as much
    as a positive one (the paper's gammas stay positive; under strong decay some cross 0).
    """
    return np.stack(
        [
            (m.gamma.detach().double().abs() if absolute else m.gamma.detach().double())
            .mean(dim=1)
            .numpy()
            for m in bntt_layers(model)
        ]
    )


def early_exit_step(profile: NDArray[np.float64], threshold: float) -> int:
    """Steps to run: the first ``t`` after which every layer's mean gamma stays below ``threshold``.

    Returns ``T`` when the last step is still above the threshold in some layer.
    """
    above = (profile >= threshold).any(axis=0)  # (T,)
    idx = np.nonzero(above)[0]
    return int(idx[-1] + 1) if idx.size else 1


def threshold_fold_graph(graph: ir.Graph, model: nn.Module) -> ir.Graph:
    """Replace each TimeAffine -> LIF pair by an LIF with folded thresholds (paper 004 eq. 16).

    The BNTT factor ``sigma_tc / gamma_tc`` is split into a per-channel ``v_threshold``
    (its mean over time, times the LIF's threshold) and a per-step ``threshold_scale``
    (the channel mean at each step over the overall mean); the mean shift is dropped, as
    in the paper. An approximation for targets without per-step scaling; compare its
    accuracy with the exact graph.
    """
    ratios = [
        (
            torch.sqrt(m.running_var.double() + m.eps)
            / m.gamma.detach().double().abs().clamp_min(1e-6)
        ).numpy()
        for m in bntt_layers(model)
    ]
    nodes = dict(graph.nodes)
    edges = list(graph.edges)
    affine = [n for n in graph.order if isinstance(graph.nodes[n], ir.TimeAffine)]
    for name, ratio in zip(affine, ratios, strict=True):
        (prev,) = graph.predecessors(name)
        (lif_name,) = graph.successors(name)
        lif = graph.nodes[lif_name]
        if not isinstance(lif, ir.LIF):
            raise HwsnnError(f"threshold fold: {name!r} is not followed by an LIF node")
        per_c = ratio.mean(axis=0)
        scale = ratio.mean(axis=1) / ratio.mean()
        shape = (-1, 1, 1) if len(graph.shapes[lif_name]) == 3 else (-1,)
        nodes[lif_name] = dataclasses.replace(
            lif, v_threshold=lif.v_threshold * per_c.reshape(shape), threshold_scale=scale
        )
        del nodes[name]
        edges = [e for e in edges if name not in e] + [(prev, lif_name)]
    return ir.Graph(
        nodes=nodes,
        edges=tuple(edges),
        dt=graph.dt,
        timesteps=graph.timesteps,
        metadata={**graph.metadata, "bntt": "threshold fold (approximate)"},
    )


def threshold_fold(model: nn.Module) -> list[NDArray[np.float64]]:
    """Paper 004 eq. 16: the per-step threshold multiplier ``sqrt(var_t + eps) / gamma_t``.

    One ``(T,)`` array per BNTT layer (mean over channels, mean term neglected as in the
    paper); an approximation of the exact :class:`~hwsnn.ir.TimeAffine` export, usable as
    :attr:`hwsnn.ir.LIF.threshold_scale` when a target has no per-step scaling.
    """
    out = []
    for m in bntt_layers(model):
        ratio = torch.sqrt(
            m.running_var.double() + m.eps
        ) / m.gamma.detach().double().abs().clamp_min(1e-6)
        out.append(ratio.mean(dim=1).numpy())
    return out
