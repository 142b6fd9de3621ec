import numpy as np
import pytest

from hwsnn.errors import HwsnnError
from hwsnn.sweep import Sweep, grid, params_hash, point_seed
from hwsnn.sweep.tasks import probe_task


def test_grid_is_a_product_last_axis_fastest_with_repeats():
    points = grid({"a": [1, 2], "b": ["x", "y"]}, repeats=2)
    assert len(points) == 8
    assert points[0] == {"a": 1, "b": "x", "repeat": 0}
    assert points[1] == {"a": 1, "b": "x", "repeat": 1}
    assert points[2] == {"a": 1, "b": "y", "repeat": 0}
    assert points[-1] == {"a": 2, "b": "y", "repeat": 1}
    assert grid({"a": [1, 2]}) == ({"a": 1}, {"a": 2})


@pytest.mark.parametrize(
    ("axes", "repeats"), [({"a": []}, 1), ({"a": [1]}, 0), ({"repeat": [1]}, 2)]
)
def test_grid_rejects_bad_axes(axes, repeats):
    with pytest.raises(HwsnnError):
        grid(axes, repeats=repeats)


def test_point_seed_depends_on_base_and_index_only():
    seeds = [point_seed(7, i) for i in range(100)]
    assert len(set(seeds)) == 100
    assert seeds == [point_seed(7, i) for i in range(100)]
    assert point_seed(8, 0) != point_seed(7, 0)
    expected = np.random.SeedSequence([7, 3]).generate_state(1, dtype=np.uint64)[0]
    assert seeds[3] == int(expected)
    with pytest.raises(HwsnnError):
        point_seed(-1, 0)


def test_params_hash_ignores_key_order_and_sees_values():
    assert params_hash({"a": 1, "b": 2.0}) == params_hash({"b": 2.0, "a": 1})
    assert params_hash({"a": 1}) != params_hash({"a": 2})
    assert len(params_hash({"a": 1})) == 12


def test_sweep_jobs_and_validation():
    sweep = Sweep(name="p", task=probe_task, points=({"i": np.int64(3)}, {"i": 4}), seed=5)
    jobs = sweep.jobs()
    assert [j.index for j in jobs] == [0, 1]
    assert jobs[0].params == {"i": 3} and type(jobs[0].params["i"]) is int
    assert jobs[1].seed == point_seed(5, 1)
    assert jobs[1].key == f"1-{params_hash({'i': 4})}"
    assert sweep.manifest() == {"task": "p", "seed": 5, "options": {}, "points": 2}
    with pytest.raises(HwsnnError):
        Sweep(name="p", task=probe_task, points=())
    with pytest.raises(HwsnnError):
        Sweep(name="p", task=probe_task, points=({"x": float("nan")},))
    with pytest.raises(HwsnnError):
        Sweep(name="p", task=probe_task, points=({"x": [1, 2]},))
