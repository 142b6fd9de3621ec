r"""Netlist templates with strict validation of everything that reaches ngspice.

A template is a text file ``circuits/<name>.cir.tmpl`` with ``$name`` placeholders and a
sidecar ``circuits/<name>.toml`` that declares its ports and every placeholder with a
kind and a unit:

* ``kind = "number"``: a finite real number in SI units, rendered here as ``%.12g``;
* ``kind = "node"``: a SPICE node or instance name matching :data:`NAME_PATTERN`;
* ``kind = "path"``: an existing file whose absolute path matches :data:`PATH_PATTERN`;
* ``kind = "block"``: netlist lines that themselves came out of :func:`render`.

Nothing else can be substituted, so a name such as ``"x\n.control"`` or a value such as
``"1; .exec"`` raises :class:`~hwsnn.errors.HwsnnError` before reaching the simulator.
"""

from __future__ import annotations

import math
import re
import string
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hwsnn.backends.spice._paths import circuits_dir
from hwsnn.errors import DataError, HwsnnError

__all__ = [
    "NAME_PATTERN",
    "PATH_PATTERN",
    "Netlist",
    "ParameterSpec",
    "Template",
    "format_number",
    "load_template",
    "render",
    "validate_name",
]

NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
"""Node, instance and model names: a letter, then up to 39 letters, digits or ``_``."""

PATH_PATTERN = re.compile(r"/[A-Za-z0-9_./+-]{1,400}")
"""Absolute file paths for ``.include``/``.lib``: no quotes, spaces or newlines."""

_KINDS = ("number", "node", "path", "block")


@dataclass(frozen=True)
class Netlist:
    """Netlist text produced by :func:`render` (the only way to make one)."""

    text: str
    template: str


@dataclass(frozen=True)
class ParameterSpec:
    """One declared placeholder of a template.

    Attributes:
        name: Placeholder name (``$name`` in the template).
        kind: One of ``number``, ``node``, ``path``, ``block``.
        unit: SI unit of a number (``Hz``, ``V``, ``ohm``, ``F``, ``s``, ``A``, ``1``).
        description: What the value means.
    """

    name: str
    kind: str
    unit: str = ""
    description: str = ""


@dataclass(frozen=True)
class Template:
    """A loaded template: its text, ports and declared parameters."""

    name: str
    text: str
    ports: tuple[str, ...]
    parameters: Mapping[str, ParameterSpec] = field(default_factory=dict)
    source: str = ""


def validate_name(value: object, what: str = "name") -> str:
    """Return ``value`` if it is a safe SPICE name, else raise :class:`HwsnnError`."""
    if not isinstance(value, str) or NAME_PATTERN.fullmatch(value) is None:
        raise HwsnnError(f"invalid SPICE {what} {value!r}: must match {NAME_PATTERN.pattern}")
    return value


def format_number(value: object, what: str = "value") -> str:
    """Render a finite real number for a netlist (``%.12g``), else raise :class:`HwsnnError`."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise HwsnnError(f"invalid SPICE {what} {value!r}: not a real number")
    if isinstance(value, np.complexfloating):
        raise HwsnnError(f"invalid SPICE {what} {value!r}: not a real number")
    number = float(value)
    if not math.isfinite(number):
        raise HwsnnError(f"invalid SPICE {what} {value!r}: not finite")
    return f"{number:.12g}"


def _validate_path(value: object, what: str) -> str:
    if not isinstance(value, str | Path):
        raise HwsnnError(f"invalid SPICE {what} {value!r}: not a path")
    text = str(value)
    if PATH_PATTERN.fullmatch(text) is None or not Path(text).is_file():
        raise HwsnnError(f"invalid SPICE {what} {text!r}: must be an existing plain absolute path")
    return text


def _validate_block(value: object, what: str) -> str:
    items: Sequence[object] = value if isinstance(value, list | tuple) else [value]
    if not all(isinstance(item, Netlist) for item in items):
        raise HwsnnError(f"invalid SPICE {what}: blocks must be rendered Netlist objects")
    return "".join(item.text for item in items if isinstance(item, Netlist)).rstrip("\n")


def _render_value(spec: ParameterSpec, value: object) -> str:
    what = f"parameter {spec.name!r}"
    if spec.kind == "number":
        return format_number(value, what)
    if spec.kind == "node":
        return validate_name(value, what)
    if spec.kind == "path":
        return _validate_path(value, what)
    return _validate_block(value, what)


def render(template: Template, values: Mapping[str, object]) -> Netlist:
    """Fill ``template`` with validated ``values`` (exactly the declared parameters).

    Raises:
        HwsnnError: A value is missing, undeclared, or fails its kind's validation.
    """
    missing = sorted(set(template.parameters) - set(values))
    extra = sorted(set(values) - set(template.parameters))
    if missing or extra:
        raise HwsnnError(
            f"template {template.name}: missing parameters {missing}, undeclared parameters {extra}"
        )
    params = template.parameters
    rendered = {name: _render_value(spec, values[name]) for name, spec in params.items()}
    text = string.Template(template.text).substitute(rendered)
    return Netlist(text=text if text.endswith("\n") else text + "\n", template=template.name)


def _parse_spec(name: str, raw: object, where: Path) -> ParameterSpec:
    if not isinstance(raw, dict) or raw.get("kind") not in _KINDS:
        raise DataError(f"{where}: parameter {name!r} needs a kind in {_KINDS}")
    validate_name(name, "template parameter")
    return ParameterSpec(
        name=name,
        kind=str(raw["kind"]),
        unit=str(raw.get("unit", "")),
        description=str(raw.get("description", "")),
    )


def load_template(name: str, directory: Path | None = None) -> Template:
    """Load ``<name>.cir.tmpl`` and its sidecar ``<name>.toml`` from ``circuits/``.

    Raises:
        DataError: Files missing, or the declaration does not match the placeholders.
    """
    validate_name(name, "template name")
    folder = directory if directory is not None else circuits_dir()
    text_path, meta_path = folder / f"{name}.cir.tmpl", folder / f"{name}.toml"
    if not text_path.is_file() or not meta_path.is_file():
        raise DataError(f"template {name!r} not found in {folder}")
    meta = tomllib.loads(meta_path.read_text())
    params = {k: _parse_spec(k, v, meta_path) for k, v in meta.get("parameters", {}).items()}
    text = text_path.read_text()
    used = {m.group("named") or m.group("braced") for m in string.Template.pattern.finditer(text)}
    used.discard(None)
    if used != set(params):
        raise DataError(f"{meta_path}: declared {sorted(params)} but template uses {sorted(used)}")
    ports = tuple(str(p) for p in meta.get("ports", {}))
    return Template(name=name, text=text, ports=ports, parameters=params,
                    source=str(meta.get("source", "")))
