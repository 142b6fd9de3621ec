"""Make lava-nc 0.10.0 importable on Python 3.11: the one place hwsnn works around Lava.

lava-nc 0.10.0 declares ``Requires-Python <3.11``. On 3.11 its import fails in one file,
``lava/magma/compiler/var_model.py``: three dataclasses (``CoreEncoder``, ``ChipEncoder``,
``AxonEncoder``) use an instance as a field default, ``x: ByteEncoder = ByteEncoder()``. Since
Python 3.11, :mod:`dataclasses` rejects every unhashable default (``ByteEncoder`` is a dataclass
with ``eq=True``, hence unhashable) with ``ValueError: mutable default ... use default_factory``.

:func:`import_lava` installs an import hook (a :class:`importlib.abc.MetaPathFinder`) that, for
exactly that module, compiles the installed source with each such default rewritten to
``field(default_factory=ByteEncoder)``, which gives each instance its own encoder. Nothing in
site-packages is edited and no bytecode is cached, so the fix lives only in processes that call
:func:`import_lava` (Lava's CPU runtime forks its workers, which inherit the patched module).

The hook also makes the module-level ``mp.set_start_method('fork')`` of Lava's multiprocessing
runtime tolerate a start method that is already ``fork``; unpatched, importing Lava after anything
has used :mod:`multiprocessing` raises ``RuntimeError: context has already been set``.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import multiprocessing
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import CodeType, ModuleType

from hwsnn.errors import SimulatorUnavailableError

__all__ = ["LAVA_INSTALL_HINT", "import_lava"]

#: How to install Lava; it cannot be a pip extra of hwsnn because of its Python <3.11 pin.
LAVA_INSTALL_HINT = "make setup (pip install --ignore-requires-python lava-nc==0.10.0)"

_VAR_MODEL = "lava.magma.compiler.var_model"
_MP_RUNTIME = "lava.magma.runtime.message_infrastructure.multiprocessing"

# `x: ByteEncoder = ByteEncoder()` -> `x: ByteEncoder = _hwsnn_field(default_factory=ByteEncoder)`
_MUTABLE_DEFAULT = re.compile(
    r"^([ \t]+\w+[ \t]*:[ \t]*ByteEncoder[ \t]*=[ \t]*)ByteEncoder\(\)[ \t]*$", re.MULTILINE
)
_FIELD_DEFAULT = r"\g<1>_hwsnn_field(default_factory=ByteEncoder)"
_SET_FORK = re.compile(r"^([ \t]*)mp\.set_start_method\(['\"]fork['\"]\)[ \t]*$", re.MULTILINE)
_TOLERANT_FORK = r"\g<1>_hwsnn_set_fork()"


def _set_fork() -> None:
    """Select the ``fork`` start method, accepting that it is already selected.

    Raises:
        SimulatorUnavailableError: If another start method was already fixed; Lava needs ``fork``.
    """
    current = multiprocessing.get_start_method(allow_none=True)
    if not current:  # not chosen yet
        multiprocessing.set_start_method("fork")
    elif current != "fork":
        raise SimulatorUnavailableError(
            "Lava's multiprocessing runtime",
            f"it needs the 'fork' start method but this process already uses {current!r}; "
            "call hwsnn.backends.lava.import_lava() before choosing a start method",
        )


def _patch_var_model(source: str) -> str:
    return _MUTABLE_DEFAULT.sub(_FIELD_DEFAULT, source)


def _patch_mp_runtime(source: str) -> str:
    return _SET_FORK.sub(_TOLERANT_FORK, source)


#: Module name -> (source rewrite, names the rewritten source needs in its namespace).
_PATCHES: dict[str, tuple[Callable[[str], str], dict[str, object]]] = {
    _VAR_MODEL: (_patch_var_model, {"_hwsnn_field": dataclasses.field}),
    _MP_RUNTIME: (_patch_mp_runtime, {"_hwsnn_set_fork": _set_fork}),
}


class _PatchingLoader(importlib.abc.Loader):
    """Executes one Lava module from its source file after a textual rewrite (no bytecode cache)."""

    def __init__(self, path: str, patch: Callable[[str], str], names: dict[str, object]) -> None:
        self._path = path
        self._patch = patch
        self._names = names

    def _code(self) -> CodeType:
        source = importlib.util.decode_source(Path(self._path).read_bytes())
        return compile(self._patch(source), self._path, "exec", dont_inherit=True)

    def exec_module(self, module: ModuleType) -> None:
        module.__dict__.update(self._names)
        exec(self._code(), module.__dict__)


class _LavaPatchFinder(importlib.abc.MetaPathFinder):
    """Finds the patched Lava modules with the normal path machinery and loads them patched."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        entry = _PATCHES.get(fullname)
        if entry is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            return None
        loader = _PatchingLoader(spec.origin, *entry)
        return importlib.util.spec_from_file_location(fullname, spec.origin, loader=loader)


def _install_finder() -> None:
    if not any(isinstance(finder, _LavaPatchFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _LavaPatchFinder())


def _lava_installed() -> bool:
    try:
        return importlib.util.find_spec("lava.magma") is not None
    except ImportError:
        return False


def _describe_failure(name: str, error: Exception) -> str:
    """Name the file whose import failed and whether hwsnn's rewrite matched it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or spec.origin is None:
        return f"importing {name} failed ({type(error).__name__}: {error})"
    where = spec.origin
    patch = _PATCHES[name][0]
    source = Path(where).read_text(encoding="utf-8")
    if patch(source) == source:
        where += " (hwsnn's Python 3.11 rewrite found nothing to change there)"
    return f"importing {where} failed ({type(error).__name__}: {error})"


def import_lava() -> None:
    """Make ``import lava...`` work on this interpreter; idempotent and cheap after the first call.

    Call it before the first ``import lava`` of a process (hwsnn's Lava backend does). A Lava
    release whose source no longer has the patterns is imported unchanged.

    Raises:
        SimulatorUnavailableError: If lava-nc is not installed, or Lava still fails to import
            (names the file, e.g. a Lava release whose source no longer matches the rewrite).
    """
    if all(name in sys.modules for name in _PATCHES):
        return
    if not _lava_installed():
        raise SimulatorUnavailableError("lava-nc", LAVA_INSTALL_HINT)
    _install_finder()
    for name in _PATCHES:
        try:
            importlib.import_module(name)
        except SimulatorUnavailableError:
            raise
        except Exception as error:
            raise SimulatorUnavailableError("lava-nc", _describe_failure(name, error)) from error
