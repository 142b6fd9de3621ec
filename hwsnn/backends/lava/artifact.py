"""What the Loihi lowering produces: integer populations, connections and diagnostics (numpy only).

The artifact is the single description that both the Lava process builder
(:mod:`hwsnn.backends.lava.process`) and the vectorised emulator (:mod:`hwsnn.sim.loihi`) read.
Arrays are stored in IR order: a population of IR shape ``(C, H, W)`` is flattened C-major;
conv kernels keep the IR layout ``(C_out, C_in / groups, kH, kW)`` (cross-correlation). The
Lava builder applies the kernel flip and the ``(W, H, C)`` layout (see ``lava_conv_weight``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.lava.resources import ResourceReport

__all__ = [
    "Connection",
    "Diagnostic",
    "FloatParams",
    "InputSpec",
    "LoihiArtifact",
    "Population",
    "lava_conv_weight",
]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Diagnostic:
    """One lossy or approximate step of the lowering, with measured metrics.

    Attributes:
        step: What was done, e.g. ``"weight_quantization"``, ``"reset_approximation"``.
        node: The IR node (or connection ``src->dst``) it applies to.
        message: One human-readable line.
        metrics: Named numbers, e.g. ``clipped_fraction`` (1), ``rms_error_rel`` (1).
    """

    step: str
    node: str
    message: str
    metrics: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class FloatParams:
    """Parameters of the same population for Lava's ``floating_pt`` models (never for fixed_pt).

    Attributes:
        dv: Voltage decay fraction per step (1).
        vth: Threshold in the population's float units.
        bias: Bias added to ``v`` every step, shape ``(n,)``.
    """

    dv: float
    vth: float
    bias: FloatArray


@dataclass(frozen=True)
class InputSpec:
    """How host data enters the chip (a Lava ``io.source.RingBuffer``).

    Attributes:
        name: IR node whose output the source stands for (Input, or the PoissonEncoder).
        shape: IR shape of one sample.
        encoding: ``"direct"`` (graded payload every step) or ``"poisson"`` (binary spikes).
        payload_bits: Bits of the graded payload (0 for binary spikes).
        signed: Whether the payload is signed.
        lsb: Real input value of one payload unit (input units).
        poisson_gain: Spike probability per unit input for ``"poisson"``.
        depth: Lava step at which IR step 0 of this node happens (always 0).
    """

    name: str
    shape: tuple[int, ...]
    encoding: str
    payload_bits: int
    signed: bool
    lsb: float
    poisson_gain: float = 1.0
    depth: int = 0

    @property
    def size(self) -> int:
        """Number of input channels (flattened)."""
        return math.prod(self.shape)

    @property
    def payload_range(self) -> tuple[int, int]:
        """Smallest and largest payload value."""
        if self.payload_bits == 0:
            return (0, 1)
        if self.signed:
            return (-(2 ** (self.payload_bits - 1)), 2 ** (self.payload_bits - 1) - 1)
        return (0, 2**self.payload_bits - 1)


@dataclass(frozen=True)
class Population:
    """One Lava ``LIF`` process in ``fixed_pt`` integer units.

    Attributes:
        name: IR neuron node it realises.
        kind: ``"lif"`` (spiking) or ``"li"`` (readout: threshold never reached; output is ``v``).
        shape: IR shape (no batch).
        du: Current decay, unsigned 12-bit (4095 = no current memory).
        dv: Voltage decay, unsigned 12-bit; ``v <- v (4096 - dv) / 4096`` (toward zero).
        vth: Threshold mantissa, unsigned 17-bit; spike when ``v > vth << 6``.
        bias_mant: Bias mantissa per neuron, signed 13-bit, shape ``(n,)``.
        bias_exp: Bias exponent per neuron, unsigned 3-bit, shape ``(n,)``.
        v_lsb: IR membrane value of one ``v`` unit (IR voltage units).
        depth: Lava step at which this population computes IR step 0.
        float_params: The same population for the ``floating_pt`` path.
    """

    name: str
    kind: str
    shape: tuple[int, ...]
    du: int
    dv: int
    vth: int
    bias_mant: IntArray
    bias_exp: IntArray
    v_lsb: float
    depth: int
    float_params: FloatParams

    @property
    def size(self) -> int:
        """Number of neurons."""
        return math.prod(self.shape)


@dataclass(frozen=True)
class Connection:
    """One Lava synapse process (``Dense``, ``DelayDense`` or ``Conv``) between two populations.

    Attributes:
        name: ``"<src>-><dst>#<k>"``.
        src: Source population or input name.
        dst: Destination population name.
        kind: ``"dense"`` or ``"conv"``.
        weights: Integer weights; dense ``(n_dst, n_src)``, conv ``(C_out, C_in/g, kH, kW)``.
        weight_exp: Shift of the accumulated sum (dense only; Lava's CPU Conv ignores it).
        delay: Extra steps of delay beyond the one every synapse adds (``DelayDense``).
        graded: Whether the source sends graded payloads (``num_message_bits > 0``).
        sign_mode: ``"mixed"``, ``"excitatory"`` or ``"inhibitory"`` (Lava ``SignMode``).
        float_weights: Same shape, float weights for the ``floating_pt`` path.
        stride, padding, dilation: Conv ``(H, W)`` pairs (IR order).
        groups: Conv groups.
        in_shape: IR shape of the source.
        out_shape: IR shape of the destination.
    """

    name: str
    src: str
    dst: str
    kind: str
    weights: IntArray
    weight_exp: int
    delay: int
    graded: bool
    sign_mode: str
    float_weights: FloatArray
    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    groups: int = 1

    @property
    def synapses(self) -> int:
        """Number of non-zero synapses (conv: kernel taps x output positions)."""
        if self.kind == "dense":
            return int(np.count_nonzero(self.weights))
        c_out, _, _, _ = self.weights.shape
        per_out = np.count_nonzero(self.weights.reshape(c_out, -1), axis=1)
        positions = math.prod(self.out_shape[1:])
        return int(per_out.sum() * positions)


@dataclass(frozen=True)
class LoihiArtifact:
    """A graph lowered to Loihi fixed point and partitioned onto cores.

    Attributes:
        target: Target spec name (e.g. ``"loihi2"``).
        input: The host-side source.
        populations: Neuron populations in topological order.
        connections: Synapse processes.
        output: Name of the population the IR Output reads.
        timesteps: IR steps per inference.
        diagnostics: Every lossy or approximate lowering step.
        resources: Core partition and per-core usage.
        dt: IR time step (s).
    """

    target: str
    input: InputSpec
    populations: tuple[Population, ...]
    connections: tuple[Connection, ...]
    output: str
    timesteps: int
    diagnostics: tuple[Diagnostic, ...]
    resources: ResourceReport
    dt: float

    @property
    def latency(self) -> int:
        """Lava steps between an input and the output population's response (synapse delays)."""
        return self.population(self.output).depth

    @property
    def total_steps(self) -> int:
        """Lava steps needed so the output has seen all ``timesteps`` inputs."""
        return self.timesteps + max(p.depth for p in self.populations)

    def population(self, name: str) -> Population:
        """Population by IR node name."""
        for pop in self.populations:
            if pop.name == name:
                return pop
        raise KeyError(name)

    def incoming(self, name: str) -> tuple[Connection, ...]:
        """Connections into population ``name``."""
        return tuple(c for c in self.connections if c.dst == name)


def lava_conv_weight(weight: IntArray | FloatArray) -> NDArray[np.generic]:
    """IR/PyTorch kernel ``(C_out, C_in/g, kH, kW)`` -> Lava ``(C_out, kW, kH, C_in/g)``, flipped.

    Lava's ``Conv`` is a true convolution on ``(W, H, C)`` tensors (scipy ``convolve2d``),
    PyTorch's a cross-correlation on ``(C, H, W)``: the kernel is flipped in both spatial axes
    and transposed (ir_lava.md section 2.4, verified against ``torch.conv2d``).
    """
    return np.ascontiguousarray(weight[:, :, ::-1, ::-1].transpose(0, 3, 2, 1))
