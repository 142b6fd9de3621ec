"""Fixed, locale-free number formatting shared by the renderers (engineering prefixes only here)."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["count", "eng", "metric", "number", "percent", "ratio", "value"]

_PREFIXES = (
    (1e-15, "f"),
    (1e-12, "p"),
    (1e-9, "n"),
    (1e-6, "µ"),
    (1e-3, "m"),
    (1.0, ""),
    (1e3, "k"),
    (1e6, "M"),
    (1e9, "G"),
)


def eng(x: float, unit: str, digits: int = 3) -> str:
    """``x`` in SI ``unit`` with an engineering prefix, ``digits`` significant (4.60 pJ)."""
    if not math.isfinite(x):
        return f"{x} {unit}"
    if x == 0:
        return f"0 {unit}"
    scale, prefix = _PREFIXES[0]
    for s, p in _PREFIXES:
        if abs(x) >= s:
            scale, prefix = s, p
    scaled = x / scale
    decimals = max(digits - 1 - math.floor(math.log10(abs(scaled))), 0)
    return f"{scaled:.{decimals}f} {prefix}{unit}"


def number(x: float, digits: int = 4) -> str:
    """A float with ``digits`` significant digits, no exponent below 1e6."""
    if not math.isfinite(x):
        return "∞" if x > 0 else str(x)
    if x == 0 or 1e-3 <= abs(x) < 1e6:
        return f"{x:.{digits}g}" if abs(x) < 10**digits else f"{x:,.0f}"
    return f"{x:.{digits - 1}e}"


def count(x: float) -> str:
    """A count per inference (thousands separated, one decimal when fractional and small)."""
    return f"{x:,.0f}" if abs(x) >= 100 or float(x).is_integer() else f"{x:,.1f}"


def percent(x: float) -> str:
    """A fraction in 0..1 as a percentage with two decimals."""
    return f"{100 * x:.2f} %"


def ratio(x: float) -> str:
    """A ratio like ``9.14×``."""
    return "∞" if math.isinf(x) else f"{x:#.3g}×"


def value(v: Any) -> str:
    """A metric value of any JSON-able type as short text."""
    if isinstance(v, bool) or v is None:
        return str(v).lower() if isinstance(v, bool) else "–"
    if isinstance(v, int):
        return f"{v:,}" if abs(v) >= 10_000 else str(v)
    if isinstance(v, float):
        return number(v)
    if isinstance(v, list | tuple):
        return ", ".join(value(item) for item in v)
    return str(v)


_UNIT_SUFFIXES = (
    ("_hz_per_v", "Hz/V"),
    ("_j", "J"),
    ("_s", "s"),
    ("_v", "V"),
    ("_a", "A"),
    ("_w", "W"),
    ("_hz", "Hz"),
    ("_ohm", "Ω"),
    ("_siemens", "S"),
    ("_f", "F"),
)


def metric(key: str, v: Any) -> str:
    """A stage metric formatted by the unit its key ends with (``_j`` joules, ``_s`` seconds, ...).

    Keys containing ``accuracy`` with a value in 0..1 are shown as percentages.
    """
    if isinstance(v, float | int) and not isinstance(v, bool):
        for suffix, unit in _UNIT_SUFFIXES:
            if key.endswith(suffix):
                return eng(float(v), unit)
        if "accuracy" in key and 0.0 <= v <= 1.0:
            return percent(float(v))
    return value(v)
