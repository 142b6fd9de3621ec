"""Generic neuromorphic target spec: chip and core limits, numeric formats, energy per operation.

A target file ``mappings/<name>.toml`` has top-level ``name``, ``family`` and ``description``
strings and the sections ``[chip]``, ``[core]``, ``[numeric]``, ``[energy]`` and ``[time]``;
every entry is an inline table ``{ value = ..., unit = "...", source = "..." }``. ``[chip]``
and ``[core]`` must hold the fields of :class:`ChipLimits` and :class:`CoreLimits`; the other
sections are open tables that a backend reads by name (e.g. ``numeric.vth_bits``).
"""

from __future__ import annotations

import math
import tomllib
import types
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from hwsnn._data import data_path
from hwsnn.errors import HwsnnError

__all__ = [
    "ChipLimits",
    "CoreLimits",
    "SourcedValue",
    "TargetSpec",
    "available_targets",
    "load_target",
    "parse_target",
]

_SECTIONS = ("chip", "core", "numeric", "energy", "time")


@dataclass(frozen=True)
class SourcedValue:
    """One hardware number with its unit and where it comes from.

    Attributes:
        value: The number (SI unit given by ``unit``; ``"1"`` for counts).
        unit: Unit symbol, e.g. ``"J"``, ``"bit"``, ``"s"``, ``"1"``.
        source: Citation (paper, table, tool source file).
    """

    value: float
    unit: str
    source: str


@dataclass(frozen=True)
class ChipLimits:
    """Per-chip limits.

    Attributes:
        cores: Neuromorphic cores per chip.
        neurons: Neurons (compartments) per chip.
        cores_per_tile: Cores sharing one router tile.
    """

    cores: int
    neurons: int
    cores_per_tile: int


@dataclass(frozen=True)
class CoreLimits:
    """Per-core limits a partitioner checks.

    Attributes:
        neurons: Neurons (compartments) per core.
        synapse_memory_bits: Synapse memory per core (bit).
        fan_in_axons: Distinct input axons per core.
        fan_out_axons: Distinct output axon routes per core.
        synapse_word_bits: Width of one synapse memory word (bit).
        synapse_group_overhead_bits: Header bits per synapse group (one per input axon) (bit).
        synapse_index_bits: Bits of target index stored per synapse (bit).
    """

    neurons: int
    synapse_memory_bits: int
    fan_in_axons: int
    fan_out_axons: int
    synapse_word_bits: int
    synapse_group_overhead_bits: int
    synapse_index_bits: int


@dataclass(frozen=True)
class TargetSpec:
    """A hardware target: limits, numeric formats and per-operation energies, all sourced.

    Attributes:
        name: Target name (the file stem), e.g. ``"loihi2"``.
        family: Backend family, e.g. ``"loihi"``.
        description: One line for reports.
        chip: Per-chip limits.
        core: Per-core limits.
        numeric: Bit widths and shifts by name (integers), e.g. ``vth_bits``.
        energy: Energy per operation by name (J), plus ``static_power_w`` (W).
        time: Time per operation by name (s).
        sources: Every number's :class:`SourcedValue` by dotted path, e.g. ``"core.neurons"``.
    """

    name: str
    family: str
    description: str
    chip: ChipLimits
    core: CoreLimits
    numeric: Mapping[str, int]
    energy: Mapping[str, float]
    time: Mapping[str, float]
    sources: Mapping[str, SourcedValue]

    def source(self, path: str) -> str:
        """Citation of the number at dotted ``path`` (e.g. ``"energy.synop_j"``)."""
        try:
            return self.sources[path].source
        except KeyError:
            raise HwsnnError(f"target {self.name!r} has no number {path!r}") from None

    def bits(self, name: str) -> int:
        """Integer format parameter ``numeric.<name>``."""
        try:
            return self.numeric[name]
        except KeyError:
            raise HwsnnError(f"target {self.name!r} has no numeric.{name}") from None


def _sourced(path: str, entry: Any) -> SourcedValue:
    if not isinstance(entry, dict) or set(entry) != {"value", "unit", "source"}:
        raise HwsnnError(f"{path}: expected {{ value, unit, source }}, got {entry!r}")
    value, unit, source = entry["value"], entry["unit"], entry["source"]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise HwsnnError(f"{path}: value must be a finite number, got {value!r}")
    if not isinstance(source, str) or not source.strip() or not isinstance(unit, str):
        raise HwsnnError(f"{path}: needs a non-empty source and a unit string")
    return SourcedValue(float(value), unit, source)


def _typed(cls: type[Any], section: str, values: Mapping[str, SourcedValue]) -> Any:
    names = {f.name for f in fields(cls)}
    given = {key.split(".", 1)[1] for key in values if key.startswith(section + ".")}
    if given != names:
        raise HwsnnError(f"[{section}]: expected keys {sorted(names)}, got {sorted(given)}")
    kwargs = {}
    for name in names:
        value = values[f"{section}.{name}"].value
        if value != int(value) or value <= 0:
            raise HwsnnError(f"{section}.{name}: must be a positive integer, got {value}")
        kwargs[name] = int(value)
    return cls(**kwargs)


def parse_target(document: Mapping[str, Any], *, name: str) -> TargetSpec:
    """Build a :class:`TargetSpec` from a parsed TOML document.

    Raises:
        HwsnnError: A section or key is missing, a number lacks its source or unit, or a
            limit is not a positive integer.
    """
    sources: dict[str, SourcedValue] = {}
    for section in _SECTIONS:
        table = document.get(section)
        if not isinstance(table, dict):
            raise HwsnnError(f"target {name!r}: missing section [{section}]")
        for key, entry in table.items():
            sources[f"{section}.{key}"] = _sourced(f"{name}: {section}.{key}", entry)

    def part(prefix: str) -> dict[str, SourcedValue]:
        return {k.split(".", 1)[1]: v for k, v in sources.items() if k.startswith(prefix + ".")}

    numeric = {}
    for key, item in part("numeric").items():
        if item.value != int(item.value):
            raise HwsnnError(f"{name}: numeric.{key} must be an integer, got {item.value}")
        numeric[key] = int(item.value)
    return TargetSpec(
        name=str(document.get("name", name)),
        family=str(document.get("family", "")),
        description=str(document.get("description", "")),
        chip=_typed(ChipLimits, "chip", sources),
        core=_typed(CoreLimits, "core", sources),
        numeric=types.MappingProxyType(numeric),
        energy=types.MappingProxyType({k: v.value for k, v in part("energy").items()}),
        time=types.MappingProxyType({k: v.value for k, v in part("time").items()}),
        sources=types.MappingProxyType(sources),
    )


def available_targets() -> tuple[str, ...]:
    """Names of the target files in ``mappings/`` that follow this schema (have ``[core]``)."""
    root = data_path("mappings")
    names = []
    for path in sorted(root.glob("*.toml")):
        with path.open("rb") as handle:
            if "core" in tomllib.load(handle):
                names.append(path.stem)
    return tuple(names)


def load_target(name_or_path: str | Path) -> TargetSpec:
    """Load a target by name (``"loihi2"`` -> ``mappings/loihi2.toml``) or from a TOML path.

    Raises:
        HwsnnError: The target does not exist or its file is invalid.
    """
    path = Path(name_or_path)
    if path.suffix != ".toml":
        if not str(name_or_path).isidentifier():
            raise HwsnnError(f"invalid target name {name_or_path!r}")
        try:
            path = data_path("mappings", f"{name_or_path}.toml")
        except HwsnnError:
            raise HwsnnError(
                f"unknown target {name_or_path!r}; available: {', '.join(available_targets())}"
            ) from None
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise HwsnnError(f"cannot read target file {path}: {exc}") from None
    return parse_target(document, name=path.stem)
