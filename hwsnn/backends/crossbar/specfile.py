"""Load crossbar specs from ``mappings/crossbar/*.toml`` (every number ``{ value, source }``)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any, get_type_hints

from hwsnn.backends.crossbar.spec import (
    AdcSpec,
    ArraySpec,
    CrossbarSpec,
    DeviceKind,
    MtjSpec,
    ReadSpec,
    RramSpec,
    SotWrite,
    SttWrite,
    VariabilitySpec,
    WritePath,
)
from hwsnn.errors import HwsnnError

__all__ = ["available_specs", "load_spec", "spec_dir", "spec_from_dict"]

_SECTIONS: dict[str, type[Any]] = {
    "mtj": MtjSpec,
    "stt": SttWrite,
    "sot": SotWrite,
    "rram": RramSpec,
    "variability": VariabilitySpec,
    "read": ReadSpec,
    "array": ArraySpec,
    "adc": AdcSpec,
}


def _section(cls: type[Any], table: Mapping[str, Any], where: str, sources: dict[str, str]) -> Any:
    hints = get_type_hints(cls)
    names = {f.name for f in fields(cls)}
    unknown = set(table) - names
    if unknown:
        raise HwsnnError(f"{where}: unknown field(s) {sorted(unknown)}")
    kwargs: dict[str, Any] = {}
    for name, raw in table.items():
        if isinstance(raw, Mapping):
            if set(raw) != {"value", "source"} or not str(raw["source"]).strip():
                raise HwsnnError(f'{where}.{name}: expected {{ value = ..., source = "..." }}')
            kwargs[name] = (
                int(raw["value"])
                if hints[name] is int and raw["value"] == int(raw["value"])
                else raw["value"]
            )
            sources[f"{where}.{name}"] = str(raw["source"])
        elif isinstance(raw, str):
            kwargs[name] = raw
        else:
            raise HwsnnError(
                f"{where}.{name}: a number needs a source: {{ value = {raw!r}, source = ... }}"
            )
    try:
        return cls(**kwargs)
    except HwsnnError as exc:
        raise HwsnnError(f"{where}.{exc}") from None
    except (TypeError, ValueError) as exc:
        raise HwsnnError(f"{where}: {exc}") from None


def spec_from_dict(data: Mapping[str, Any], *, where: str = "spec") -> CrossbarSpec:
    """Build and validate a :class:`CrossbarSpec` from parsed TOML.

    Raises:
        HwsnnError: A field is missing, unknown, unsourced or out of range (the message names it).
    """
    sources: dict[str, str] = {}
    parts: dict[str, Any] = {}
    for key, cls in _SECTIONS.items():
        table = data.get(key)
        parts[key] = None if table is None else _section(cls, table, key, sources)
    for key in ("variability", "read", "array", "adc"):
        if parts[key] is None:
            raise HwsnnError(f"{where}: missing section [{key}]")
    try:
        kind = DeviceKind(str(data.get("device_kind")))
        path = WritePath(data["write_path"]) if "write_path" in data else None
    except ValueError as exc:
        raise HwsnnError(f"{where}: {exc}") from None
    return CrossbarSpec(
        name=str(data.get("name", where)),
        device_kind=kind,
        write_path=path,
        sources=sources,
        **parts,
    )


def spec_dir() -> Path:
    """Directory of the crossbar spec files (checkout or installed wheel)."""
    here = Path(__file__).resolve()
    for candidate in (
        here.parents[3] / "mappings" / "crossbar",
        here.parents[2] / "_data" / "mappings" / "crossbar",
    ):
        if candidate.is_dir():
            return candidate
    raise HwsnnError("crossbar specs not found (mappings/crossbar)")


def available_specs() -> tuple[str, ...]:
    """Names of the built-in specs (file stems in ``mappings/crossbar``)."""
    return tuple(sorted(p.stem for p in spec_dir().glob("*.toml")))


def load_spec(name_or_path: str | Path) -> CrossbarSpec:
    """Load a spec by built-in name (``"mtj-sot"``, ``"rram"``) or TOML path.

    Raises:
        HwsnnError: unknown name, unreadable file, or invalid content (field named).
    """
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = spec_dir() / f"{name_or_path}.toml"
        if not path.is_file():
            raise HwsnnError(
                f"unknown crossbar spec {name_or_path!r}; available: {available_specs()}"
            )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise HwsnnError(f"cannot read crossbar spec {path}: {exc}") from None
    return spec_from_dict(data, where=path.name)
