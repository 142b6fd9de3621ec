"""Temporal-coded deep SNN of single-spike non-leaky n-LIF neurons (paper 003).

Zhou et al., "Temporal-coded deep spiking neural network with easy training and robust
performance", AAAI 35(12):11143, 2021 (``papers/003_ff354734b6623ea3.txt``). Layers act on
``z = exp(t)`` (``tau_syn = 1``, ``v_threshold = 1``): eq. 4 gives each output spike time in
closed form, max-pooling is the earliest spike, training minimises eq. 5 with per-matrix
gradient-norm clipping, and quantisation-aware training keeps full-precision gradients.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from hwsnn.errors import UnsupportedNodeError
from hwsnn.ir import NLIF, Conv2d, Flatten, Graph, Input, Linear, Output, Quantization
from hwsnn.ir.temporal import MaxPoolTTFS, TTFSEncoder
from hwsnn.models._ttfs_ops import (
    nlif_conv2d,
    nlif_dense,
    quant_scale,
    quantize_ste,
    ttfs_maxpool2d,
)

__all__ = [
    "PAPER_MNIST_SPEC",
    "TTFSConv2d",
    "TTFSDense",
    "TTFSLossConfig",
    "TTFSMaxPool2d",
    "TTFSNet",
    "build_ttfs_net",
    "export_ttfs",
    "ttfs_loss",
]


def _init_weight(shape: tuple[int, ...], fan_in: int, gen: torch.Generator) -> nn.Parameter:
    """Normal weights with a positive mean (row sums near 3) so most neurons fire at start."""
    w = torch.randn(shape, generator=gen) / math.sqrt(fan_in) + 3.0 / fan_in
    return nn.Parameter(w)


class TTFSDense(nn.Module):
    """Fully connected n-LIF layer (eq. 4); ``bits`` < 32 quantises the weights in forward."""

    def __init__(self, n_in: int, n_out: int, gen: torch.Generator) -> None:
        super().__init__()
        self.weight = _init_weight((n_out, n_in), n_in, gen)
        self.bits = 32

    def qweight(self) -> Tensor:
        """Weights as used in forward (quantised when ``bits < 32``)."""
        return quantize_ste(self.weight, self.bits)

    def forward(self, z: Tensor, z_max: float) -> Tensor:
        """``z`` (B, n_in) -> (B, n_out)."""
        return nlif_dense(z.flatten(1), self.qweight(), z_max)


class TTFSConv2d(TTFSDense):
    """Convolutional n-LIF layer without padding (eq. 4 on every receptive field)."""

    def __init__(
        self, c_in: int, c_out: int, kernel: int, stride: int, gen: torch.Generator
    ) -> None:
        nn.Module.__init__(self)
        fan_in = c_in * kernel * kernel
        self.weight = _init_weight((c_out, c_in, kernel, kernel), fan_in, gen)
        self.stride = (stride, stride)
        self.bits = 32

    def forward(self, z: Tensor, z_max: float) -> Tensor:
        """``z`` (B, C, H, W) -> (B, C_out, H', W')."""
        return nlif_conv2d(z, self.qweight(), self.stride, z_max)


class TTFSMaxPool2d(nn.Module):
    """Max-pooling of spike times: the earliest spike in each ``kernel x kernel`` window."""

    def __init__(self, kernel: int) -> None:
        super().__init__()
        self.kernel = kernel

    def forward(self, z: Tensor, z_max: float) -> Tensor:
        """Minimum ``z`` per window."""
        return ttfs_maxpool2d(z, self.kernel)


class TTFSNet(nn.Module):
    """A chain of TTFS layers with input code ``t = alpha (1 - p)`` (paper 003 Sec. 4.1).

    Args:
        layers: TTFSConv2d / TTFSMaxPool2d / TTFSDense modules; the first dense layer
            flattens its input.
        alpha: Input code span (s).
        t_max: Time standing for "no spike" (s).
    """

    def __init__(self, layers: list[nn.Module], alpha: float, t_max: float) -> None:
        super().__init__()
        self.layers = nn.ModuleList(layers)
        self.alpha = alpha
        self.t_max = t_max

    @property
    def z_max(self) -> float:
        """``exp(t_max)``, the value of "no spike"."""
        return math.exp(self.t_max)

    def set_bits(self, bits: int) -> None:
        """Quantise every weight layer's forward pass to ``bits`` (32 = full precision)."""
        for layer in self.layers:
            if isinstance(layer, TTFSDense):
                layer.bits = bits

    def encode(self, images: Tensor) -> Tensor:
        """Pixels in [0, 1] -> ``z = exp(alpha (1 - p))``."""
        return torch.exp(self.alpha * (1.0 - images.clamp(0.0, 1.0)))

    def forward(self, images: Tensor) -> Tensor:
        """Images (B, C, H, W) in [0, 1] -> output spike times (B, classes) in seconds."""
        z = self.encode(images).to(self.weight_layers()[0].weight.dtype)
        for layer in self.layers:
            z = layer(z, self.z_max)
        return torch.log(z)

    def predict(self, images: Tensor) -> Tensor:
        """Class = the output neuron that spikes first."""
        return self.forward(images).argmin(dim=1)

    def weight_layers(self) -> list[TTFSDense]:
        """The layers that hold weights, in order."""
        return [m for m in self.layers if isinstance(m, TTFSDense)]


@dataclass(frozen=True)
class TTFSLossConfig:
    """Coefficients of the loss of paper 003 eq. 5 (defaults: the paper's MNIST values).

    Attributes:
        k: Weight of the weight-sum hinge ``max(0, beta - sum_i w_ji)``.
        beta: Target minimum weight sum per neuron (>= 1).
        l2: Weight of the L2 term ``sum w^2``.
        logit_scale: Factor ``s`` on the logits ``-s t`` of the first term (1 = eq. 5 as
            printed). Output spike times of one image spread over only a fraction of a
            second, so with ``s = 1`` the softmax is nearly flat and the gradient weak;
            a larger ``s`` (a softmax temperature ``1 / s`` in seconds) sharpens it. The
            prediction (earliest spike) does not depend on ``s``.
    """

    k: float = 100.0
    beta: float = 1.0
    l2: float = 1e-3
    logit_scale: float = 1.0


def ttfs_loss(
    model: TTFSNet, times: Tensor, labels: Tensor, cfg: TTFSLossConfig = TTFSLossConfig()
) -> Tensor:
    """Eq. 5: ``-ln(z_c^-1 / sum_i z_i^-1) + K sum max(0, beta - sum_i w_ji) + lambda sum w^2``.

    The first term is cross-entropy on the logits ``-t`` (the paper prints the sum over
    ``i != c``; hwsnn sums over all ``i``, which keeps the term >= 0), generalised to
    ``-s t`` with ``s = cfg.logit_scale`` (``z^-s`` instead of ``z^-1``). It is averaged
    over the batch; the regularisers act on the full-precision weights.
    """
    ce = nn.functional.cross_entropy(-cfg.logit_scale * times, labels)
    hinge = times.new_zeros(())
    l2 = times.new_zeros(())
    for layer in model.weight_layers():
        w = layer.weight.flatten(1)
        hinge = hinge + torch.clamp(cfg.beta - w.sum(dim=1), min=0.0).sum()
        l2 = l2 + (w * w).sum()
    return ce + cfg.k * hinge + cfg.l2 * l2


PAPER_MNIST_SPEC: tuple[tuple[object, ...], ...] = (
    ("conv", 32, 5, 2),
    ("conv", 16, 5, 2),
    ("dense", 10),
)
"""Paper 003 Table 1, MNIST: SCNN(5,32,2) -> SCNN(5,16,2) -> FC(10)."""


def build_ttfs_net(
    input_shape: tuple[int, int, int],
    spec: tuple[tuple[object, ...], ...],
    *,
    alpha: float,
    t_max: float,
    seed: int,
) -> TTFSNet:
    """Build a :class:`TTFSNet` for ``input_shape`` from a layer ``spec``.

    Items: ``("conv", c_out, kernel, stride)``, ``("pool", kernel)``, ``("dense", n_out)``.

    Paper 003 Table 1 (MNIST): ``(("conv", 32, 5, 2), ("conv", 16, 5, 2), ("dense", 10))``.
    """
    gen = torch.Generator().manual_seed(seed)
    c, h, w = input_shape
    flat: int | None = None
    layers: list[nn.Module] = []
    for item in spec:
        kind = item[0]
        if kind == "conv":
            co, k, st = (int(v) for v in item[1:4])  # type: ignore[call-overload]
            layers.append(TTFSConv2d(c, co, k, st, gen))
            c, h, w = co, (h - k) // st + 1, (w - k) // st + 1
        elif kind == "pool":
            k = int(item[1])  # type: ignore[call-overload]
            layers.append(TTFSMaxPool2d(k))
            h, w = h // k, w // k
        else:
            n_in = flat if flat is not None else c * h * w
            flat = int(item[1])  # type: ignore[call-overload]
            layers.append(TTFSDense(n_in, flat, gen))
    return TTFSNet(layers, alpha, t_max)


def export_ttfs(model: TTFSNet, input_shape: tuple[int, int, int], *, name: str = "ttfs") -> Graph:
    """Export to the IR: Input -> TTFSEncoder -> (Conv2d|Linear -> NLIF | MaxPoolTTFS)* -> Output.

    Weights are exported as used in forward (quantised ones carry a ``Quantization``).
    The graph runs event-exactly in :func:`hwsnn.sim.ttfs.simulate_ttfs`.
    """
    nodes: list[tuple[str, object]] = [
        ("input", Input(shape=input_shape)),
        ("encode", TTFSEncoder(alpha=model.alpha, t_max=model.t_max)),
    ]
    flattened = False
    for i, layer in enumerate(model.layers):
        if isinstance(layer, TTFSMaxPool2d):
            nodes.append((f"pool{i}", MaxPoolTTFS(kernel_size=(layer.kernel, layer.kernel))))
            continue
        if not isinstance(layer, TTFSDense):
            raise UnsupportedNodeError(
                type(layer).__name__, "export_ttfs", ["TTFSConv2d", "TTFSDense", "TTFSMaxPool2d"]
            )
        w = layer.qweight().detach().double().numpy()
        quant = _quant(layer)
        if isinstance(layer, TTFSConv2d):
            nodes.append((f"conv{i}", Conv2d(weight=w, stride=layer.stride, quant=quant)))
        else:
            if not flattened:
                nodes.append(("flatten", Flatten()))
                flattened = True
            nodes.append((f"fc{i}", Linear(weight=w, quant=quant)))
        nodes.append(
            (f"nlif{i}", NLIF(tau_syn=np.ones(()), v_threshold=np.ones(()), t_max=model.t_max))
        )
    nodes.append(("output", Output()))
    return Graph.sequential(
        nodes,  # type: ignore[arg-type]
        dt=model.t_max,
        timesteps=1,
        metadata={
            "model": name,
            "paper": "003 Zhou et al. AAAI 2021",
            "readout": "first-spike",
        },
    )


def _quant(layer: TTFSDense) -> Quantization | None:
    if layer.bits >= 32:
        return None
    scale = float(quant_scale(layer.weight.detach(), layer.bits))
    return Quantization(weight_bits=layer.bits, scale=scale)
