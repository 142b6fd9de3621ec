"""Named spiking architectures and their checkpoints.

A checkpoint is a ``torch.save`` of plain data only (a dict of strings, numbers, lists
and tensors), read back with ``torch.load(..., weights_only=True)``: the architecture
name, the keyword arguments of :func:`build_model` and the ``state_dict``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from hwsnn.errors import FormatError, HwsnnError
from hwsnn.nn.containers import Sequential
from hwsnn.nn.functional import FastSigmoid
from hwsnn.nn.neurons import LI, LIF

if TYPE_CHECKING:
    from hwsnn.ir import Graph

__all__ = [
    "ARCHITECTURES",
    "CHECKPOINT_VERSION",
    "build_model",
    "export_checkpoint",
    "load_checkpoint",
    "save_checkpoint",
]

ARCHITECTURES = ("mlp", "conv")
CHECKPOINT_VERSION = 1
_FORMAT = "hwsnn.checkpoint"
_OPTIONS: dict[str, dict[str, Any]] = {
    "common": {
        "tau_mem": None,
        "tau_out": None,
        "v_threshold": 1.0,
        "reset": "subtract",
        "slope": 25.0,
        "seed": 0,
    },
    "mlp": {"hidden": 128},
    "conv": {"channels": (8, 16), "kernel_size": 3},
}


def _options(arch: str, kw: Mapping[str, Any], dt: float) -> dict[str, Any]:
    if arch not in ARCHITECTURES:
        raise HwsnnError(f"unknown architecture {arch!r}; known: {', '.join(ARCHITECTURES)}")
    allowed = {**_OPTIONS["common"], **_OPTIONS[arch]}
    unknown = sorted(set(kw) - set(allowed))
    if unknown:
        raise HwsnnError(
            f"architecture {arch!r} has no option(s) {unknown}; options: {sorted(allowed)}"
        )
    opts = {**allowed, **kw}
    opts["tau_mem"] = 20 * dt if opts["tau_mem"] is None else float(opts["tau_mem"])
    opts["tau_out"] = opts["tau_mem"] if opts["tau_out"] is None else float(opts["tau_out"])
    return opts


def _lif(opts: Mapping[str, Any], dt: float) -> LIF:
    return LIF(
        opts["tau_mem"],
        dt,
        v_threshold=opts["v_threshold"],
        reset=opts["reset"],
        surrogate=FastSigmoid(slope=float(opts["slope"])),
    )


def _mlp(
    input_shape: tuple[int, ...], n_classes: int, dt: float, opts: Mapping[str, Any]
) -> list[torch.nn.Module]:
    hidden = int(opts["hidden"])
    return [
        torch.nn.Flatten(),
        torch.nn.Linear(math.prod(input_shape), hidden),
        _lif(opts, dt),
        torch.nn.Linear(hidden, n_classes),
        LI(opts["tau_out"], dt),
    ]


def _conv(
    input_shape: tuple[int, ...], n_classes: int, dt: float, opts: Mapping[str, Any]
) -> list[torch.nn.Module]:
    if len(input_shape) != 3 or min(input_shape[1:]) < 4:
        raise HwsnnError(
            f"the conv architecture needs a (C, H, W) input with H, W >= 4, got {input_shape}"
        )
    c1, c2 = (int(c) for c in opts["channels"])
    k = int(opts["kernel_size"])
    h, w = input_shape[1] // 4, input_shape[2] // 4
    return [
        torch.nn.Conv2d(input_shape[0], c1, k, padding=k // 2),
        _lif(opts, dt),
        torch.nn.AvgPool2d(2),
        torch.nn.Conv2d(c1, c2, k, padding=k // 2),
        _lif(opts, dt),
        torch.nn.AvgPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(c2 * h * w, n_classes),
        LI(opts["tau_out"], dt),
    ]


def build_model(
    arch: str, input_shape: Sequence[int], n_classes: int, *, timesteps: int, dt: float, **kw: Any
) -> Sequential:
    """Build a named architecture with seeded initial weights.

    ``"mlp"``: Flatten - Linear - LIF - Linear - LI.
    ``"conv"``: Conv2d - LIF - AvgPool2d - Conv2d - LIF - AvgPool2d - Flatten - Linear - LI
    (``(C, H, W)`` inputs; 'same' padding, 2x2 pooling).

    Args:
        arch: ``"mlp"`` or ``"conv"``.
        input_shape: Shape of one sample (no batch dim).
        n_classes: Number of output classes.
        timesteps: Steps a static input is repeated over (direct encoding).
        dt: Time step (s).
        **kw: Options: ``tau_mem`` (s, default ``20 dt``), ``tau_out`` (readout, s, default
            ``tau_mem``), ``v_threshold`` (1.0), ``reset`` ("subtract"), ``slope`` (fast
            sigmoid, 25.0), ``seed`` (weight init, 0); mlp: ``hidden`` (128); conv:
            ``channels`` ((8, 16)), ``kernel_size`` (3, odd).

    Returns:
        The model; ``model(x)`` takes ``(B, *input_shape)`` or ``(T, B, *input_shape)``.
    """
    shape = tuple(int(d) for d in input_shape)
    opts = _options(arch, kw, dt)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(opts["seed"]))
        layers = (_mlp if arch == "mlp" else _conv)(shape, int(n_classes), dt, opts)
    return Sequential(*layers, timesteps=timesteps, input_shape=shape)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise HwsnnError(f"checkpoint config values must be numbers, strings or lists, got {value!r}")


def save_checkpoint(
    path: str | Path, arch: str, config: Mapping[str, Any], model: torch.nn.Module
) -> None:
    """Write ``model``'s weights with what rebuilds it (``build_model(arch, **config)``).

    Args:
        path: Destination file (conventionally ``.pt``).
        arch: Architecture name.
        config: Keyword arguments of :func:`build_model` (``input_shape``, ``n_classes``,
            ``timesteps``, ``dt`` and options), plain numbers, strings and lists.
        model: The trained model.
    """
    payload = {
        "format": _FORMAT,
        "version": CHECKPOINT_VERSION,
        "arch": str(arch),
        "config": {str(k): _plain(v) for k, v in config.items()},
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
    }
    torch.save(payload, Path(path))


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise FormatError(f"checkpoint {str(path)!r} does not exist")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types (zip, pickle, EOF) for a bad file
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise FormatError(
            f"checkpoint {str(path)!r} is corrupt or not a hwsnn checkpoint: {first}"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
        raise FormatError(f"checkpoint {str(path)!r} is not a hwsnn checkpoint")
    if payload.get("version") != CHECKPOINT_VERSION:
        raise FormatError(
            f"checkpoint {str(path)!r} has unsupported version {payload.get('version')!r}"
        )
    return payload


def load_checkpoint(path: str | Path) -> tuple[Sequential, str, dict[str, Any]]:
    """Rebuild the model saved by :func:`save_checkpoint` and load its weights.

    Returns:
        ``(model, arch, config)``, the model in eval mode.

    Raises:
        FormatError: The file is missing, corrupt, from another program, or its weights
            do not fit the architecture.
    """
    payload = _read(Path(path))
    arch, config, state = payload.get("arch"), payload.get("config"), payload.get("state_dict")
    if not isinstance(arch, str) or not isinstance(config, dict) or not isinstance(state, dict):
        raise FormatError(f"checkpoint {str(path)!r} lacks arch, config or state_dict")
    try:
        model = build_model(arch, **config)
        model.load_state_dict(state, strict=True)
    except (HwsnnError, TypeError, RuntimeError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise FormatError(f"checkpoint {str(path)!r} does not rebuild its model: {first}") from None
    model.eval()
    return model, arch, dict(config)


def export_checkpoint(path: str | Path) -> Graph:
    """Load a checkpoint (:func:`load_checkpoint`) and export its model to the IR.

    The graph uses the checkpoint's ``input_shape``, ``timesteps`` and ``dt``.

    Raises:
        FormatError: The checkpoint is missing, corrupt or incomplete.
    """
    from hwsnn.export.torch import export_torch

    model, _, config = load_checkpoint(path)
    return export_torch(
        model, config["input_shape"], timesteps=int(config["timesteps"]), dt=float(config["dt"])
    )
