"""Write the transistor-level characterisation to ``mappings/spice/energy_measured.toml``.

Run ``python -m hwsnn.backends.spice.characterize`` (sky130 and 65 nm-like, ~10 s each).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from hwsnn.backends.spice._paths import mappings_dir
from hwsnn.backends.spice.transistor import NeuronCharacterization, characterize_neuron

__all__ = ["characterization_toml", "main"]


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


def main(argv: list[str] | None = None) -> int:
    """Characterise the requested processes and write the TOML file."""
    parser = argparse.ArgumentParser(prog="python -m hwsnn.backends.spice.characterize")
    parser.add_argument("--process", action="append", default=None,
                        help="sky130 and/or 65nm-like (default: both)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    results = [characterize_neuron(p) for p in (args.process or ["sky130", "65nm-like"])]
    out = args.out or mappings_dir() / "spice" / "energy_measured.toml"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(characterization_toml(results))
    for r in results:
        e_cycle = r.energy_per_cycle_j[len(r.vctrl_v) // 2]
        print(f"{r.process}: {r.label}; f_op {r.f_op_hz / 1e9:.3f} GHz, K_vco "
              f"{r.k_vco_hz_per_v / 1e9:.3f} GHz/V, E/cycle {e_cycle * 1e15:.1f} fJ, "
              f"XOR {r.xor_energy_per_cycle_j * 1e15:.1f} fJ, "
              f"DFF {r.dff_energy_per_cycle_j * 1e15:.1f} fJ; "
              f"energy per spike {r.energy_per_spike_j * 1e12:.2f} pJ at {r.vdd_v} V "
              f"({r.window_s * 1e9:.0f} ns window)")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
