"""The IR nodes added for the papers' models: validation, native round trip, sim kernels.

(Kept here with the models that need them; they can move to tests/ir/ and tests/sim/.)
"""

from __future__ import annotations

import numpy as np
import pytest

from hwsnn import ir
from hwsnn.errors import IRValidationError
from hwsnn.formats import load, save


@pytest.mark.parametrize(
    "make",
    [
        lambda: ir.TTFSEncoder(alpha=0.0),
        lambda: ir.TTFSEncoder(alpha=2.0, t_max=1.0),
        lambda: ir.AlphaSynapse(tau_syn=np.array(-1.0)),
        lambda: ir.SAU(edges=np.array([0.0, 0.0]), levels=np.array([1.0])),
        lambda: ir.SAU(edges=np.array([0.0, 1.0]), levels=np.array([1.0, 2.0])),
        lambda: ir.TimeAffine(scale=np.ones((3, 2)), shift=np.ones((2, 2))),
    ],
)
def test_invalid_parameters_raise(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IRValidationError):
        make()


def test_new_nodes_round_trip_through_native_format(tmp_path, rng: np.random.Generator) -> None:  # type: ignore[no-untyped-def]
    graph = ir.Graph.sequential(
        [
            ("in", ir.Input(shape=(2, 4, 4))),
            ("alpha", ir.AlphaSynapse(tau_syn=np.array(5e-3))),
            ("bntt", ir.TimeAffine(scale=rng.random((3, 2, 1, 1)), shift=rng.random((3, 2, 1, 1)))),
            ("sau", ir.SAU(edges=np.array([0.0, 0.5, 1.0]), levels=np.array([0.3, 0.7]))),
            ("out", ir.Output()),
        ],
        dt=1e-3,
        timesteps=3,
    )
    save(graph, tmp_path / "g.hwir")
    assert ir.graphs_equal(load(tmp_path / "g.hwir"), graph)


def test_time_affine_and_sau_kernels(rng: np.random.Generator) -> None:
    import hwsnn.sim.temporal_kernels  # noqa: F401
    from hwsnn.sim import simulate

    scale, shift = rng.random((3, 2)), rng.random((3, 2))
    graph = ir.Graph.sequential(
        [
            ("in", ir.Input(shape=(2,))),
            ("bntt", ir.TimeAffine(scale=scale, shift=shift)),
            ("sau", ir.SAU(edges=np.array([0.5, 1.0, 1.5]), levels=np.array([1.0, 2.0]))),
            ("out", ir.Output()),
        ],
        dt=1e-3,
        timesteps=3,
    )
    x = rng.random((5, 2)).astype(np.float32)
    out = simulate(graph, x).outputs
    y = x[None] * scale[:, None].astype(np.float32) + shift[:, None].astype(np.float32)
    expected = np.select([(y >= 0.5) & (y < 1.0), (y >= 1.0) & (y < 1.5)], [1.0, 2.0], 0.0)
    np.testing.assert_array_equal(out, expected)


def test_ttfs_backend_is_registered_by_register() -> None:
    from hwsnn.sim import SIMULATORS
    from hwsnn.sim.ttfs import register, simulate_ttfs

    register()
    assert SIMULATORS["ttfs"] is simulate_ttfs
