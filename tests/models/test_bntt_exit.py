"""BNTT early exit (paper 004 Sec. 3.4): reachable exits and the held-out choice."""

from __future__ import annotations

import numpy as np
import pytest

from hwsnn.errors import HwsnnError
from hwsnn.models.bntt_exit import choose_exit, exit_thresholds, stepwise_accuracy

torch = pytest.importorskip("torch")

from hwsnn.models.bntt import early_exit_step  # noqa: E402


def test_every_listed_threshold_gives_its_exit_step() -> None:
    profile = np.array([[1.0, 0.6, 0.3, 0.3, 0.05], [0.2, 0.8, 0.25, 0.1, 0.02]])
    pairs = exit_thresholds(profile)
    assert [s for _, s in pairs] == [1, 2, 4, 5]  # step 3 is unreachable (0.3 again at 4)
    for thr, step in pairs:
        assert early_exit_step(profile, thr) == step


def test_rising_profile_only_allows_the_last_step_or_the_first() -> None:
    profile = np.array([[0.1, 0.2, 0.3]])
    assert [s for _, s in exit_thresholds(profile)] == [3]


def test_choose_exit_takes_the_earliest_step_within_budget() -> None:
    profile = np.array([[1.0, 0.8, 0.6, 0.4, 0.2]])
    val = np.array([0.5, 0.7, 0.795, 0.801, 0.8])
    choice = choose_exit(profile, val, budget=0.006)
    assert choice.exit_step == 3 and choice.val_accuracy_exit == pytest.approx(0.795)
    assert early_exit_step(profile, choice.gamma_threshold) == 3
    assert choose_exit(profile, val, budget=0.0).exit_step == 4
    with pytest.raises(HwsnnError):
        choose_exit(profile, val[:3], budget=0.01)
    with pytest.raises(HwsnnError):
        choose_exit(profile, val, budget=-1.0)


def test_stepwise_accuracy_of_running_predictions() -> None:
    preds = np.array([[0, 1, 1], [1, 1, 2]])
    np.testing.assert_allclose(stepwise_accuracy(preds, np.array([1, 1, 2])), [1 / 3, 1.0])
