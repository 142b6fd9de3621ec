"""ONNX adapter: an hwsnn graph as an executable one-time-step ONNX model (``ai.hwsnn`` domain).

The file stores the IR record (JSON header in ``metadata_props["hwsnn.ir"]``, arrays as
initializers named by record key), so every node type round-trips to an equal graph; its
main graph runs one time step in onnxruntime with explicit state in and out.
"""

from hwsnn.formats.onnx.read import load_model, model_to_graph, read_onnx
from hwsnn.formats.onnx.step import run_onnx
from hwsnn.formats.onnx.write import graph_to_model, write_onnx

__all__ = ["graph_to_model", "load_model", "model_to_graph", "read_onnx", "run_onnx", "write_onnx"]
