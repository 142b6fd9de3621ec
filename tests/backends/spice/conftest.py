"""Fixtures for the SPICE backend tests: skip with the reason when ngspice is absent."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "spice"
UPDATE_GOLDEN = os.environ.get("HWSNN_UPDATE_GOLDEN") == "1"


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture(scope="session")
def ngspice() -> None:
    from hwsnn.backends.spice.runner import ngspice_available

    if not ngspice_available():
        pytest.skip("ngspice 39 shared library / PySpice not installed")


@pytest.fixture(scope="session")
def sky130_cards() -> None:
    from hwsnn.backends.spice.models import sky130_model_dir
    from hwsnn.errors import SimulatorUnavailableError

    try:
        sky130_model_dir()
    except SimulatorUnavailableError as exc:
        pytest.skip(str(exc))
