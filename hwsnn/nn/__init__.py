"""Minimal spiking neuron modules for torch (needs the ``torch`` extra).

Modules run on ``(T, B, *shape)`` sequences, compute exactly the float32 updates of
the reference simulator, and export to the IR with :func:`hwsnn.export_torch`.
"""

from hwsnn.nn._base import SequenceModule, node_name
from hwsnn.nn.containers import Residual, Sequential, apply_layer, as_sequence, record_spikes
from hwsnn.nn.encoders import PoissonEncoder
from hwsnn.nn.functional import FastSigmoid, FusableSurrogate, Surrogate, Triangle
from hwsnn.nn.neurons import IF, LI, LIF
from hwsnn.nn.train import TrainHistory, evaluate, predict_logits, train_classifier
from hwsnn.nn.zoo import (
    ARCHITECTURES,
    build_model,
    export_checkpoint,
    load_checkpoint,
    save_checkpoint,
)

__all__ = [
    "ARCHITECTURES",
    "IF",
    "LI",
    "LIF",
    "FastSigmoid",
    "FusableSurrogate",
    "PoissonEncoder",
    "Residual",
    "SequenceModule",
    "Sequential",
    "Surrogate",
    "TrainHistory",
    "Triangle",
    "apply_layer",
    "as_sequence",
    "build_model",
    "evaluate",
    "export_checkpoint",
    "load_checkpoint",
    "node_name",
    "predict_logits",
    "record_spikes",
    "save_checkpoint",
    "train_classifier",
]
