"""The one registry of IR node types, used by every file format and backend."""

from __future__ import annotations

from hwsnn.errors import IRValidationError
from hwsnn.ir._base import Node
from hwsnn.ir.filters import SAU, AlphaSynapse
from hwsnn.ir.io import CurrentEncoder, Input, Output, PoissonEncoder
from hwsnn.ir.neuron import IF, LI, LIF, NLIF
from hwsnn.ir.synapse import (
    Add,
    Affine,
    AvgPool2d,
    Concat,
    Conv2d,
    Flatten,
    Linear,
    MaxPool2d,
    ReLU,
    Scale,
    SumPool2d,
)
from hwsnn.ir.temporal import MaxPoolTTFS, TimeAffine, TTFSEncoder

__all__ = ["NODE_TYPES", "node_type", "register_node_type"]

NODE_TYPES: dict[str, type[Node]] = {
    cls.__name__: cls
    for cls in (
        Input,
        PoissonEncoder,
        CurrentEncoder,
        Affine,
        Linear,
        Conv2d,
        AvgPool2d,
        SumPool2d,
        MaxPool2d,
        ReLU,
        Flatten,
        Add,
        Concat,
        Scale,
        LIF,
        IF,
        LI,
        NLIF,
        Output,
        TTFSEncoder,
        MaxPoolTTFS,
        TimeAffine,
        AlphaSynapse,
        SAU,
    )
}


def node_type(name: str) -> type[Node]:
    """Return the node class registered as ``name``."""
    try:
        return NODE_TYPES[name]
    except KeyError:
        raise IRValidationError(
            f"unknown node type {name!r}; known: {', '.join(sorted(NODE_TYPES))}"
        ) from None


def register_node_type(cls: type[Node]) -> type[Node]:
    """Register a node class (usable as a decorator); its name must be new."""
    if cls.__name__ in NODE_TYPES and NODE_TYPES[cls.__name__] is not cls:
        raise IRValidationError(f"node type {cls.__name__!r} is already registered")
    NODE_TYPES[cls.__name__] = cls
    return cls
