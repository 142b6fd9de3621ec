"""Fixtures for the torch neuron-module tests."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)


@pytest.fixture
def gen() -> torch.Generator:
    """A seeded torch generator."""
    return torch.Generator().manual_seed(1234)
