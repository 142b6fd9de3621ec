"""Temporal early exit from the BNTT gammas (paper 004 Sec. 3.4, Fig. 3 and Fig. 6).

The exit step for a gamma threshold is fixed before any input is seen: inference stops
after the last step at which some layer's mean ``gamma_t`` is still at or above the
threshold (:func:`hwsnn.models.bntt.early_exit_step`). The paper uses a predetermined
threshold (0.1 for VGG9 on CIFAR-10) and sweeps it in Fig. 6; here the threshold is
chosen on held-out *training* samples (the largest one whose exit costs at most a given
accuracy budget there), then measured once on the test set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import HwsnnError

__all__ = ["ExitChoice", "choose_exit", "exit_thresholds", "stepwise_accuracy"]


@dataclass(frozen=True)
class ExitChoice:
    """An early-exit decision.

    Attributes:
        gamma_threshold: Mean-gamma threshold (dimensionless) that yields ``exit_step``.
        exit_step: Steps run (1..T).
        val_accuracy_full: Held-out accuracy after all ``T`` steps (fraction).
        val_accuracy_exit: Held-out accuracy after ``exit_step`` steps (fraction).
    """

    gamma_threshold: float
    exit_step: int
    val_accuracy_full: float
    val_accuracy_exit: float


def stepwise_accuracy(
    cum_predictions: NDArray[np.int64], labels: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Accuracy after each step, shape ``(T,)``, from ``(T, N)`` predictions of the running sum."""
    return np.asarray((cum_predictions == labels[None, :]).mean(axis=1), dtype=np.float64)


def exit_thresholds(profile: NDArray[np.float64]) -> list[tuple[float, int]]:
    """Every exit step a gamma threshold can give, with one threshold that gives it.

    With ``m_t`` the largest layer mean at step ``t`` and ``s_t = max_{k >= t} m_k``,
    a threshold in ``(s_{t+1}, s_t]`` exits after step ``t``; the midpoint is returned.
    Steps with ``s_{t+1} == s_t`` cannot be reached. ``T`` (any threshold at or below
    ``s_T``) and the mid-range of the earliest reachable exit are included.

    Returns:
        ``(threshold, exit_step)`` pairs, exit steps increasing.
    """
    if profile.ndim != 2 or profile.shape[1] == 0:
        raise HwsnnError(f"exit_thresholds: expected a (layers, T) profile, got {profile.shape}")
    m = profile.max(axis=0)
    s = np.maximum.accumulate(m[::-1])[::-1]  # suffix max, non-increasing
    steps = len(s)
    out = [(float(s[-1]) / 2.0 if s[-1] > 0 else float(s[-1]) - 1.0, steps)]
    for t in range(steps - 1, 0, -1):  # exit after t steps (1-based) needs thr in (s[t], s[t-1]]
        if s[t - 1] > s[t]:
            out.append((float(s[t] + s[t - 1]) / 2.0, t))
    return sorted(out, key=lambda p: p[1])


def choose_exit(
    profile: NDArray[np.float64], val_accuracy: NDArray[np.float64], budget: float
) -> ExitChoice:
    """The earliest gamma-reachable exit whose held-out accuracy loss is at most ``budget``.

    Args:
        profile: Mean gamma per layer and step, ``(layers, T)``.
        val_accuracy: Held-out accuracy after each step, ``(T,)`` (fractions).
        budget: Largest accepted loss against all ``T`` steps (fraction, e.g. 0.0025).

    Returns:
        The chosen :class:`ExitChoice` (``exit_step == T`` when no earlier exit fits).
    """
    if val_accuracy.shape != (profile.shape[1],):
        raise HwsnnError(
            f"choose_exit: {val_accuracy.shape[0]} accuracies for {profile.shape[1]} steps"
        )
    if not np.isfinite(budget) or budget < 0:
        raise HwsnnError(f"choose_exit: budget must be a fraction >= 0, got {budget!r}")
    full = float(val_accuracy[-1])
    for thr, step in exit_thresholds(profile):
        if float(val_accuracy[step - 1]) >= full - budget - 1e-12:
            return ExitChoice(thr, step, full, float(val_accuracy[step - 1]))
    raise HwsnnError("choose_exit: no exit found (the last step always qualifies)")
