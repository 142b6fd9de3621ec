"""Base class, enums and array helpers shared by every IR node."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hwsnn.errors import IRValidationError

Shape = tuple[int, ...]
FloatArray = NDArray[np.float64]

__all__ = [
    "FloatArray",
    "Node",
    "Quantization",
    "ResetMode",
    "Rounding",
    "Shape",
    "as_array",
    "as_pair",
    "check_broadcastable",
]


class ResetMode(enum.StrEnum):
    """What a spiking neuron does to its membrane after a spike."""

    SUBTRACT = "subtract"
    """``v <- v - v_threshold`` (soft reset; keeps the residue)."""
    ZERO = "zero"
    """``v <- v_reset`` (hard reset; ``v_reset`` is 0 unless set)."""


class Rounding(enum.StrEnum):
    """Rounding used when a weight is quantised."""

    NEAREST = "nearest"
    FLOOR = "floor"
    STOCHASTIC = "stochastic"


def as_array(owner: str, field: str, value: ArrayLike, *, ndim: int | None = None) -> FloatArray:
    """Return a read-only float64 copy of ``value``, checking it is finite.

    Raises:
        IRValidationError: ``value`` is not numeric, not finite, or has the wrong rank.
    """
    try:
        array = np.array(value, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise IRValidationError(f"{owner}.{field}: not a numeric array ({exc})") from None
    if ndim is not None and array.ndim != ndim:
        raise IRValidationError(
            f"{owner}.{field}: expected {ndim} dimensions, got shape {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise IRValidationError(f"{owner}.{field}: contains NaN or infinity")
    array.setflags(write=False)
    return array


def as_pair(owner: str, field: str, value: int | Sequence[int], *, minimum: int) -> tuple[int, int]:
    """Return ``value`` as an ``(int, int)`` pair, each at least ``minimum``."""
    pair = (value, value) if isinstance(value, int | np.integer) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int | np.integer) for v in pair):
        raise IRValidationError(
            f"{owner}.{field}: expected an int or a pair of ints, got {value!r}"
        )
    if min(pair) < minimum:
        raise IRValidationError(f"{owner}.{field}: must be >= {minimum}, got {value!r}")
    return (int(pair[0]), int(pair[1]))


def check_broadcastable(owner: str, field: str, array: FloatArray, shape: Shape) -> None:
    """Raise unless ``array`` broadcasts to the activation ``shape`` (no batch dim)."""
    try:
        out = np.broadcast_shapes(array.shape, shape)
    except ValueError:
        out = None
    if out != shape:
        raise IRValidationError(
            f"{owner}.{field}: shape {array.shape} does not broadcast to activations {shape}"
        )


@dataclass(frozen=True, kw_only=True)
class Quantization:
    """How a node's weights are quantised on the way to hardware.

    Attributes:
        weight_bits: Bits per weight including sign, 1..32.
        scale: Real value of one least significant bit (weight units); 0 means "choose per layer".
        rounding: Rounding mode.
    """

    weight_bits: int
    scale: float = 0.0
    rounding: Rounding = Rounding.NEAREST

    def __post_init__(self) -> None:
        if not 1 <= self.weight_bits <= 32:
            raise IRValidationError(
                f"Quantization.weight_bits: must be in 1..32, got {self.weight_bits}"
            )
        if not np.isfinite(self.scale) or self.scale < 0:
            raise IRValidationError(
                f"Quantization.scale: must be finite and >= 0, got {self.scale}"
            )
        object.__setattr__(self, "rounding", Rounding(self.rounding))


@dataclass(frozen=True, kw_only=True, eq=False)
class Node:
    """A primitive of the hwsnn IR: data only, validated on construction.

    Subclasses declare ``arity`` (number of inputs; ``None`` means two or more) and
    implement :meth:`infer_shape`. Array fields are stored as read-only float64 copies.
    """

    arity: ClassVar[int | None] = 1
    stateful: ClassVar[bool] = False
    spiking: ClassVar[bool] = False
    encoding: ClassVar[str | None] = None
    """Name of the input code an encoder node implements (``None`` for other nodes)."""

    def __post_init__(self) -> None:
        self._validate()

    def _validate(self) -> None:
        """Copy, freeze and check fields; subclasses extend it."""

    def _set(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)

    def _array(self, name: str, *, ndim: int | None = None) -> FloatArray:
        array = as_array(type(self).__name__, name, getattr(self, name), ndim=ndim)
        self._set(name, array)
        return array

    def _positive(self, name: str) -> FloatArray:
        array = self._array(name)
        if np.any(array <= 0):
            raise IRValidationError(
                f"{type(self).__name__}.{name}: must be > 0, got min {array.min()}"
            )
        return array

    def infer_shape(self, inputs: tuple[Shape, ...]) -> Shape:
        """Output activation shape (no batch dim) for the given input shapes."""
        return inputs[0]

    def fields(self) -> dict[str, Any]:
        """Field values by name, in declaration order."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def __repr__(self) -> str:
        parts = []
        for name, value in self.fields().items():
            big = isinstance(value, np.ndarray) and value.size > 4
            parts.append(f"{name}=array{value.shape}" if big else f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"
