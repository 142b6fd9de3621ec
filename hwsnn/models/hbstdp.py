"""ReStoCNet pipeline (paper 002): HB-STDP binary kernels -> IF pooling -> LPF -> classifier.

Feature extraction follows Sec. 2.1 and eq. 5: Poisson input (500 Hz at pixel value 1),
binary 3x3 conv with LIF neurons (learned per-map thresholds, reset to 0), 2x2 average
pooling into IF neurons (``theta_pool = 0.8``), and the low-pass filter
``lpf <- exp(-dt / tau_lpf) lpf + pool`` read at the end as ``lpf(T) / T``. The classifier
is one softmax layer trained by Adam (the paper's shallow 16C3-2P-10FC variant).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import NDArray
from torch import Tensor, nn

from hwsnn import ir
from hwsnn.errors import HwsnnError
from hwsnn.learn.hbstdp import HBSTDPConfig

__all__ = [
    "ConvLIF",
    "DoGConfig",
    "FeatureConfig",
    "PoolLPF",
    "batched_features",
    "binary_conv_node",
    "dog_kernels",
    "dog_on_off",
    "dog_scale",
    "dog_signed",
    "encode_poisson",
    "export_hbstdp",
    "extract_features",
    "input_nodes",
    "neuron_nodes",
    "readout_node",
    "train_readout",
]


@dataclass(frozen=True)
class DoGConfig:
    """Difference-of-Gaussians ON/OFF front end (retina-like centre-surround filter).

    Not part of paper 002 (which feeds pixels, or ZCA-whitened CIFAR-10, to HB-STDP); it is
    the usual input of STDP feature learners (Kheradpisheh et al. 2018). On it the averaged
    pre-traces spread over all three eHB-STDP windows (see ``reports/models/hbstdp_sweep.md``).

    Attributes:
        sigma_center: Centre Gaussian standard deviation (pixels).
        sigma_surround: Surround Gaussian standard deviation (pixels).
        radius: Kernel half-width (pixels); the kernel is ``2 * radius + 1`` wide.
    """

    sigma_center: float = 1.0
    sigma_surround: float = 2.0
    radius: int = 3


def dog_kernels(cfg: DoGConfig) -> NDArray[np.float64]:
    """ON and OFF filters ``(2, 1, k, k)``: ``+DoG`` and ``-DoG`` (each Gaussian sums to 1)."""
    r = np.arange(-cfg.radius, cfg.radius + 1, dtype=np.float64)

    def gauss(sigma: float) -> NDArray[np.float64]:
        g = np.exp(-(r**2) / (2 * sigma * sigma))
        g /= g.sum()
        return np.outer(g, g)

    dog = gauss(cfg.sigma_center) - gauss(cfg.sigma_surround)
    out: NDArray[np.float64] = np.stack([dog, -dog])[:, None]
    return out


def _dog_relu(x: NDArray[np.float32], kernels: NDArray[np.float64]) -> Tensor:
    xt = torch.from_numpy(np.array(x, dtype=np.float32))
    if xt.shape[1] != 1:
        raise HwsnnError(f"the DoG front end takes 1-channel images, got {xt.shape[1]}")
    w = torch.from_numpy(kernels.astype(np.float32))
    return F.relu(F.conv2d(xt, w, padding=kernels.shape[-1] // 2))


def dog_scale(x: NDArray[np.float32], kernels: NDArray[np.float64]) -> float:
    """Mean over images ``x`` (N, 1, H, W) of the largest ON/OFF response (fixed input scale)."""
    with torch.no_grad():
        return float(_dog_relu(x, kernels).flatten(1).max(dim=1).values.mean().clamp_min(1e-6))


def dog_on_off(
    x: NDArray[np.float32], kernels: NDArray[np.float64], scale: float
) -> NDArray[np.float32]:
    """``relu(conv(x, kernels)) / scale``: ON and OFF channels (N, 2, H, W), 'same' padding.

    Values may exceed 1; the Poisson encoders clip the spike probability at 1.
    """
    with torch.no_grad():
        return (_dog_relu(x, kernels) / scale).numpy()


def dog_signed(
    x: NDArray[np.float32], kernels: NDArray[np.float64], scale: float
) -> NDArray[np.float32]:
    """Signed DoG response ``conv(x, kernels[0]) / scale`` (N, 1, H, W), no ON/OFF split.

    Positive values drive excitatory and negative ones inhibitory pre-spikes (e/iHB-STDP,
    paper 002 Sec. 2.2); ``scale`` is the ON/OFF one (:func:`dog_scale`).
    """
    xt = torch.from_numpy(np.array(x, dtype=np.float32))
    w = torch.from_numpy(kernels[:1].astype(np.float32))
    with torch.no_grad():
        return (F.conv2d(xt, w, padding=kernels.shape[-1] // 2) / scale).numpy()


@dataclass(frozen=True)
class FeatureConfig:
    """Feature-extraction constants (paper 002 Table 3).

    Attributes:
        steps: Simulation steps ``T_sim / dt``.
        max_rate_hz: Input Poisson rate at pixel value 1 (Hz).
        theta_pool: IF pooling threshold.
        tau_lpf: Low-pass filter time constant (s).
    """

    steps: int = 30
    max_rate_hz: float = 500.0
    theta_pool: float = 0.8
    tau_lpf: float = 99.5e-3


def encode_poisson(x: Tensor, fc: FeatureConfig, dt: float, gen: torch.Generator) -> Tensor:
    """Signed Poisson spikes ``(steps, *x.shape)``; ``rand < clip(x rate dt)`` for ``x >= 0``."""
    p = (x.abs() * fc.max_rate_hz * dt).clamp(0, 1)
    return torch.sign(x) * (torch.rand((fc.steps, *x.shape), generator=gen) < p).float()


class ConvLIF:
    """Inference dynamics of a binary conv layer: LIF (forward Euler), zero reset, eq. 1.

    The same float32 arithmetic as the exported ``Conv2d -> LIF`` pair in ``sim.float``.
    """

    def __init__(self, weight: Tensor, threshold: Tensor, cfg: HBSTDPConfig) -> None:
        self.weight = weight
        self.thr = threshold.clamp_min(1e-6)[None, :, None, None]
        self.decay = float(np.float32(1.0 - cfg.dt / _tau(cfg.dt, math.exp(-cfg.dt / cfg.tau_mem))))
        self.v: Tensor | None = None

    def step(self, pre: Tensor) -> Tensor:
        """Advance one step with pre-spikes ``(B, C_in, H, W)``; return the spikes."""
        cur = F.conv2d(pre, self.weight, padding=self.weight.shape[-1] // 2)
        v = cur if self.v is None else self.decay * self.v + cur
        s = (v > self.thr).float()
        self.v = torch.where(s > 0, torch.zeros_like(v), v)
        return s


class PoolLPF:
    """2x2 average pooling into IF neurons (``theta_pool``) and the eq. 5 low-pass filter."""

    def __init__(self, cfg: HBSTDPConfig, fc: FeatureConfig) -> None:
        self.theta = fc.theta_pool
        self.decay = float(np.float32(1.0 - cfg.dt / _tau(cfg.dt, math.exp(-cfg.dt / fc.tau_lpf))))
        self.v: Tensor | None = None
        self.lpf: Tensor | None = None
        self.steps = 0

    def step(self, spikes: Tensor) -> None:
        """Pool one step of conv spikes ``(B, C, H, W)`` and filter the pooled spikes."""
        pooled = F.avg_pool2d(spikes, 2)
        v = pooled if self.v is None else self.v + pooled
        sp = (v > self.theta).float()
        self.v = torch.where(sp > 0, torch.zeros_like(v), v)
        self.lpf = sp if self.lpf is None else self.decay * self.lpf + sp
        self.steps += 1

    def value(self) -> Tensor:
        """Features ``lpf(T) / T``, flattened to ``(B, C * H/2 * W/2)``."""
        if self.lpf is None:
            raise HwsnnError("HB-STDP features need at least one time step")
        return self.lpf.flatten(1) / self.steps


def features_from_spikes(
    seq: Tensor, weight: Tensor, threshold: Tensor, cfg: HBSTDPConfig, fc: FeatureConfig
) -> Tensor:
    """Features ``lpf(T) / T`` of pooled IF spikes for input spikes ``(T, B, C, H, W)``."""
    conv, pool = ConvLIF(weight, threshold, cfg), PoolLPF(cfg, fc)
    for t in range(seq.shape[0]):
        pool.step(conv.step(seq[t]))
    return pool.value()


def _tau(dt: float, decay: float) -> float:
    """Forward-Euler time constant (s) whose per-step retention is ``decay``."""
    return dt / (1.0 - decay)


def extract_features(
    x: NDArray[np.float32],
    weight: Tensor,
    threshold: Tensor,
    cfg: HBSTDPConfig,
    fc: FeatureConfig,
    gen: torch.Generator,
    batch: int = 500,
) -> Tensor:
    """Features of images ``x`` (N, C, H, W) for binary kernels ``weight`` and map thresholds."""
    return batched_features(
        x, fc, cfg.dt, gen, lambda seq: features_from_spikes(seq, weight, threshold, cfg, fc), batch
    )


def batched_features(
    x: NDArray[np.float32],
    fc: FeatureConfig,
    dt: float,
    gen: torch.Generator,
    from_spikes: Callable[[Tensor], Tensor],
    batch: int = 500,
) -> Tensor:
    """``from_spikes`` of the Poisson spike trains of ``x`` (N, C, H, W), a batch at a time.

    Args:
        x: Images (may be signed: negative values fire inhibitory spikes).
        fc: Steps and input rate of the encoder.
        dt: Time step (s).
        gen: Source of the spike draws (consumed batch by batch, in order).
        from_spikes: Maps spike trains ``(steps, B, C, H, W)`` to features ``(B, F)``.
        batch: Images per batch.
    """
    out = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            xb = torch.from_numpy(np.array(x[i : i + batch], dtype=np.float32))
            out.append(from_spikes(encode_poisson(xb, fc, dt, gen)))
    return torch.cat(out)


def train_readout(
    feats: Tensor,
    labels: NDArray[np.int64],
    n_classes: int,
    *,
    epochs: int,
    seed: int,
    lr: float = 1.5e-3,
) -> nn.Linear:
    """Softmax layer trained with Adam on cross-entropy (paper 002 Table 4 learning rate)."""
    torch.manual_seed(seed)
    fc = nn.Linear(feats.shape[1], n_classes)
    opt = torch.optim.Adam(fc.parameters(), lr=lr)
    y = torch.from_numpy(np.array(labels, dtype=np.int64))
    gen = torch.Generator().manual_seed(seed)
    scale = feats.std().clamp_min(1e-6)
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=gen)
        for i in range(0, len(y), 256):
            idx = order[i : i + 256]
            opt.zero_grad()
            F.cross_entropy(fc(feats[idx] / scale), y[idx]).backward()  # type: ignore[no-untyped-call]
            opt.step()
    with torch.no_grad():  # fold the feature scaling into the weights
        fc.weight /= scale
    return fc


def export_hbstdp(
    weight: Tensor,
    threshold: Tensor,
    readout: nn.Linear,
    input_shape: tuple[int, int, int],
    cfg: HBSTDPConfig,
    fc: FeatureConfig,
    *,
    encoder: bool = True,
    front: NDArray[np.float64] | None = None,
    signed: bool = False,
) -> ir.Graph:
    """IR graph: Poisson -> binary Conv2d -> LIF -> AvgPool2d -> IF -> LI (the LPF) -> Affine.

    The readout is the Affine at the *last* step (``outputs[-1]``), since eq. 5 reads
    ``lpf(T) / T``; the ``1 / T`` is folded into the Affine weights. ``front`` (DoG ON/OFF
    kernels already divided by the input scale) prepends a fixed Conv2d and a ReLU before
    the Poisson encoder; ``input_shape`` is then the raw image's. ``signed``: the encoder
    input is signed (:func:`encode_poisson` on e.g. :func:`dog_signed`); see
    :func:`input_nodes`.
    """
    dt = cfg.dt
    nodes = input_nodes(input_shape, dt, fc, encoder=encoder, front=front, signed=signed)
    nodes += [("conv", binary_conv_node(weight)), *neuron_nodes(threshold, cfg, fc)]
    nodes += [("flatten", ir.Flatten()), ("readout", readout_node(readout, fc))]
    nodes.append(("output", ir.Output()))
    return ir.Graph.sequential(
        nodes,
        dt=dt,
        timesteps=fc.steps,
        metadata={
            "model": "hbstdp",
            "paper": "002 Srinivasan & Roy 2019",
            "readout": "last",
        },
    )


def input_nodes(
    input_shape: tuple[int, int, int],
    dt: float,
    fc: FeatureConfig,
    *,
    encoder: bool,
    front: NDArray[np.float64] | None,
    signed: bool = False,
) -> list[tuple[str, ir.Node]]:
    """``Input``, then the optional DoG ``Conv2d`` + ``ReLU`` and the optional Poisson encoder.

    ``signed`` makes the encoder a signed ``PoissonEncoder`` (spikes ``sign(x)`` with
    probability ``min(1, |x| rate dt)``, as :func:`encode_poisson`) and drops the ReLU: with
    ``front = dog_kernels(dog_cfg)[:1] / scale`` the encoder then sees :func:`dog_signed`.

    Raises:
        HwsnnError: ``front`` or ``signed`` without ``encoder`` (the DoG output is a rate,
            not spikes; without an encoder the input spikes are given as they are).
    """
    nodes: list[tuple[str, ir.Node]] = [("input", ir.Input(shape=input_shape))]
    if front is not None:
        if not encoder:
            raise HwsnnError("a DoG front end needs the Poisson encoder after it")
        pad = (front.shape[-2] // 2, front.shape[-1] // 2)
        nodes.append(("dog", ir.Conv2d(weight=front, padding=pad)))
        if not signed:
            nodes.append(("dog_relu", ir.ReLU()))
    if signed and not encoder:
        raise HwsnnError("signed=True needs the Poisson encoder (it makes the encoder signed)")
    if encoder:
        gain = fc.max_rate_hz * dt
        nodes.append(("poisson", ir.PoissonEncoder(gain=gain, signed=signed)))
    return nodes


def binary_conv_node(weight: Tensor) -> ir.Conv2d:
    """'Same'-padded ``Conv2d`` of {-1, +1} kernels, stored as 2-bit weights (eq. 8)."""
    return ir.Conv2d(
        weight=weight.double().numpy(),
        padding=(weight.shape[-2] // 2, weight.shape[-1] // 2),
        quant=ir.Quantization(weight_bits=2, scale=1.0),
    )


def readout_node(readout: nn.Linear, fc: FeatureConfig) -> ir.Affine:
    """The softmax layer read at the last step, with eq. 5's ``1 / T`` folded in."""
    return ir.Affine(
        weight=readout.weight.detach().double().numpy() / fc.steps,
        bias=readout.bias.detach().double().numpy(),
    )


def neuron_nodes(
    threshold: Tensor, cfg: HBSTDPConfig, fc: FeatureConfig
) -> list[tuple[str, ir.Node]]:
    """LIF (learned thresholds, zero reset) -> AvgPool2d -> IF pooling -> LI low-pass (eq. 5)."""
    dt = cfg.dt
    t_mem = _tau(dt, math.exp(-dt / cfg.tau_mem))
    t_lpf = _tau(dt, math.exp(-dt / fc.tau_lpf))
    thr = threshold.clamp_min(1e-6).double().numpy()[:, None, None]
    lif = ir.LIF(
        tau_mem=np.asarray(t_mem),
        r=np.asarray(t_mem / dt),
        v_threshold=thr,
        reset=ir.ResetMode.ZERO,
    )
    pool_if = ir.IF(
        r=np.asarray(1.0 / dt), v_threshold=np.asarray(fc.theta_pool), reset=ir.ResetMode.ZERO
    )
    lpf = ir.LI(tau_mem=np.asarray(t_lpf), r=np.asarray(t_lpf / dt))
    return [("lif", lif), ("pool", ir.AvgPool2d(kernel_size=(2, 2))), ("if", pool_if), ("lpf", lpf)]
