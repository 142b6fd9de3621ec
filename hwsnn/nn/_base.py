"""Shared pieces of the hwsnn torch modules: the sequence-module marker and node names."""

from __future__ import annotations

import re

import torch

__all__ = ["SequenceModule", "node_name"]

_INVALID = re.compile(r"[^A-Za-z0-9_.\-]")


class SequenceModule(torch.nn.Module):
    """A module whose ``forward`` takes a whole ``(T, B, *shape)`` sequence.

    Neurons, encoders and containers are sequence modules; every other (stateless)
    torch layer is applied by :class:`hwsnn.nn.Sequential` to the sequence flattened
    to ``(T * B, *shape)``.
    """


def node_name(path: str, module: torch.nn.Module) -> str:
    """IR node name of the module at ``path`` (as in ``named_modules``).

    ``"0"`` becomes ``"layer0"``, ``"1.block.0"`` becomes ``"layer1.block.0"``; other
    characters outside ``[A-Za-z0-9_.-]`` become ``_``; the root module (empty path) is
    named after its class in lower case.
    """
    if not path:
        return type(module).__name__.lower()
    name = _INVALID.sub("_", path)
    if not (name[0].isalpha() or name[0] == "_"):
        name = "layer" + name
    return name[:128]
