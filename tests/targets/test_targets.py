import tomllib

import pytest

from hwsnn._data import data_path
from hwsnn.errors import HwsnnError
from hwsnn.targets import available_targets, load_target, parse_target


@pytest.mark.parametrize("name", ["loihi1", "loihi2"])
def test_every_number_has_a_source(name):
    spec = load_target(name)
    with data_path("mappings", f"{name}.toml").open("rb") as handle:
        doc = tomllib.load(handle)
    count = sum(len(doc[s]) for s in ("chip", "core", "numeric", "energy", "time"))
    assert len(spec.sources) == count
    assert all(v.source.strip() and v.unit for v in spec.sources.values())


def test_loihi_limits():
    l1, l2 = load_target("loihi1"), load_target("loihi2")
    assert l1.core.neurons == 1024 and l2.core.neurons == 8192
    assert l2.chip.cores == 128 and l2.bits("vth_bits") == 17 and l2.bits("decay_bits") == 12
    assert l2.energy["synop_j"] == pytest.approx(23.6e-12)
    assert "Davies" in l2.source("energy.synop_j")
    assert {"loihi1", "loihi2"} <= set(available_targets())


def test_bare_number_is_refused():
    doc = {s: {} for s in ("chip", "core", "numeric", "energy", "time")}
    doc["energy"]["synop_j"] = 1.0
    with pytest.raises(HwsnnError, match="value, unit, source"):
        parse_target(doc, name="bad")


def test_unknown_target():
    with pytest.raises(HwsnnError, match="unknown target"):
        load_target("loihi9")
