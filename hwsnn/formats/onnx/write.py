"""Graph -> ONNX model: the IR record plus an executable one-time-step main graph."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path
from typing import TYPE_CHECKING

from hwsnn.errors import FormatError
from hwsnn.formats.onnx import _names as nm
from hwsnn.formats.onnx._builder import Builder
from hwsnn.formats.onnx._digest import DIGEST_KEY, record_digest
from hwsnn.formats.onnx.functions import function_protos
from hwsnn.formats.onnx.lower import lower_node
from hwsnn.ir import Graph, graph_to_record

if TYPE_CHECKING:
    from onnx import ModelProto

__all__ = ["graph_to_model", "write_onnx"]


def _version() -> str:
    try:
        return importlib.metadata.version("hwsnn")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


def _check_unique(b: Builder) -> None:
    """Value names must be unique (they can clash only for contrived node names)."""
    names = [i.name for i in (*b.inputs, *b.extra_inputs, *b.state_inputs)]
    names += [i.name for i in b.initializers]
    names += [out for node in b.nodes for out in node.output]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise FormatError(
                f"ONNX: value name {name!r} is used twice; rename the node it comes from"
            )
        seen.add(name)


def graph_to_model(graph: Graph) -> ModelProto:
    """Build the ONNX model of ``graph``.

    The IR header (JSON) is ``metadata_props["hwsnn.ir"]``; every record array is a
    float64 initializer named by its record key. The main graph computes one time step
    (interface names in :mod:`hwsnn.formats.onnx._names`).

    Raises:
        FormatError: Two values would get the same name.
    """
    from onnx import helper, numpy_helper

    header, arrays = graph_to_record(graph)
    b = Builder(graph)
    b.initializers.extend(numpy_helper.from_array(a, key) for key, a in arrays.items())
    for name in graph.order:
        lower_node(b, name)
    _check_unique(b)
    main = helper.make_graph(
        b.nodes,
        "hwsnn_step",
        inputs=[*b.inputs, *b.extra_inputs, *b.state_inputs],
        outputs=[*b.outputs, *b.state_outputs, *b.spike_outputs],
        initializer=b.initializers,
        doc_string=f"One time step (dt = {graph.dt} s) of a {graph.timesteps}-step hwsnn network.",
    )
    model = helper.make_model(
        main,
        opset_imports=[
            helper.make_opsetid("", nm.OPSET),
            helper.make_opsetid(nm.DOMAIN, nm.DOMAIN_VERSION),
        ],
        functions=function_protos(b.domain_ops),
        ir_version=nm.IR_VERSION,
        producer_name="hwsnn",
        producer_version=_version(),
    )
    text = json.dumps(header, sort_keys=True, allow_nan=False)
    digest = record_digest(text, arrays, list(arrays))
    helper.set_model_props(model, {nm.HEADER_KEY: text, DIGEST_KEY: digest})
    return model


def write_onnx(graph: Graph, path: Path) -> None:
    """Write ``graph`` to ``path`` as an ONNX model (atomically).

    Raises:
        FormatError: The model cannot be serialised (e.g. larger than protobuf's 2 GiB).
    """
    model = graph_to_model(graph)
    try:
        data = model.SerializeToString()
    except ValueError as exc:
        raise FormatError(f"{path}: cannot serialise ONNX model ({exc})") from None
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
