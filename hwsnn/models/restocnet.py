"""ReStoCNet-2 (paper 002 Sec. 2.1, Fig. 1, Sec. 3.3): two HB-STDP binary conv layers.

Layer 2 is learned layer-wise by HB-STDP with layer 1 frozen. Its input spike maps are
layer 1's spike maps (direct path) plus, with ``residual``, the input spike maps
replicated to layer 1's channel count (input channel ``i`` feeds channels ``j`` with
``j % C_in == i``), the sum clamped to unit magnitude (``min(1, a + b)`` for the ON/OFF
input). Features are the pooled, low-pass-filtered spiking activations of *both* layers,
concatenated (eq. 5; "pooled spiking activations of both convolutional layers").

Srinivasan & Roy, Front. Neurosci. 13:189, 2019 (``papers/002_47dea773f3451073.txt``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from torch import Tensor, nn

from hwsnn import ir
from hwsnn.errors import HwsnnError
from hwsnn.learn.hbstdp import HBSTDPConfig, HBSTDPLayer, poisson_signed
from hwsnn.models.hbstdp import (
    ConvLIF,
    FeatureConfig,
    PoolLPF,
    batched_features,
    binary_conv_node,
    input_nodes,
    neuron_nodes,
    readout_node,
    train_readout,
)

__all__ = [
    "ConvLayer",
    "evaluate_restoc",
    "export_restocnet",
    "extract_restoc_features",
    "layer2_config",
    "learn_layer2",
    "learn_layer2_on",
    "replicate_channels",
    "residual_merge",
    "restoc_features_from_spikes",
    "trace_quantiles",
]


@dataclass(frozen=True)
class ConvLayer:
    """A trained binary conv layer: kernels ``(C_out, C_in, k, k)`` in {-1, +1}, thresholds."""

    weight: Tensor
    threshold: Tensor

    @classmethod
    def of(cls, layer: HBSTDPLayer) -> ConvLayer:
        """Freeze a learned :class:`HBSTDPLayer` (copies its tensors)."""
        return cls(layer.weight.clone(), layer.threshold.clone())


def layer2_config(cfg: HBSTDPConfig, p_scale: float, max_rate_hz: float = 500.0) -> HBSTDPConfig:
    """Layer-2 rule: ``cfg`` with its switching probabilities scaled.

    Switching probabilities are multiplied by ``p_scale`` (Table 3 C2: 1/25) and the input
    rate during learning is ``max_rate_hz`` (Table 3 C2: 500 Hz).
    """
    return replace(
        cfg,
        p_hebb_pot=cfg.p_hebb_pot * p_scale,
        p_antihebb_dep=cfg.p_antihebb_dep * p_scale,
        max_rate_hz=max_rate_hz,
    )


def replicate_channels(x: Tensor, channels: int) -> Tensor:
    """``(..., C_in, H, W) -> (..., channels, H, W)``; channel ``j`` is input ``j % C_in``."""
    idx = torch.arange(channels) % x.shape[-3]
    return x.index_select(x.dim() - 3, idx)


def residual_merge(direct: Tensor, residual: Tensor) -> Tensor:
    """Direct-path spikes plus replicated residual spikes, clamped to [-1, 1] (Sec. 2.1)."""
    return (direct + replicate_channels(residual, direct.shape[-3])).clamp(-1.0, 1.0)


def replication_weight(c_in: int, channels: int) -> NDArray[np.float64]:
    """Fixed 0/1 ``(channels, c_in, 1, 1)`` 1x1-conv weight of :func:`replicate_channels`."""
    w = np.zeros((channels, c_in, 1, 1))
    w[np.arange(channels), np.arange(channels) % c_in] = 1.0
    return w


def layer2_inputs(
    seq: Iterable[Tensor], layer1: ConvLayer, cfg: HBSTDPConfig, *, residual: bool
) -> Iterator[Tensor]:
    """Layer 2's input spike maps, step by step, for input spikes ``seq`` (layer 1 frozen)."""
    conv = ConvLIF(layer1.weight, layer1.threshold, cfg)
    for x in seq:
        s1 = conv.step(x)
        yield residual_merge(s1, x) if residual else s1


def learn_layer2(
    layer2: HBSTDPLayer,
    layer1: ConvLayer,
    images: Tensor,
    batch: int,
    *,
    residual: bool,
    plastic: bool = True,
) -> None:
    """HB-STDP on layer 2 with layer 1 frozen (Sec. 2.3, layer-wise).

    Mini-batches of ``images`` (N, C, H, W) are Poisson-encoded at
    ``layer2.cfg.max_rate_hz`` and passed through layer 1 (its inference dynamics, no
    dropout) step by step. ``plastic``: as :meth:`HBSTDPLayer.learn_spikes`.
    """
    cfg = layer2.cfg
    with torch.no_grad():
        for i in range(0, len(images), batch):
            x = images[i : i + batch]
            seq = (
                poisson_signed(x, cfg.max_rate_hz, cfg.dt, layer2.gen)
                for _ in range(cfg.t_stdp_steps)
            )
            layer2.learn_spikes(layer2_inputs(seq, layer1, cfg, residual=residual), plastic=plastic)


class _TraceProbe(HBSTDPLayer):
    """An :class:`HBSTDPLayer` that records the averaged sampled traces it acts on."""

    def __init__(self, layer: HBSTDPLayer) -> None:
        cfg = replace(layer.cfg, p_hebb_pot=0.0, p_antihebb_dep=0.0)
        co, ci, k, _ = layer.weight.shape
        super().__init__(ci, co, cfg, layer.gen, kernel_size=k, wta_depth=layer.wta_depth)
        self.weight = layer.weight.clone()
        self.seen: list[Tensor] = []

    def _count_windows(self, avg: Tensor) -> None:
        self.seen.append(avg.flatten())
        super()._count_windows(avg)


def trace_quantiles(
    layer: HBSTDPLayer,
    images: Tensor,
    batch: int,
    quantiles: Sequence[float],
    layer1: ConvLayer | None = None,
    *,
    residual: bool = False,
) -> list[float]:
    """Quantiles of the averaged |pre-traces| HB-STDP would act on, with switching off.

    Runs a copy of ``layer`` (switching probabilities 0, thresholds adapting by eq. 4) on
    ``images``, directly or behind frozen ``layer1``; used to place layer 2's windows at
    the same quantiles as layer 1's fitted windows. Draws from ``layer.gen``.
    """
    probe = _TraceProbe(layer)
    if layer1 is None:
        for i in range(0, len(images), batch):
            probe.learn_batch(images[i : i + batch])
    else:
        learn_layer2(probe, layer1, images, batch, residual=residual)
    if not probe.seen:
        raise HwsnnError("no post-spike: the averaged traces are undefined")
    seen = torch.cat(probe.seen).abs().double()
    return [float(v) for v in torch.quantile(seen, torch.tensor(quantiles, dtype=torch.float64))]


def restoc_features_from_spikes(
    seq: Tensor,
    layers: Sequence[ConvLayer],
    cfg: HBSTDPConfig,
    fc: FeatureConfig,
    *,
    residual: bool,
) -> Tensor:
    """Concatenated eq. 5 features of both layers for input spikes ``(T, B, C, H, W)``.

    One layer in ``layers`` gives :func:`hwsnn.models.hbstdp.features_from_spikes`.
    """
    if not 1 <= len(layers) <= 2:
        raise HwsnnError(f"ReStoCNet here has 1 or 2 conv layers, got {len(layers)}")
    convs = [ConvLIF(lay.weight, lay.threshold, cfg) for lay in layers]
    pools = [PoolLPF(cfg, fc) for _ in layers]
    for t in range(seq.shape[0]):
        x = seq[t]
        s1 = convs[0].step(x)
        pools[0].step(s1)
        if len(layers) == 2:
            pools[1].step(convs[1].step(residual_merge(s1, x) if residual else s1))
    return torch.cat([p.value() for p in pools], dim=1)


def extract_restoc_features(
    x: NDArray[np.float32],
    layers: Sequence[ConvLayer],
    cfg: HBSTDPConfig,
    fc: FeatureConfig,
    gen: torch.Generator,
    *,
    residual: bool,
    batch: int = 500,
) -> Tensor:
    """Features of images ``x`` (N, C, H, W) through ``layers`` (signed Poisson input)."""
    return batched_features(
        x,
        fc,
        cfg.dt,
        gen,
        lambda seq: restoc_features_from_spikes(seq, layers, cfg, fc, residual=residual),
        batch,
    )


def learn_layer2_on(
    layer1: HBSTDPLayer,
    images: Tensor,
    batch: int,
    seed: int,
    *,
    residual: bool,
    p_scale: float,
    plastic: bool = True,
) -> HBSTDPLayer:
    """Layer 2 with as many maps as layer 1, learned on ``images`` behind frozen ``layer1``.

    Table 3 practice: layer 1's windows, kernel size and depth WTA; switching probabilities
    scaled by ``p_scale`` and 500 Hz input (:func:`layer2_config`); eq. 7 initial kernels
    drawn from a generator seeded ``seed + 100``. ``plastic=False`` only adapts the
    thresholds (random-kernel control).
    """
    maps, k = layer1.weight.shape[0], layer1.weight.shape[-1]
    gen = torch.Generator().manual_seed(seed + 100)
    cfg = layer2_config(layer1.cfg, p_scale)
    layer2 = HBSTDPLayer(maps, maps, cfg, gen, kernel_size=k, wta_depth=layer1.wta_depth)
    learn_layer2(layer2, ConvLayer.of(layer1), images, batch, residual=residual, plastic=plastic)
    return layer2


def evaluate_restoc(
    layers: Sequence[ConvLayer],
    ds: Any,
    fc: FeatureConfig,
    epochs: int,
    seed: int,
    *,
    residual: bool,
) -> tuple[float, nn.Linear]:
    """Test accuracy and softmax readout on the layers' concatenated features.

    ``ds`` has ``x_train, y_train, x_test, y_test, n_classes``; feature draws come from
    one generator seeded ``seed + 1`` (train, then test), as in the 1-layer recipe.
    """
    cfg = HBSTDPConfig()
    gen = torch.Generator().manual_seed(seed + 1)
    f_tr, f_te = (
        extract_restoc_features(x, layers, cfg, fc, gen, residual=residual)
        for x in (ds.x_train, ds.x_test)
    )
    readout = train_readout(f_tr, ds.y_train, ds.n_classes, epochs=epochs, seed=seed)
    with torch.no_grad():
        pred = readout(f_te).argmax(dim=1).numpy()
    return float(np.mean(pred == np.asarray(ds.y_test))), readout


def _branch(
    tag: str, layer: ConvLayer, cfg: HBSTDPConfig, fc: FeatureConfig
) -> list[tuple[str, ir.Node]]:
    nodes = [("conv", binary_conv_node(layer.weight)), *neuron_nodes(layer.threshold, cfg, fc)]
    return [(f"{name}{tag}", node) for name, node in nodes]


def _chain(names: Sequence[str]) -> list[tuple[str, str]]:
    return list(itertools.pairwise(names))


def _merge_nodes(layer1: ConvLayer, cfg: HBSTDPConfig) -> list[tuple[str, ir.Node]]:
    """1x1 replication Conv2d, Add, and the unit-magnitude IF clamp (threshold 0.5)."""
    c1, c_in = layer1.weight.shape[0], layer1.weight.shape[1]
    clamp = ir.IF(r=np.asarray(1.0 / cfg.dt), v_threshold=np.asarray(0.5), reset=ir.ResetMode.ZERO)
    return [
        ("replicate", ir.Conv2d(weight=replication_weight(c_in, c1))),
        ("merge", ir.Add()),
        ("clamp", clamp),
    ]


def _layers_wiring(
    src: str, layers: Sequence[ConvLayer], cfg: HBSTDPConfig, fc: FeatureConfig, *, residual: bool
) -> tuple[list[tuple[str, ir.Node]], list[tuple[str, str]]]:
    """Both layers' nodes after the input node ``src``, with or without the residual merge."""
    b1, b2 = _branch("1", layers[0], cfg, fc), _branch("2", layers[1], cfg, fc)
    nodes = b1 + b2
    names1, names2 = [n for n, _ in b1], [n for n, _ in b2]
    edges = [(src, names1[0]), *_chain(names1), *_chain(names2)]
    if residual:
        nodes += _merge_nodes(layers[0], cfg)
        edges += [(src, "replicate"), ("lif1", "merge"), ("replicate", "merge")]
        edges += [("merge", "clamp"), ("clamp", "conv2")]
    else:
        edges.append(("lif1", "conv2"))
    return nodes, edges


def export_restocnet(
    layers: Sequence[ConvLayer],
    readout: nn.Linear,
    input_shape: tuple[int, int, int],
    cfg: HBSTDPConfig,
    fc: FeatureConfig,
    *,
    residual: bool,
    encoder: bool = True,
    front: NDArray[np.float64] | None = None,
    signed: bool = False,
) -> ir.Graph:
    """IR graph of the 2-layer network; the readout is ``outputs[-1]`` (``lpf(T) / T``).

    Residual merge: a fixed 0/1 1x1 ``Conv2d`` replicates the input spikes, ``Add`` sums
    them with layer 1's spikes ({0, 1, 2} for ON/OFF input) and an ``IF`` with threshold
    0.5, zero reset and ``r = 1 / dt`` clamps the sum to {0, 1} exactly (its membrane is 0
    at every step start; exact for non-negative input spikes, i.e. ON/OFF, not signed
    input). Both layers' LPF outputs are joined by ``Concat(axis=0)``.
    ``front``/``encoder``/``signed``: as :func:`hwsnn.models.hbstdp.export_hbstdp`.

    Raises:
        HwsnnError: Not 2 layers, or ``signed`` with ``residual`` (the IF clamp cannot
            clamp ``-1`` spikes to [-1, 1], so the export would not be exact).
    """
    if len(layers) != 2:
        raise HwsnnError(f"export_restocnet needs 2 conv layers, got {len(layers)}")
    if signed and residual:
        raise HwsnnError(
            "export_restocnet: signed input with residual=True is not exportable exactly "
            "(the IF clamp of the residual merge only handles non-negative spikes); "
            "use ON/OFF input or residual=False"
        )
    nodes = input_nodes(input_shape, cfg.dt, fc, encoder=encoder, front=front, signed=signed)
    edges = _chain([n for n, _ in nodes])
    more, more_edges = _layers_wiring(nodes[-1][0], layers, cfg, fc, residual=residual)
    nodes += more
    edges += more_edges
    nodes += [("concat", ir.Concat(axis=0)), ("flatten", ir.Flatten())]
    nodes += [("readout", readout_node(readout, fc)), ("output", ir.Output())]
    edges += [("lpf1", "concat"), ("lpf2", "concat"), *_chain(["concat", "flatten", "readout"])]
    edges.append(("readout", "output"))
    meta = {"model": "restocnet", "paper": "002 Srinivasan & Roy 2019", "readout": "last"}
    meta["residual"] = str(residual)
    return ir.Graph(
        nodes=dict(nodes), edges=tuple(edges), dt=cfg.dt, timesteps=fc.steps, metadata=meta
    )
