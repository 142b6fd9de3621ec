"""The hwsnn hardware IR: typed, frozen, validated spiking-network graphs (numpy only)."""

from hwsnn.ir._base import Node, Quantization, ResetMode, Rounding, Shape
from hwsnn.ir.codec import FORMAT_VERSION, graph_from_record, graph_to_record
from hwsnn.ir.compare import graphs_equal, nodes_equal
from hwsnn.ir.filters import SAU, AlphaSynapse
from hwsnn.ir.graph import Graph
from hwsnn.ir.io import CurrentEncoder, Input, Output, PoissonEncoder
from hwsnn.ir.neuron import IF, LI, LIF, NLIF, NeuronCoefficients, neuron_coefficients
from hwsnn.ir.registry import NODE_TYPES, node_type, register_node_type
from hwsnn.ir.summary import NodeSummary, summarize
from hwsnn.ir.synapse import (
    Add,
    Affine,
    AvgPool2d,
    Concat,
    Conv2d,
    Flatten,
    Linear,
    MaxPool2d,
    ReLU,
    Scale,
    SumPool2d,
)
from hwsnn.ir.temporal import MaxPoolTTFS, TimeAffine, TTFSEncoder

__all__ = [
    "FORMAT_VERSION",
    "IF",
    "LI",
    "LIF",
    "NLIF",
    "NODE_TYPES",
    "SAU",
    "Add",
    "Affine",
    "AlphaSynapse",
    "AvgPool2d",
    "Concat",
    "Conv2d",
    "CurrentEncoder",
    "Flatten",
    "Graph",
    "Input",
    "Linear",
    "MaxPool2d",
    "MaxPoolTTFS",
    "NeuronCoefficients",
    "Node",
    "NodeSummary",
    "Output",
    "PoissonEncoder",
    "Quantization",
    "ReLU",
    "ResetMode",
    "Rounding",
    "Scale",
    "Shape",
    "SumPool2d",
    "TTFSEncoder",
    "TimeAffine",
    "graph_from_record",
    "graph_to_record",
    "graphs_equal",
    "neuron_coefficients",
    "node_type",
    "nodes_equal",
    "register_node_type",
    "summarize",
]
