"""Soft-LIF rate training and conversion to spiking LIF with alpha synapses (paper 001).

Hunsberger & Eliasmith, "Spiking deep networks with LIF neurons", arXiv 1510.08829
(``papers/001_4d87a0e1a0597cc7.txt``; equations from ``papers/README.md``). A static
network is trained with the smoothed LIF rate
``r(j) = 1 / (tau_ref + tau_rc log(1 + V_th / rho_gamma(j - V_th)))``,
``rho_gamma(x) = gamma log(1 + exp(x / gamma))``, plus Gaussian rate noise on neurons above
threshold; it is then converted, keeping every weight and bias, to spiking LIF neurons
whose spikes pass through alpha synapses of unit area (``AlphaSynapse``, ``tau_s = 5 ms``).
The activation fed forward is ``amplitude * rate``; the amplitude is folded into the
next layer's weights at conversion.

The IR LIF is forward-Euler without refractory period, so the rate model is matched to
it: ``tau_rc = -dt / ln(1 - dt / tau_mem)`` (the per-step decay) and ``tau_ref = dt / 2``
(the mean wait for the next step boundary after the threshold crossing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from hwsnn import ir

__all__ = ["SoftLIFConfig", "SoftLIFNet", "SoftLIFRate", "export_softlif", "soft_lif_rate"]


@dataclass(frozen=True)
class SoftLIFConfig:
    """Neuron and conversion constants.

    Attributes:
        tau_mem: LIF membrane time constant of the spiking network (s) (paper: 20 ms).
        dt: Simulation step (s).
        gamma: Softplus smoothing of the rate curve (current units).
        amplitude: Activation per unit rate (s); Nengo's default 1/63.
        noise_hz: Standard deviation of the training rate noise (Hz) (paper: about 10 Hz).
        tau_syn: Alpha-synapse time constant (s) (paper: 5 ms).
        v_threshold: Firing threshold (current units) (paper: 1).
    """

    tau_mem: float = 0.02
    dt: float = 1e-3
    gamma: float = 0.05
    amplitude: float = 1.0 / 63.0
    noise_hz: float = 10.0
    tau_syn: float = 0.005
    v_threshold: float = 1.0

    @property
    def tau_rc(self) -> float:
        """Rate-model membrane constant matched to the discrete LIF decay (s)."""
        return -self.dt / math.log(1.0 - self.dt / self.tau_mem)

    @property
    def tau_ref(self) -> float:
        """Rate-model refractory period standing in for the step discretisation (s)."""
        return self.dt / 2.0


def soft_lif_rate(j: Tensor, cfg: SoftLIFConfig) -> Tensor:
    """Soft-LIF firing rate (Hz) for input current ``j`` (paper 001; smooth in ``j``)."""
    x = j - cfg.v_threshold
    rho = (cfg.gamma * nn.functional.softplus(x / cfg.gamma)).clamp_min(1e-10)
    return 1.0 / (cfg.tau_ref + cfg.tau_rc * torch.log1p(cfg.v_threshold / rho))


class SoftLIFRate(nn.Module):
    """``amplitude * (r(j) + noise)``; noise ``N(0, noise_hz)`` where ``j > V_th`` in training only.

    Args:
        cfg: Constants.
        noise: Add training noise in ``train()`` mode.
        generator: Source of the noise.
    """

    def __init__(
        self, cfg: SoftLIFConfig, *, noise: bool, generator: torch.Generator | None = None
    ) -> None:
        super().__init__()
        self.cfg = cfg
        self.noise = noise
        self.generator = generator

    def forward(self, j: Tensor) -> Tensor:
        """Activation for current ``j`` (any shape)."""
        r = soft_lif_rate(j, self.cfg)
        if self.training and self.noise:
            eta = torch.randn(j.shape, generator=self.generator, dtype=j.dtype) * self.cfg.noise_hz
            r = r + eta * (j > self.cfg.v_threshold).to(j.dtype)
        return r * self.cfg.amplitude


class SoftLIFNet(nn.Sequential):
    """Conv(5x5, stride 2) -> soft-LIF -> AvgPool(2) -> FC -> soft-LIF -> FC (logits)."""

    def __init__(
        self,
        input_shape: tuple[int, int, int],
        n_classes: int,
        cfg: SoftLIFConfig,
        *,
        noise: bool,
        channels: int = 8,
        hidden: int = 128,
        generator: torch.Generator | None = None,
    ) -> None:
        c, h, w = input_shape
        k = 5 if h >= 12 else 3
        ho, wo = (h - k) // 2 + 1, (w - k) // 2 + 1
        super().__init__(
            nn.Conv2d(c, channels, k, stride=2),
            SoftLIFRate(cfg, noise=noise, generator=generator),
            nn.AvgPool2d(2),
            nn.Flatten(),
            nn.Linear(channels * (ho // 2) * (wo // 2), hidden),
            SoftLIFRate(cfg, noise=noise, generator=generator),
            nn.Linear(hidden, n_classes),
        )
        self.cfg = cfg
        self.input_shape = input_shape
        with torch.no_grad():  # start every neuron at threshold, where the rate curve bends
            for layer in (self[0], self[4]):
                bias = layer.bias
                if isinstance(bias, torch.Tensor):
                    bias.fill_(cfg.v_threshold)


def _arr(t: Tensor, scale: float = 1.0) -> np.ndarray:  # type: ignore[type-arg]
    return np.asarray(t.detach().double().numpy() * scale, dtype=np.float64)


def _spiking_lif(cfg: SoftLIFConfig) -> ir.LIF:
    """The LIF that replaces a soft-LIF rate neuron: unit resistance, zero reset."""
    return ir.LIF(
        tau_mem=np.asarray(cfg.tau_mem),
        r=np.ones(()),
        v_threshold=np.asarray(cfg.v_threshold),
        reset=ir.ResetMode.ZERO,
    )


def _alpha(cfg: SoftLIFConfig) -> ir.AlphaSynapse:
    return ir.AlphaSynapse(tau_syn=np.asarray(cfg.tau_syn))


def export_softlif(model: SoftLIFNet, *, timesteps: int) -> ir.Graph:
    """Convert to the spiking IR graph: each SoftLIFRate -> LIF (zero reset) -> AlphaSynapse.

    Weights and biases are kept; the weights after a neuron layer are multiplied by the
    amplitude (the synapse outputs a rate in 1/s). The readout is the last Affine per step;
    its mean over time is what ``Result.predictions`` takes the argmax of.
    """
    cfg = model.cfg
    nodes: list[tuple[str, ir.Node]] = [("input", ir.Input(shape=model.input_shape))]
    gain = 1.0  # amplitude to fold into the next weighted layer
    for i, m in enumerate(model):
        if isinstance(m, nn.Conv2d):
            nodes.append(
                (
                    f"conv{i}",
                    ir.Conv2d(
                        weight=_arr(m.weight, gain),
                        bias=None if m.bias is None else _arr(m.bias),
                        stride=(int(m.stride[0]), int(m.stride[1])),
                    ),
                )
            )
            gain = 1.0
        elif isinstance(m, nn.Linear):
            nodes.append((f"fc{i}", ir.Affine(weight=_arr(m.weight, gain), bias=_arr(m.bias))))
            gain = 1.0
        elif isinstance(m, SoftLIFRate):
            nodes += [(f"lif{i}", _spiking_lif(cfg)), (f"alpha{i}", _alpha(cfg))]
            gain = cfg.amplitude
        elif isinstance(m, nn.AvgPool2d):
            nodes.append((f"pool{i}", ir.AvgPool2d(kernel_size=(2, 2))))
        elif isinstance(m, nn.Flatten):
            nodes.append((f"flatten{i}", ir.Flatten()))
    nodes.append(("output", ir.Output()))
    import hwsnn.sim.temporal_kernels  # noqa: F401 - registers the AlphaSynapse kernel

    return ir.Graph.sequential(
        nodes,
        dt=cfg.dt,
        timesteps=timesteps,
        metadata={"model": "softlif", "paper": "001 Hunsberger & Eliasmith 2015"},
    )
