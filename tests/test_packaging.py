"""Packaging: cheap imports, the data directories in checkout and wheel, the console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from pathlib import Path

import pytest

from hwsnn._data import DATA_DIRS, data_path
from hwsnn.errors import HwsnnError

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "lava", "PySpice", "onnx", "onnxruntime", "nir", "matplotlib")


def loaded_heavy_modules(statement: str) -> list[str]:
    """Run `statement` in a fresh interpreter and list the heavy top-level packages it loaded."""
    code = textwrap.dedent(
        f"""
        import json, sys
        {statement}
        heavy = {HEAVY!r}
        print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set(heavy))))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    loaded: list[str] = json.loads(result.stdout.splitlines()[-1])
    return loaded


def test_import_hwsnn_is_cheap() -> None:
    assert loaded_heavy_modules("import hwsnn") == []


def test_ir_imports_no_simulator_or_framework() -> None:
    assert loaded_heavy_modules("import hwsnn.ir") == []


def test_data_path_finds_the_data_directories() -> None:
    for name in DATA_DIRS:
        path = data_path(name)
        assert path.is_dir()
        assert path.name == name


@pytest.mark.parametrize(
    "parts",
    [(), ("reports",), ("mappings", "..", "pyproject.toml"), ("mappings", "no-such-file.toml")],
)
def test_data_path_rejects_bad_or_missing_paths(parts: tuple[str, ...]) -> None:
    with pytest.raises(HwsnnError):
        data_path(*parts)


def test_pyproject_ships_data_and_entry_point() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = config["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["sources"] == {name: f"hwsnn/_data/{name}" for name in DATA_DIRS}
    assert set(DATA_DIRS) <= set(wheel["only-include"])
    assert config["project"]["scripts"] == {"hwsnn": "hwsnn.cli:main"}
    assert "lava" not in " ".join(config["project"]["optional-dependencies"]["all"])


def _data_files(root: Path) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for name in DATA_DIRS
        for path in (root / name).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.mark.slow
def test_wheel_contains_data_and_resolves_it(tmp_path: Path) -> None:
    pytest.importorskip("hatchling", reason="hatchling (dev extra) builds the wheel offline")
    build = ["wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)]
    subprocess.run(
        [sys.executable, "-m", "pip", *build],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("hwsnn-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    assert "hwsnn/py.typed" in names
    shipped = {n.removeprefix("hwsnn/_data/") for n in names if n.startswith("hwsnn/_data/")}
    assert shipped == _data_files(ROOT)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "hwsnn = hwsnn.cli:main" in (tmp_path / "site" / entry_points).read_text()
    # The installed layout: data_path() finds hwsnn/_data/... inside the package.
    statement = "from hwsnn._data import data_path; print(data_path('mappings'), file=sys.stderr)"
    code = f"import sys; {statement}; sys.exit(0)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=tmp_path / "site",
        env={**os.environ, "PYTHONPATH": str(tmp_path / "site")},
    )
    assert Path(result.stderr.strip()) == tmp_path / "site" / "hwsnn" / "_data" / "mappings"
