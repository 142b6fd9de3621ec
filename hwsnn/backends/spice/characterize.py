"""Write the transistor-level characterisation to ``mappings/spice/energy_measured.toml``.

Run ``python -m hwsnn.backends.spice.characterize`` (sky130 and 65 nm-like, ~10 s each).
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

from hwsnn.backends.spice._paths import mappings_dir
from hwsnn.backends.spice.transistor import NeuronCharacterization
from hwsnn.errors import DataError

__all__ = ["characterization_toml", "load_characterizations"]


def characterization_toml(results: list[NeuronCharacterization]) -> str:
    """TOML text with one table per process (SI units; the field names carry them)."""
    lines = ["# Transistor-level characterisation of the VCO/PLL n-LIF neuron blocks.",
             "# Regenerate: python -m hwsnn.backends.spice.characterize", ""]
    for result in results:
        lines.append(f'["{result.process}"]')
        lines.append('source = "measured: ngspice 39, circuits/cs_vco, xor2, dff_tspc '
                     '(hwsnn.backends.spice.transistor)"')
        for key, value in dataclasses.asdict(result).items():
            if key == "process":
                continue
            rendered = (f'"{value}"' if isinstance(value, str)
                        else "[" + ", ".join(repr(v) for v in value) + "]"
                        if isinstance(value, tuple | list) else repr(value))
            lines.append(f"{key} = {rendered}")
        lines.append("")
    return "\n".join(lines)


def load_characterizations(path: Path | None = None) -> dict[str, NeuronCharacterization]:
    """Read the characterisation file (default ``mappings/spice/energy_measured.toml``).

    Raises:
        DataError: The file is missing or malformed.
    """
    path = path or mappings_dir() / "spice" / "energy_measured.toml"
    fields = {f.name for f in dataclasses.fields(NeuronCharacterization)}
    try:
        data = tomllib.loads(path.read_text())
        out = {}
        for process, table in data.items():
            values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                                      for k, v in table.items() if k in fields}
            out[process] = NeuronCharacterization(process=process, **values)
    except (OSError, TypeError, AttributeError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"cannot read SPICE characterisation {path}: {exc}") from None
    if not out:
        raise DataError(f"no process in SPICE characterisation {path}")
    return out


if __name__ == "__main__":
    from hwsnn.cli.spice_tools import characterize_main

    raise SystemExit(characterize_main())
