"""Run validated netlists in ngspice 39 through PySpice 1.5 (shared library mode).

Engineering rules from research ``spice.md`` §3-4: one OpenMP thread (``set
num_threads=1``; ``OMP_NUM_THREADS`` is ignored by ngspice), the circuit and its plots are
freed after every run (``remove_circuit`` + ``destroy all``; otherwise memory and run time
grow), and a process-wide lock because ``NgSpiceShared`` is a singleton.

PySpice 1.5 knows ngspice up to version 34: with 39 it logs "Unsupported Ngspice version
39" through :mod:`logging` (not :mod:`warnings`, so ``filterwarnings = error`` does not trip)
and falls back to the v34 vector-type table, which is the same for the transient vectors
used here. That one message is filtered; every other ngspice error becomes an
:class:`~hwsnn.errors.HwsnnError` carrying ngspice's stderr.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.spice.netlist import Netlist, validate_name
from hwsnn.errors import HwsnnError, SimulatorUnavailableError

__all__ = ["ngspice_available", "run_transient"]

_INSTALL_HINT = (
    "install ngspice 39 and its shared library (apt-get install ngspice libngspice0) "
    "and PySpice 1.5 (pip install PySpice==1.5)"
)
_LOCK = threading.Lock()
_STATE: dict[str, Any] = {}


class _DropVersionWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "Unsupported Ngspice version" not in record.getMessage()


def _instance() -> Any:
    """The process-wide ngspice instance, created on first use with one thread."""
    if "ng" in _STATE:
        return _STATE["ng"]
    try:
        from PySpice.Spice.NgSpice.Shared import NgSpiceShared
    except ImportError as exc:
        raise SimulatorUnavailableError("PySpice", _INSTALL_HINT) from exc
    logger = logging.getLogger("PySpice.Spice.NgSpice.Shared.NgSpiceShared")
    logger.addFilter(_DropVersionWarning())
    try:
        ng = NgSpiceShared.new_instance()
    except (OSError, NameError) as exc:
        raise SimulatorUnavailableError("ngspice shared library", _INSTALL_HINT) from exc
    ng.exec_command("set num_threads=1")
    _STATE["ng"] = ng
    return ng


def ngspice_available() -> bool:
    """True when PySpice can load libngspice (probes on first call only)."""
    try:
        _instance()
    except SimulatorUnavailableError:
        return False
    return True


def _cleanup(ng: Any) -> None:
    for command in ("remcirc", "destroy all"):
        try:
            ng.exec_command(command)
        except Exception:  # cleanup must not mask the real error
            continue
    ng.clear_output()
    ng._error_in_stdout = ng._error_in_stderr = False


def _fail(ng: Any, netlist: Netlist, exc: Exception) -> HwsnnError:
    stderr = " | ".join(line.strip() for line in ng._stderr[-5:])
    text = f"ngspice failed on template {netlist.template}: {stderr or exc}"
    if "unknown model type" in stderr or "Unable to find definition of model" in stderr:
        return SimulatorUnavailableError("XSPICE code models", f"{text}; {_INSTALL_HINT}")
    return HwsnnError(text)


def run_transient(netlist: Netlist, vectors: Sequence[str]) -> dict[str, NDArray[np.float64]]:
    """Run ``netlist`` (which holds its own ``.tran``) and return ``time`` plus ``vectors``.

    Args:
        netlist: Rendered netlist ending in ``.end``.
        vectors: Node names to return (their voltages, V) or ``<source>#branch`` currents.

    Raises:
        SimulatorUnavailableError: PySpice, libngspice or the XSPICE code models are missing.
        HwsnnError: ngspice rejected the netlist or the run failed.
    """
    for name in vectors:
        validate_name(name.replace("#branch", "_branch"), "vector")
    with _LOCK:
        ng = _instance()
        try:
            ng.load_circuit(netlist.text)
            ng.run()
            plot = ng.plot(None, ng.last_plot)
            result = {"time": np.array(plot["time"]._data, dtype=complex).real}
            for name in vectors:
                result[name] = np.array(plot[name]._data, dtype=complex).real
        except KeyError as exc:
            raise HwsnnError(f"ngspice run of {netlist.template} has no vector {exc}") from None
        except Exception as exc:
            raise _fail(ng, netlist, exc) from None
        finally:
            _cleanup(ng)
    return result
