"""Lowering of one neuron node (LIF, IF, LI) and its incoming synapses to Loihi integers.

How the IR's forward-Euler neuron maps onto Lava's CUBA LIF (``PyLifModelBitAcc``)
--------------------------------------------------------------------------------------
IR, per step ``t`` (``hwsnn.ir.neuron_coefficients``)::

    v[t] = keep * v[t-1] + gain * I[t] + leak;  s[t] = v[t] > v_threshold;  reset

Lava fixed point, per step ``k`` (ir_lava.md section 2.2)::

    u[k] = u[k-1] * (4096 - du - 1) / 4096 + (a_in[k] << 6)      (24-bit, wraps past 2**23)
    v[k] = v[k-1] * (4096 - dv) / 4096 + u[k] + bias_mant << bias_exp   (saturates at 2**23-1)
    s[k] = v[k] > vth << 6;  v[k] = 0 where s[k]

The IR neuron has no synaptic current state, so ``du = 4095`` (``δu = 1``: ``u[k]`` is this
step's input only), ``dv = round(4096 (1 - keep))``. Per-neuron ``gain`` and ``v_threshold``
are folded into the incoming weights and the bias (row ``i`` divided by ``θ_i``), which is
exact for reset to zero; the population then has threshold 1 in "threshold units" and one
shared integer ``vth``. One ``a_in`` unit is worth ``c = 1 / vth`` thresholds, one ``v`` unit
``λ = c / 64``. ``vth`` is the largest value for which the worst-case input of one step
(``R`` thresholds, all sources at their peak payload) cannot wrap ``u`` or saturate ``v``:
``vth (1 + R) < 2**17``; ``TargetConstraintError`` is never needed for this because a smaller
``vth`` always fits, at the price of resolution (reported as ``threshold_scaling``).
Weights become ``W / c`` quantised with a shared exponent per connection; bias
``(gain b + leak) / θ / λ`` per neuron (``bias`` is not shifted by 6).

Differences that remain: (1) every synapse process delays by one step, so a population at
synaptic depth ``d`` computes IR step ``t`` at Lava step ``t + d`` (``Population.depth``;
shorter residual paths get ``DelayDense`` delays so all inputs of a neuron align); (2) the
bias acts from Lava step 0, i.e. ``d`` steps before the first input (``bias_lead``
diagnostic); (3) Lava resets to 0 only: an IR ``SUBTRACT`` reset is *approximated* by reset to
zero (``reset_approximation`` diagnostic; it loses the residue ``v - θ``) unless the lowering
config asks to refuse it; ``v_reset != 0`` is refused; (4) per-neuron ``tau_mem`` would need
split populations and is refused; (5) ``LI`` readouts become a ``LIF`` whose threshold is out
of reach (``v`` is scaled so the ``T``-step worst case stays below ``vth << 6``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.lava._terms import Current, Operator, SourceInfo, make_operator, to_dense
from hwsnn.backends.lava.artifact import Connection, Diagnostic, FloatParams, Population
from hwsnn.backends.lava.quantize import decay_int, quantize_bias, quantize_weights
from hwsnn.errors import TargetConstraintError, UnsupportedNodeError
from hwsnn.ir import IF, LI, LIF, ResetMode, neuron_coefficients
from hwsnn.targets import TargetSpec

__all__ = ["LoweringConfig", "lower_population"]

F64 = NDArray[np.float64]
_NEURONS = ("IF", "LI", "LIF")
_LI_FLOAT_VTH = 1e300


@dataclass(frozen=True)
class LoweringConfig:
    """Choices of the Loihi lowering.

    Attributes:
        input_range: Largest input magnitude of direct encoding (input units); the graded
            payload covers ``[0, input_range]`` (or ``[-input_range, input_range]``).
        input_signed: Whether direct inputs can be negative.
        subtract_reset: ``"approximate"`` (reset to zero, with a diagnostic) or ``"refuse"``.
        headroom: Largest input of one step, in thresholds, that must not wrap ``u``; ``None``
            uses the worst case (every source at its peak payload).
        chips: Chips available; more cores than ``chips * cores per chip`` is an error.
    """

    input_range: float = 1.0
    input_signed: bool = False
    subtract_reset: str = "approximate"
    headroom: float | None = None
    chips: int = 1


def _flat(value: F64, shape: tuple[int, ...]) -> F64:
    return np.broadcast_to(np.asarray(value, dtype=np.float64), shape).reshape(-1).copy()


def _check_neuron(name: str, node: LIF | IF | LI, config: LoweringConfig) -> list[Diagnostic]:
    if isinstance(node, LI):
        return []
    if isinstance(node, LIF) and node.threshold_scale is not None:
        raise UnsupportedNodeError(
            f"LIF {name!r} with threshold_scale", "lava (one vth per population)", _NEURONS
        )
    if node.reset is ResetMode.ZERO and np.any(node.v_reset != 0):
        raise UnsupportedNodeError(
            f"{type(node).__name__} {name!r} with v_reset != 0",
            "lava (Loihi resets v to 0 only)",
            _NEURONS,
        )
    if node.reset is ResetMode.SUBTRACT:
        if config.subtract_reset != "approximate":
            raise UnsupportedNodeError(
                f"{type(node).__name__} {name!r} with SUBTRACT reset",
                "lava (Loihi resets v to 0 only)",
                _NEURONS,
            )
        return [
            Diagnostic(
                "reset_approximation",
                name,
                "SUBTRACT reset approximated by reset to 0 (the residue v - θ is lost)",
            )
        ]
    return []


def _coefficients(
    name: str, node: LIF | IF | LI, shape: tuple[int, ...], dt: float
) -> tuple[float, F64, F64, F64]:
    """(keep, row factor, bias-per-step term of the neuron itself, threshold) per neuron."""
    coef = neuron_coefficients(node, dt)
    keep = _flat(coef.keep.astype(np.float64), shape)
    if np.ptp(keep) > 0:
        raise UnsupportedNodeError(
            f"{type(node).__name__} {name!r} with per-neuron tau_mem",
            "lava (du/dv shared per population; splitting not implemented)",
            _NEURONS,
        )
    gain = _flat(coef.gain.astype(np.float64), shape)
    leak = _flat(coef.leak.astype(np.float64), shape)
    theta = np.ones_like(gain) if isinstance(node, LI) else _flat(node.v_threshold, shape)
    return float(keep[0]), gain / theta, leak / theta, theta


def _scale_rows(op: Operator, factor: F64) -> Operator:
    if op.kind == "conv" and np.ptp(factor) > 0:
        op = to_dense(op)
    op.weight = op.weight * (factor[:, None] if op.kind == "dense" else factor[0])
    op.bias = op.bias * factor
    return op


def _worst_case(ops: Sequence[Operator], sources: dict[str, SourceInfo], bias: F64) -> float:
    """Largest |input| of one step over neurons, with every source at its peak payload."""
    pos = np.zeros_like(bias)
    neg = np.zeros_like(bias)
    for op in ops:
        src = sources[op.term.src]
        w = op.weight if op.kind == "dense" else op.weight.reshape(op.weight.shape[0], -1)
        p = np.clip(w, 0, None).sum(axis=1) * src.peak
        n = -np.clip(w, None, 0).sum(axis=1) * src.peak
        if src.signed:
            p, n = p + n, p + n
        if op.kind == "conv":
            p = np.repeat(p, int(np.prod(op.out_shape[1:])))
            n = np.repeat(n, int(np.prod(op.out_shape[1:])))
        pos, neg = pos + p, neg + n
    return float(np.max(np.maximum(pos, neg) + np.abs(bias)))


def _input_unit(
    kind: str,
    ops: Sequence[Operator],
    worst: float,
    horizon: float,
    spec: TargetSpec,
    config: LoweringConfig,
) -> tuple[int, float]:
    """(vth, c): integer threshold and the real value of one ``a_in`` unit."""
    w_top = 2 ** spec.bits("weight_bits") - 2
    conv_peak = max(
        (float(np.abs(op.weight).max()) for op in ops if op.kind == "conv"), default=0.0
    )
    vth_max = 2 ** spec.bits("vth_bits") - 1
    a_in_max = 2 ** (spec.bits("state_bits") - 1 - spec.bits("act_shift")) - 1
    if kind == "li":
        c = max(
            64 * worst * horizon / 2 ** (spec.bits("state_bits") - 2), conv_peak / w_top, 1e-300
        )
        return vth_max, c
    reach = worst if config.headroom is None else min(worst, config.headroom)
    vth = min(vth_max, math.floor(a_in_max / (1.0 + reach)))
    if conv_peak > 0:
        vth = min(vth, math.floor(w_top / conv_peak))
    vth = max(vth, 1)
    return vth, 1.0 / vth


def _align(
    name: str, ops: Sequence[Operator], sources: dict[str, SourceInfo], spec: TargetSpec
) -> tuple[int, list[int]]:
    """Depth of the population and the extra delay each incoming term needs to align."""
    depth = max(sources[op.term.src].depth for op in ops) + 1
    delays = [depth - 1 - sources[op.term.src].depth for op in ops]
    limit = 2 ** spec.bits("delay_bits") - 1
    if max(delays) > limit:
        raise TargetConstraintError("synapse_delay_steps", limit, max(delays), where=name)
    return depth, delays


def _connection(
    name: str, dst: str, op: Operator, delay: int, src: SourceInfo, c: float, spec: TargetSpec
) -> tuple[Connection, Diagnostic]:
    """Connection ``name`` into population ``dst``, quantised, and its quantisation diagnostic."""
    mant, exp, mode, metrics = quantize_weights(
        op.weight / c, spec, use_exponent=op.kind == "dense"
    )
    conn = Connection(
        name=name,
        src=op.term.src,
        dst=dst,
        kind=op.kind,
        weights=mant,
        weight_exp=exp,
        delay=delay,
        graded=src.graded,
        sign_mode=mode,
        float_weights=op.weight,
        in_shape=op.in_shape,
        out_shape=op.out_shape,
        stride=op.stride,
        padding=op.padding,
        dilation=op.dilation,
        groups=op.groups,
    )
    diag = Diagnostic(
        "weight_quantization",
        name,
        f"{op.kind} weights -> {mode} mantissa x 2^{exp}: "
        f"{metrics['clipped_fraction']:.2%} clipped, "
        f"RMS error {metrics['rms_error_rel']:.2%} of max",
        metrics,
    )
    return conn, diag


def _connections(
    name: str,
    ops: Sequence[Operator],
    delays: Sequence[int],
    sources: dict[str, SourceInfo],
    c: float,
    spec: TargetSpec,
) -> tuple[list[Connection], list[Diagnostic]]:
    conns: list[Connection] = []
    diags: list[Diagnostic] = []
    for k, (op, delay) in enumerate(zip(ops, delays, strict=True)):
        conn_name = f"{op.term.src}->{name}#{k}"
        if delay > 0 and op.kind == "conv":
            op = to_dense(op)
            diags.append(
                Diagnostic(
                    "conv_as_dense",
                    conn_name,
                    f"conv realised as DelayDense to add {delay} step(s) of delay",
                )
            )
        conn, diag = _connection(conn_name, name, op, delay, sources[op.term.src], c, spec)
        conns.append(conn)
        diags.append(diag)
    return conns, diags


def _scaling_diagnostics(
    name: str,
    kind: str,
    vth: int,
    worst: float,
    depth: int,
    bias: F64,
    bias_metrics: dict[str, float],
    dv_error: float,
    config: LoweringConfig,
) -> list[Diagnostic]:
    reach = worst if config.headroom is None else min(worst, config.headroom)
    metrics = {
        "vth": float(vth),
        "worst_case_input": worst,
        "threshold_step_rel": 1.0 / vth,
        "wrap_possible": float(kind == "lif" and reach < worst),
    }
    unit = "thresholds" if kind == "lif" else "v units"
    diags = [
        Diagnostic(
            "threshold_scaling",
            name,
            f"vth={vth}; worst-case input {worst:.3g} {unit}/step",
            metrics,
        ),
        Diagnostic(
            "decay_quantization",
            name,
            f"12-bit voltage decay error {dv_error:.2e} per step",
            {"decay_error": dv_error},
        ),
    ]
    if np.any(bias != 0):
        diags.append(
            Diagnostic("bias_quantization", name, "bias -> 13-bit mantissa x 2^exp", bias_metrics)
        )
        diags.append(
            Diagnostic(
                "bias_lead",
                name,
                f"bias acts {depth} Lava step(s) before the first input arrives",
                {"steps": float(depth)},
            )
        )
    return diags


def lower_population(
    name: str,
    node: LIF | IF | LI,
    current: Current,
    sources: dict[str, SourceInfo],
    shape: tuple[int, ...],
    dt: float,
    total_steps: int,
    spec: TargetSpec,
    config: LoweringConfig,
) -> tuple[Population, list[Connection], list[Diagnostic]]:
    """Lower neuron ``node`` (IR shape ``shape``) fed by ``current`` to a Loihi population.

    Returns:
        The population, its incoming connections and the diagnostics of every lossy step.

    Raises:
        UnsupportedNodeError: A neuron feature Loihi lacks (see the module docstring).
        TargetConstraintError: A residual path needs more delay than ``delay_bits`` allow.
    """
    diags = _check_neuron(name, node, config)
    keep, factor, own_bias, _ = _coefficients(name, node, shape, dt)
    ops = [_scale_rows(make_operator(t, sources[t.src], shape), factor) for t in current.terms]
    bias = own_bias + np.sum([op.bias for op in ops], axis=0)
    depth, delays = _align(name, ops, sources, spec)
    kind = "li" if isinstance(node, LI) else "lif"
    worst = _worst_case(ops, sources, bias)
    horizon = total_steps if keep >= 1.0 else min(total_steps, 1.0 / (1.0 - keep))
    vth, c = _input_unit(kind, ops, worst, horizon, spec, config)
    v_lsb = c / 2 ** spec.bits("act_shift")
    conns, conn_diags = _connections(name, ops, delays, sources, c, spec)
    mant, bexp, bias_metrics = quantize_bias(bias / v_lsb, spec)
    dv, dv_real = decay_int(1.0 - keep, spec, offset=0)
    du, _ = decay_int(1.0, spec, offset=1)
    diags += conn_diags + _scaling_diagnostics(
        name, kind, vth, worst, depth, bias, bias_metrics, abs(dv_real - (1.0 - keep)), config
    )
    float_vth = 1.0 if kind == "lif" else _LI_FLOAT_VTH
    pop = Population(
        name=name, kind=kind, shape=shape, du=du, dv=dv, vth=vth, bias_mant=mant,
        bias_exp=bexp, v_lsb=v_lsb, depth=depth,
        float_params=FloatParams(dv=1.0 - keep, vth=float_vth, bias=bias),
    )  # fmt: skip
    return pop, conns, diags
