"""Names and versions shared by the ONNX writer, reader and stepper.

Interface values of the one-step model (all float32 unless noted; ``B`` is the batch):

* ``x``: the input sample ``(B, *input_shape)``;
* ``u.<node>``: uniform noise in ``[0, 1)`` for a PoissonEncoder ``<node>``, same shape;
* ``t``: the time step index (int64 scalar), only when an LIF has a ``threshold_scale``
  or the graph has a TimeAffine node;
* ``<node>.v`` / ``<node>.v_next``: membrane state in / out of a stateful neuron
  (an AlphaSynapse has two states, ``<node>.a`` and ``<node>.y``);
* ``y``: the Output node's value; ``<node>.spikes``: the spikes of a spiking node.

Record arrays are initializers named by their record key ``<node>.<field>`` (float64);
every value the writer derives is named ``<node>:<what>`` (``:`` never occurs in node names).
"""

from __future__ import annotations

__all__ = [
    "DOMAIN",
    "DOMAIN_VERSION",
    "HEADER_KEY",
    "INPUT",
    "IR_VERSION",
    "OPSET",
    "OUTPUT",
    "TIME",
    "derived",
    "noise",
    "record_key",
    "spikes",
    "state_in",
    "state_out",
]

DOMAIN = "ai.hwsnn"
"""ONNX operator domain of the spiking ops."""
DOMAIN_VERSION = 1
"""Version of the ``ai.hwsnn`` operator set this writer emits and reads."""
OPSET = 19
"""Standard ONNX opset of the main graph and the function bodies (19: ``Equal`` on strings)."""
IR_VERSION = 9
"""ONNX IR version written (9 goes with opset 19)."""
HEADER_KEY = "hwsnn.ir"
"""``metadata_props`` key holding the JSON IR header."""
INPUT = "x"
OUTPUT = "y"
TIME = "t"


def record_key(node: str, field: str) -> str:
    """Initializer name of the record array ``field`` of ``node``."""
    return f"{node}.{field}"


def derived(node: str, what: str) -> str:
    """Name of a value the writer derives for ``node``."""
    return f"{node}:{what}"


def state_in(node: str, var: str = "v") -> str:
    """Graph input carrying state ``var`` of ``node`` before the step (membrane: ``v``)."""
    return f"{node}.{var}"


def state_out(node: str, var: str = "v") -> str:
    """Graph output carrying state ``var`` of ``node`` after the step."""
    return f"{node}.{var}_next"


def spikes(node: str) -> str:
    """Graph output carrying the spikes (0/1) of ``node`` at this step."""
    return f"{node}.spikes"


def noise(node: str) -> str:
    """Graph input carrying the uniform noise of PoissonEncoder ``node``."""
    return f"u.{node}"
