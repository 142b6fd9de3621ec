"""Locate hwsnn's data files (``circuits/`` and ``mappings/``) in a wheel or in a checkout.

An installed wheel carries them inside the package as ``hwsnn/_data/circuits`` and
``hwsnn/_data/mappings`` (pyproject.toml, ``force-include``); an editable install reads them
from the top of the source checkout, next to the ``hwsnn/`` package directory.
"""

from __future__ import annotations

from pathlib import Path

from hwsnn.errors import HwsnnError

__all__ = ["DATA_DIRS", "data_path"]

#: The top-level data directories that ship with hwsnn.
DATA_DIRS = ("circuits", "mappings")

_PACKAGE_DIR = Path(__file__).resolve().parent


def _roots() -> tuple[Path, ...]:
    """Return the directories searched, in order: wheel layout first, then the checkout."""
    return (_PACKAGE_DIR / "_data", _PACKAGE_DIR.parent)


def data_path(*parts: str) -> Path:
    """Return the path of a data file or directory shipped with hwsnn.

    Args:
        parts: Path components below the data root; the first one must be one of
            :data:`DATA_DIRS`, e.g. ``data_path("mappings", "loihi2.toml")``.

    Returns:
        The existing path, from the installed wheel if there, else from the source checkout.

    Raises:
        HwsnnError: If no part is given, the first part is not a data directory, a part tries to
            leave the data root, or the path exists in neither layout.
    """
    if not parts:
        raise HwsnnError(f"data_path needs a data directory, one of {', '.join(DATA_DIRS)}")
    if parts[0] not in DATA_DIRS:
        raise HwsnnError(
            f"unknown data directory {parts[0]!r}; expected one of {', '.join(DATA_DIRS)}"
        )
    if any(
        part in ("", ".") or Path(part).is_absolute() or ".." in Path(part).parts for part in parts
    ):
        raise HwsnnError(f"invalid data path component in {'/'.join(parts)!r}")
    tried = []
    for root in _roots():
        candidate = root.joinpath(*parts)
        if candidate.exists():
            return candidate
        tried.append(str(candidate))
    raise HwsnnError(f"hwsnn data file {'/'.join(parts)!r} not found; looked in {', '.join(tried)}")
