"""Typed, immutable configuration of the main job."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PipelineConfig"]


@dataclass(frozen=True, kw_only=True)
class PipelineConfig:
    """What the pipeline trains and checks.

    Attributes:
        dataset: ``digits`` (embedded default) or ``fashion-mnist``.
        arch: Architecture from :mod:`hwsnn.nn.zoo` (``mlp`` or ``conv``).
        hidden: Hidden LIF neurons of the MLP.
        timesteps: Time steps per inference.
        dt: Time step (s).
        tau_mem: Membrane time constant of the LIF neurons (s).
        reset: Reset mode of the LIF neurons; ``zero`` maps exactly to Loihi.
        epochs: Training epochs.
        lr: Adam learning rate.
        batch_size: Training batch size.
        check_samples: Test samples on which onnxruntime and sim.float are compared step by step.
        seed: Seed of data split, initialisation, shuffling and encoders.
    """

    dataset: str = "digits"
    arch: str = "mlp"
    hidden: int = 128
    timesteps: int = 16
    dt: float = 1e-3
    tau_mem: float = 1e-2
    reset: str = "zero"
    epochs: int = 30
    lr: float = 2e-3
    batch_size: int = 64
    check_samples: int = 64
    seed: int = 0
