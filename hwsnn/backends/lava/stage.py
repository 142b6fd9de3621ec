"""The Loihi stage of the pipeline: float vs fixed-point accuracy and the energy estimate."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hwsnn.backends.lava.energy import EnergyEstimate
from hwsnn.backends.lava.resources import ResourceReport
from hwsnn.ir import Graph

__all__ = ["LoihiStageResult", "loihi_stage"]


@dataclass(frozen=True)
class LoihiStageResult:
    """Fixed-point accuracy, float accuracy and the energy estimate of one model on Loihi.

    Attributes:
        target: Target spec name.
        accuracy_float: Accuracy under ``sim.float`` (1).
        accuracy_fixed: Accuracy under the bit-exact Loihi emulator (1).
        energy: Energy per inference with its coefficients and their sources.
        resources: Core partition.
        diagnostics: Number of lossy-step diagnostics.
        samples: Test samples evaluated.
    """

    target: str
    accuracy_float: float
    accuracy_fixed: float
    energy: EnergyEstimate
    resources: ResourceReport
    diagnostics: int
    samples: int

    def to_json(self) -> str:
        """JSON text (energy coefficients with sources)."""
        return json.dumps(
            {
                "target": self.target,
                "accuracy_float": self.accuracy_float,
                "accuracy_fixed": self.accuracy_fixed,
                "energy_per_inference_j": self.energy.energy_j,
                "synops_per_inference": self.energy.synops,
                "spikes_per_inference": self.energy.spikes,
                "energy_coefficients": {
                    k: {"value_j": v, "source": s} for k, (v, s) in self.energy.coefficients.items()
                },
                "cores": self.resources.cores,
                "diagnostics": self.diagnostics,
                "samples": self.samples,
            },
            indent=2,
        )


def loihi_stage(
    graph: Graph,
    x_test: NDArray[np.generic],
    y_test: NDArray[np.integer[Any]],
    *,
    rng: np.random.Generator,
    target: str = "loihi2",
) -> LoihiStageResult:
    """Map ``graph`` to ``target``; measure float vs fixed accuracy and estimate energy."""
    from hwsnn.backends.lava.encode import encode_inputs
    from hwsnn.backends.lava.energy import estimate_energy
    from hwsnn.backends.lava.lowering import map_graph
    from hwsnn.sim.float import simulate_float
    from hwsnn.sim.loihi import simulate_artifact
    from hwsnn.targets import load_target

    spec = load_target(target)
    artifact = map_graph(graph, spec, rng=rng)
    x = np.asarray(x_test).reshape(len(x_test), *graph.input_shape)
    seed = int(rng.integers(2**31))
    acc_float = float(
        np.mean(simulate_float(graph, x, rng=np.random.default_rng(seed)).predictions() == y_test)
    )
    fixed = simulate_artifact(artifact, x, rng=np.random.default_rng(seed))
    acc_fixed = float(np.mean(fixed.predictions() == y_test))
    encoded = encode_inputs(artifact, x, rng=np.random.default_rng(seed))
    from hwsnn.sim.loihi import run_emulator

    trace = run_emulator(artifact, encoded.payload)
    energy = estimate_energy(artifact, trace.spikes, encoded.payload, spec)
    return LoihiStageResult(
        spec.name,
        acc_float,
        acc_fixed,
        energy,
        artifact.resources,
        len(artifact.diagnostics),
        len(y_test),
    )
