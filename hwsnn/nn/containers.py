"""Containers that run torch layers over time: :class:`Sequential` and :class:`Residual`.

Sequence modules (neurons, encoders, containers) get the whole ``(T, B, *shape)``
sequence; every other torch layer is stateless and is applied once to the sequence
flattened to ``(T * B, *shape)``, then reshaped back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from torch import Tensor

from hwsnn.errors import IRValidationError
from hwsnn.nn._base import SequenceModule, node_name

__all__ = ["Residual", "Sequential", "apply_layer", "as_sequence", "record_spikes"]


def as_sequence(
    x: Tensor, timesteps: int | None, input_shape: Sequence[int] | None = None
) -> Tensor:
    """Return the model input ``x`` as a ``(T, B, *shape)`` sequence.

    A static batch ``(B, *shape)`` is repeated over ``timesteps`` steps (direct
    encoding; a view, no copy); a ``(T, B, *shape)`` sequence is returned as is. With
    ``input_shape`` the two are told apart by rank; without it, ``x`` is a static batch
    when ``timesteps`` is given and a sequence otherwise.

    Raises:
        IRValidationError: ``x`` matches neither layout, or a static batch has no ``timesteps``.
    """
    static = timesteps is not None
    if input_shape is not None:
        shape = tuple(input_shape)
        static = tuple(x.shape[1:]) == shape
        if not static and tuple(x.shape[2:]) != shape:
            raise IRValidationError(
                f"input of shape {tuple(x.shape)} is neither (B, *{shape}) nor (T, B, *{shape})"
            )
    if not static:
        return x
    if timesteps is None:
        raise IRValidationError("a static (B, ...) input needs the number of timesteps")
    return x.unsqueeze(0).expand(timesteps, *x.shape)


_PER_SAMPLE = (
    torch.nn.Linear,
    torch.nn.Conv1d,
    torch.nn.Conv2d,
    torch.nn.AvgPool1d,
    torch.nn.AvgPool2d,
    torch.nn.MaxPool1d,
    torch.nn.MaxPool2d,
    torch.nn.Flatten,
    torch.nn.Unflatten,
    torch.nn.Identity,
)
"""Deterministic stateless layers that may run once on a static input repeated over time.

Each computes every sample on its own with no randomness and no statistics across the
batch, so on ``T`` identical steps its output is ``T`` identical steps.
"""


def _returns_tuple(layer: torch.nn.Module) -> bool:
    return bool(getattr(layer, "return_indices", False))


_CHANNELS_LAST = (torch.nn.Conv2d,)
"""Layers whose input is converted to channels-last (oneDNN convolution runs faster on it).

Fwd+bwd, 1 thread, T*B = 1600 samples: Conv2d(12, 64, 5) on 12x12 maps 134 -> 108 ms,
bit-equal outputs. Pooling is faster on channels-last too (MaxPool2d(2) on 64x8x8 maps
44 -> 20 ms) but not by enough to pay for a conversion, so pools keep the layout they get.
"""

_MIN_CHANNELS_LAST = 4
"""Inputs with fewer channels stay in the standard layout (torch keeps 1-channel inputs
standard anyway)."""

_LAYOUT_FREE = (
    torch.nn.Conv2d,
    torch.nn.MaxPool2d,
    torch.nn.AvgPool2d,
    torch.nn.Flatten,
    torch.nn.Identity,
)
"""Stateless layers that accept channels-last tensors as they are."""


def _standard(seq: Tensor) -> Tensor:
    """``seq`` in the standard (contiguous) layout; a repeated static input stays a view."""
    if seq.dim() > 1 and seq.stride(0) == 0:
        first = seq[0]
        if first.is_contiguous():
            return seq
        return first.contiguous().unsqueeze(0).expand(seq.shape)
    return seq.contiguous()


def _layout_free(layer: torch.nn.Module) -> bool:
    """Layers that take channels-last tensors as they are (hwsnn neurons keep the layout)."""
    from hwsnn.nn.neurons import LI, _Spiking

    return isinstance(layer, LI | _Spiking) or type(layer) in _LAYOUT_FREE


def _per_step_input(layer: torch.nn.Module, x: Tensor, channels_last: bool) -> Tensor:
    """``(N, ...)`` input of a stateless layer, channels-last where allowed and faster."""
    if (
        channels_last
        and type(layer) in _CHANNELS_LAST
        and x.dim() == 4
        and x.shape[1] >= _MIN_CHANNELS_LAST
    ):
        return x.contiguous(memory_format=torch.channels_last)
    return x if _layout_free(layer) else x.contiguous()


def apply_layer(layer: torch.nn.Module, seq: Tensor) -> Tensor:
    """Apply one layer to a ``(T, B, *shape)`` sequence (flattening time for stateless layers).

    A static input repeated over time (a stride-0 view from :func:`as_sequence`) goes
    through the deterministic layers of ``_PER_SAMPLE`` once and stays a repeated view:
    with direct encoding, the stateless prefix of a network (conv -> pool -> ...) runs
    once instead of ``T`` times, and its backward runs once on the gradient summed over
    the steps. Results equal those on a materialised sequence up to the last bit (torch's
    matrix products are not batch-size invariant; neither are they equal to numpy's).

    In a chain, a Conv2d whose output goes to a layer that takes any layout (a pool, a
    convolution, an hwsnn neuron) runs on channels-last input; every other layer gets
    the standard layout, so the layout never shows outside. The result may be
    channels-last (:meth:`Sequential.forward_sequence` returns the standard layout).
    """
    return _apply(layer, seq, channels_last=False)


def _apply(layer: torch.nn.Module, seq: Tensor, channels_last: bool) -> Tensor:
    """:func:`apply_layer`; ``channels_last``: the next layer takes any layout."""
    if isinstance(layer, torch.nn.Sequential):  # hwsnn's or torch's: each child in turn
        return _apply_chain(layer, seq)
    if isinstance(layer, SequenceModule):
        out: Tensor = layer(seq if _layout_free(layer) else _standard(seq))
        return out
    if _runs_once(layer, seq):
        # a repeated static input (direct encoding): compute the layer once, not T times
        y: Tensor = layer(_per_step_input(layer, seq[0], channels_last))
        return y.unsqueeze(0).expand(seq.shape[0], *y.shape)
    y = layer(_per_step_input(layer, seq.flatten(0, 1), channels_last))
    return y.reshape(seq.shape[0], seq.shape[1], *y.shape[1:])


def _runs_once(layer: torch.nn.Module, seq: Tensor) -> bool:
    """``seq`` repeats one step and ``layer`` maps it sample by sample (to one tensor)."""
    return seq.stride(0) == 0 and type(layer) in _PER_SAMPLE and not _returns_tuple(layer)


def _apply_chain(layers: torch.nn.Sequential, seq: Tensor) -> Tensor:
    """Apply ``layers`` in turn; a static prefix passes its one step from layer to layer.

    Passing the step itself (not ``seq[0]`` of the repeated view) keeps autograd from
    building a zero-filled ``(T, ...)`` gradient for every layer of the prefix.
    """
    children = list(layers)
    step: Tensor | None = None  # the step that ``seq`` repeats, when this chain made it
    for i, child in enumerate(children):
        fast = i + 1 < len(children) and _layout_free(children[i + 1])
        if _runs_once(child, seq):
            first = step if step is not None else seq[0]
            step = child(_per_step_input(child, first, fast))
            seq = step.unsqueeze(0).expand(seq.shape[0], *step.shape)
        else:
            step = None
            seq = _apply(child, seq, fast)
    return seq


class Sequential(torch.nn.Sequential, SequenceModule):
    """A chain of layers run over time; exports to a chain of IR nodes.

    Args:
        *layers: The layers, in order (torch layers, hwsnn neurons/encoders/containers).
        timesteps: Steps to repeat a static input over (direct encoding); optional.
        input_shape: Shape of one sample (no batch dim); optional, lets ``forward``
            accept both a static batch and a sequence.
    """

    def __init__(
        self,
        *layers: torch.nn.Module,
        timesteps: int | None = None,
        input_shape: Sequence[int] | None = None,
    ) -> None:
        super().__init__(*layers)
        self.timesteps = timesteps
        self.input_shape = None if input_shape is None else tuple(int(d) for d in input_shape)

    def forward(self, x: Tensor, timesteps: int | None = None) -> Tensor:
        """Run the chain on ``x``: ``(B, *shape)`` (repeated over T) or ``(T, B, *shape)``.

        Args:
            x: The input batch or sequence.
            timesteps: Steps for a static batch; default the ``timesteps`` given at construction.

        Returns:
            The last layer's output per step, ``(T, B, *out)``.
        """
        steps = self.timesteps if timesteps is None else timesteps
        return self.forward_sequence(as_sequence(x, steps, self.input_shape))

    def forward_sequence(self, seq: Tensor) -> Tensor:
        """Run the chain on a ``(T, B, *shape)`` sequence; the result has the standard layout."""
        return _standard(apply_layer(self, seq))


class Residual(SequenceModule):
    """Residual connection ``y = x + block(x)``; exports to an IR ``Add`` with the skip edge.

    Args:
        block: The residual branch; its output shape must equal its input shape.
    """

    def __init__(self, block: torch.nn.Module) -> None:
        super().__init__()
        self.block = block

    def forward(self, x: Tensor) -> Tensor:
        """``x + block(x)`` for a ``(T, B, *shape)`` sequence."""
        return x + _standard(apply_layer(self.block, x))


def record_spikes(
    model: torch.nn.Module, x: Tensor | NDArray[np.generic], *, timesteps: int | None = None
) -> dict[str, NDArray[np.integer[Any]]]:
    """Run ``model`` on ``x`` (no gradient) and return the spikes of every spiking layer.

    The result has the layout of :attr:`hwsnn.sim.Result.spikes`, so the two compare
    directly with ``np.array_equal``.

    Args:
        model: A :class:`Sequential` (or any module containing hwsnn neurons).
        x: The model input, tensor or array (see :meth:`Sequential.forward`).
        timesteps: Passed to :meth:`Sequential.forward` when ``model`` is one.

    Returns:
        ``node_name -> (T, B, *shape)`` spikes of every LIF, IF and PoissonEncoder (uint8;
        int8 for a signed encoder, as :func:`hwsnn.sim.spike_dtype`), keyed like the node
        names :func:`hwsnn.export_torch` gives them.
    """
    from hwsnn.nn.encoders import PoissonEncoder
    from hwsnn.nn.neurons import IF, LIF

    if not isinstance(x, Tensor):
        x = torch.from_numpy(np.array(x, dtype=np.float32))
    spikes: dict[str, NDArray[np.integer[Any]]] = {}
    handles = []
    for path, module in model.named_modules():
        if isinstance(module, LIF | IF | PoissonEncoder):
            name = node_name(path, module)

            dtype = np.int8 if isinstance(module, PoissonEncoder) and module.signed else np.uint8

            def hook(
                _m: torch.nn.Module, _i: object, out: Tensor, name: str = name, dtype: type = dtype
            ) -> None:
                spikes[name] = out.detach().cpu().numpy().astype(dtype)

            handles.append(module.register_forward_hook(hook))
    try:
        with torch.no_grad():
            if isinstance(model, Sequential):
                model(x, timesteps)
            else:
                model(x)
    finally:
        for handle in handles:
            handle.remove()
    return spikes
