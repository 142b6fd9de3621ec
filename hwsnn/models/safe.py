"""SAFE-DNN (paper 000): STDP-learned spiking conv front-end converted to a one-step SAU block.

She et al., "SAFE-DNN: a deep neural network with spike-assisted feature extraction for
noise-robust inference" (``papers/000_996d16437485bc79.txt``). Stage 1
(:mod:`hwsnn.models.safe_stdp`) learns non-negative conv conductances with frequency-dependent
stochastic STDP (:mod:`hwsnn.learn.fdstdp`), cross-depth inhibition and adaptive thresholds.
Stage 2 (Sec. 4.2) drops the spike trains: conv (fixed) -> batch norm (frozen statistics) ->
SAU, a step function ``sum_i a_i 1[x in [e_i, e_i+1))`` read off the LIF neuron's spike count
over ``T_input`` steps (Sec. 4.4), in parallel with a smaller auxiliary CNN; both feed the main
CNN (Sec. 4.1).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import NDArray
from torch import Tensor, nn

from hwsnn import ir
from hwsnn.errors import DataError, UnsupportedNodeError
from hwsnn.models.safe_stdp import FrontEndConfig, SpikingFrontEnd, lif_staircase, stdp_front_end

__all__ = [
    "CReLU",
    "FrontEndConfig",
    "SAFENet",
    "SAUBlock",
    "SpikingFrontEnd",
    "export_front_end",
    "export_network",
    "inhibited_kernels",
    "lif_staircase",
    "stdp_front_end",
]


def inhibited_kernels(g: Tensor, fraction: float) -> Tensor:
    """Stage 2 conv weights from the STDP conductances: ``g - fraction * mean(g)`` per map.

    Paper 000 Sec. 4.2 re-scales the conductance matrix for the converted block. The learned
    conductances are non-negative, so every map also responds to the local brightness; taking
    off a fixed share of each kernel's mean (a feed-forward inhibition proportional to the
    patch intensity) keeps the learned shape and weakens that brightness response.
    ``fraction = 0`` keeps ``g``; ``1`` gives zero-sum kernels (more clean accuracy, less
    noise robustness, ``reports/models/safe_sweep.md``).

    Raises:
        DataError: ``fraction`` is outside ``[0, 1]`` or ``g`` is not ``(maps, 1, k, k)``.
    """
    if not 0.0 <= fraction <= 1.0 or g.ndim != 4:
        raise DataError(f"need fraction in [0, 1] and 4-d kernels, got {fraction}, {g.ndim}-d")
    return g - fraction * g.mean(dim=(2, 3), keepdim=True)


class SAUBlock(nn.Module):
    """Stage 2 block: fixed conv -> frozen normalisation -> SAU (no trainable parameters).

    ``on_off``: every map also drives a mirrored SAU on its negated normalised drive, with the
    same threshold offset (an ON/OFF pair, like the ON and OFF channels of a retina), so a
    zero-sum map passes both sides of an edge; the block then has ``2 * maps`` outputs, ON
    maps first.
    """

    weight: Tensor
    offset: Tensor
    scale: Tensor
    shift: Tensor
    edges: Tensor
    levels: Tensor

    def __init__(
        self,
        weight: Tensor,
        edges: NDArray[np.float64],
        levels: NDArray[np.float64],
        *,
        on_off: bool = False,
    ) -> None:
        super().__init__()
        self.on_off = on_off
        self.register_buffer("weight", weight.clone())
        self.register_buffer("scale", torch.ones(weight.shape[0]))
        self.register_buffer("shift", torch.zeros(weight.shape[0]))
        self.register_buffer("offset", torch.zeros(()))
        self.register_buffer("edges", torch.tensor(edges, dtype=torch.float32))
        self.register_buffer(
            "levels", torch.tensor(np.concatenate([[0.0], levels, [0.0]]), dtype=torch.float32)
        )

    @property
    def channels(self) -> int:
        """Output maps: the kernels, twice with ``on_off``."""
        return int(self.weight.shape[0]) * (2 if self.on_off else 1)

    def folded(self) -> tuple[Tensor, Tensor]:
        """Weight ``(channels, 1, k, k)`` and bias of the conv giving the SAU input.

        With ``on_off`` the OFF half is ``-(normalised drive) - offset``: weight ``-w``,
        bias ``-shift - 2 offset`` (``shift`` already holds ``-offset``).
        """
        w = self.weight * self.scale[:, None, None, None]
        if not self.on_off:
            return w, self.shift
        return torch.cat([w, -w]), torch.cat([self.shift, -self.shift - 2 * self.offset])

    def pre(self, x: Tensor) -> Tensor:
        """Normalised pre-activation (the SAU input)."""
        w, b = self.folded()
        return F.conv2d(x, w, b, padding=int(self.weight.shape[-1]) // 2)

    def calibrate(self, x: Tensor, offset: float = 0.0) -> None:
        """Freeze the batch-norm statistics: zero mean and unit variance per map on ``x``.

        Args:
            x: Calibration images ``(n, 1, h, w)``.
            offset: Subtracted from the normalised drive (standard deviations): the first SAU
                step then sits at ``mean + (offset + edges[0]) std`` of each map's drive, a
                higher firing threshold that keeps weak (and noise-only) drive silent.
        """
        with torch.no_grad():
            y = F.conv2d(x, self.weight, padding=int(self.weight.shape[-1]) // 2)
            std = y.std(dim=(0, 2, 3)).clamp_min(1e-6)
            self.scale.copy_(1.0 / std)
            self.shift.copy_(-y.mean(dim=(0, 2, 3)) / std - offset)
            self.offset.fill_(offset)

    def forward(self, x: Tensor) -> Tensor:
        """SAU of the normalised conv output."""
        z = self.pre(x)
        return self.levels[torch.bucketize(z, self.edges, right=True)]


class CReLU(nn.Module):
    """Concatenated ReLU ``[relu(y), relu(-y)]`` along depth.

    Shang et al. 2016 (arXiv:1603.05201); the baseline's trainable twin of an ON/OFF
    :class:`SAUBlock`.
    """

    def forward(self, y: Tensor) -> Tensor:
        """Both half-waves of ``y``, positive first."""
        return torch.cat([F.relu(y), F.relu(-y)], dim=1)


class SAFENet(nn.Module):
    """Front-end (SAU block, or trainable conv + ReLU for the baseline) || aux CNN -> main CNN.

    Paper 000 Sec. 4.1: the two parallel modules' maps are concatenated along depth and feed
    the main CNN. ``maps`` is the front end's channel count, ``aux_maps`` the auxiliary CNN's
    ("smaller size"; default ``maps``). The auxiliary CNN is "several conventional CNN
    layers": conv 5x5 + ReLU, then ``aux_layers - 1`` conv 3x3 + ReLU, all ``aux_maps`` wide.
    Main CNN: max-pool 2, conv 3x3 ``width`` + ReLU, max-pool 2, conv 3x3 ``width`` + ReLU,
    linear classifier.
    """

    def __init__(
        self,
        front: nn.Module,
        maps: int,
        n_classes: int,
        side: int,
        *,
        aux_maps: int | None = None,
        aux_layers: int = 1,
        width: int = 32,
    ) -> None:
        super().__init__()
        aux = maps if aux_maps is None else aux_maps
        self.front = front
        layers: list[nn.Module] = [nn.Conv2d(1, aux, 5, padding=2), nn.ReLU()]
        for _ in range(aux_layers - 1):
            layers += [nn.Conv2d(aux, aux, 3, padding=1), nn.ReLU()]
        self.aux = nn.Sequential(*layers)
        self.main = nn.Sequential(
            nn.MaxPool2d(2),
            nn.Conv2d(maps + aux, width, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(width, width, 3, padding=1),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(width * (side // 4) ** 2, n_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        """Logits."""
        return self.forward_paths(x, x)

    def forward_paths(self, front_x: Tensor, aux_x: Tensor) -> Tensor:
        """Logits with separate inputs to the front end and the auxiliary CNN.

        Feeding a noisy image to one path and the clean image to the other measures how
        much of the noise loss comes in through each path.
        """
        out: Tensor = self.main(torch.cat([self.front(front_x), self.aux(aux_x)], dim=1))
        return out


def _front_nodes(block: SAUBlock) -> tuple[ir.Conv2d, ir.SAU]:
    """Conv2d (normalisation folded) and SAU of ``block``."""
    w, bias = block.folded()
    pad = int(block.weight.shape[-1]) // 2
    conv = ir.Conv2d(weight=w.double().numpy(), bias=bias.double().numpy(), padding=(pad, pad))
    sau = ir.SAU(
        edges=np.concatenate([[-1e6], block.edges.double().numpy()]),
        levels=np.concatenate([[0.0], block.levels[1:-1].double().numpy()]),
    )
    return conv, sau


def export_front_end(block: SAUBlock, input_shape: tuple[int, int, int]) -> ir.Graph:
    """The converted spiking module as IR: Input -> Conv2d (norm folded) -> SAU -> Output."""
    conv, sau = _front_nodes(block)
    nodes: list[tuple[str, ir.Node]] = [
        ("input", ir.Input(shape=input_shape)),
        ("conv", conv),
        ("sau", sau),
        ("output", ir.Output()),
    ]
    import hwsnn.sim.temporal_kernels  # noqa: F401 - registers the SAU kernel

    return ir.Graph.sequential(
        nodes, dt=1e-3, timesteps=1, metadata={"model": "safe-front-end", "paper": "000 SAFE-DNN"}
    )


def _aux_node(aux: nn.Sequential) -> ir.Conv2d:
    """The aux CNN's last conv (its ReLU follows as an IR ``ReLU``)."""
    conv = aux[-2]
    if not isinstance(conv, nn.Conv2d) or conv.bias is None or isinstance(conv.padding, str):
        raise UnsupportedNodeError(type(conv).__name__, "SAFE export", ["Conv2d with bias"])
    return ir.Conv2d(
        weight=conv.weight.detach().double().numpy(),
        bias=conv.bias.detach().double().numpy(),
        padding=(int(conv.padding[0]), int(conv.padding[1])),
    )


def export_network(net: SAFENet, input_shape: tuple[int, int, int]) -> ir.Graph:
    """The whole SAFE-DNN as one single-step IR graph (paper 000 Sec. 4.1, Fig. 3).

    ``input -> front.conv -> front.sau`` and ``input -> (aux hidden layers) -> aux.conv ->
    aux.relu`` run in parallel and an IR ``Concat`` joins their maps along depth, the
    spiking maps first (as :meth:`SAFENet.forward` does). The main CNN (max-pool, conv, ReLU,
    ..., linear) follows through the torch exporter.

    Raises:
        UnsupportedNodeError: The front end is not an :class:`SAUBlock` (the baseline CNN).
    """
    from hwsnn.export.torch import GraphBuilder, export_module

    if not isinstance(net.front, SAUBlock):
        raise UnsupportedNodeError(type(net.front).__name__, "SAFE export", ["SAUBlock"])
    conv, sau = _front_nodes(net.front)
    b = GraphBuilder(dt=1e-3)
    b.add("input", ir.Input(shape=input_shape))
    b.add("front.conv", conv, "input")
    b.add("front.sau", sau, "front.conv")
    hidden = nn.Sequential(*list(net.aux)[:-2])
    prev = export_module(hidden, b, "aux", "input") if len(hidden) else "input"
    b.add("aux.conv", _aux_node(net.aux), prev)
    b.add("aux.relu", ir.ReLU(), "aux.conv")
    b.add("concat", ir.Concat(axis=0), "front.sau", "aux.relu")
    last = export_module(net.main, b, "main", "concat")
    b.add("output", ir.Output(), last)
    import hwsnn.sim.temporal_kernels  # noqa: F401 - registers the SAU kernel

    metadata = {"model": "safe-dnn", "paper": "000 SAFE-DNN", "source": "hwsnn.models.safe"}
    return ir.Graph(nodes=b.nodes, edges=tuple(b.edges), dt=1e-3, timesteps=1, metadata=metadata)
