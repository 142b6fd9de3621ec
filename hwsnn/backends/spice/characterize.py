"""Write the transistor-level characterisation to ``mappings/spice/energy_measured.toml``.

Run ``python -m hwsnn.backends.spice.characterize`` (sky130 and 65 nm-like, ~10 s each).
"""

from __future__ import annotations

import dataclasses

from hwsnn.backends.spice.transistor import NeuronCharacterization

__all__ = ["characterization_toml"]


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


if __name__ == "__main__":
    from hwsnn.cli.spice_tools import characterize_main

    raise SystemExit(characterize_main())
