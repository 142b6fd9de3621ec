"""Write a :class:`LoihiArtifact` to a directory: JSON header and ``.npz`` arrays (no pickle)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.lava.artifact import LoihiArtifact, lava_conv_weight

__all__ = ["artifact_header", "write_artifact"]


def artifact_header(artifact: LoihiArtifact) -> dict[str, Any]:
    """JSON-ready description of the lowering (arrays named, stored separately)."""
    pops = [
        {
            "name": p.name,
            "kind": p.kind,
            "shape": list(p.shape),
            "du": p.du,
            "dv": p.dv,
            "vth": p.vth,
            "v_lsb": p.v_lsb,
            "depth": p.depth,
            "bias_mant": f"pop/{p.name}/bias_mant",
            "bias_exp": f"pop/{p.name}/bias_exp",
        }
        for p in artifact.populations
    ]
    conns = [
        {
            "name": c.name,
            "src": c.src,
            "dst": c.dst,
            "kind": c.kind,
            "weight_exp": c.weight_exp,
            "delay": c.delay,
            "graded": c.graded,
            "sign_mode": c.sign_mode,
            "in_shape": list(c.in_shape),
            "out_shape": list(c.out_shape),
            "stride": list(c.stride),
            "padding": list(c.padding),
            "dilation": list(c.dilation),
            "groups": c.groups,
            "weights": f"conn/{c.name}/weights",
            "lava_weights": f"conn/{c.name}/lava_weights",
        }
        for c in artifact.connections
    ]
    return {
        "format": "hwsnn-loihi-lowering",
        "version": 1,
        "target": artifact.target,
        "timesteps": artifact.timesteps,
        "dt_s": artifact.dt,
        "output": artifact.output,
        "latency_steps": artifact.latency,
        "input": asdict(artifact.input),
        "populations": pops,
        "connections": conns,
    }


def write_artifact(artifact: LoihiArtifact, out: Path) -> list[Path]:
    """Write ``lowering.json``, ``lowering.npz``, ``resources.json`` and ``diagnostics.json``.

    Conv weights are stored twice: IR layout and Lava layout (flipped, ``(C_out, kW, kH, C_in)``).
    """
    out.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, NDArray[np.generic]] = {}
    for p in artifact.populations:
        arrays[f"pop/{p.name}/bias_mant"] = p.bias_mant
        arrays[f"pop/{p.name}/bias_exp"] = p.bias_exp
    for c in artifact.connections:
        arrays[f"conn/{c.name}/weights"] = c.weights
        arrays[f"conn/{c.name}/lava_weights"] = (
            lava_conv_weight(c.weights) if c.kind == "conv" else c.weights
        )
    paths = [
        out / "lowering.json",
        out / "lowering.npz",
        out / "resources.json",
        out / "diagnostics.json",
    ]
    paths[0].write_text(json.dumps(artifact_header(artifact), indent=2), encoding="utf-8")
    np.savez_compressed(paths[1], **arrays)
    paths[2].write_text(json.dumps(artifact.resources.to_dict(), indent=2), encoding="utf-8")
    diags = [
        {"step": d.step, "node": d.node, "message": d.message, "metrics": dict(d.metrics)}
        for d in artifact.diagnostics
    ]
    paths[3].write_text(json.dumps(diags, indent=2), encoding="utf-8")
    return paths
