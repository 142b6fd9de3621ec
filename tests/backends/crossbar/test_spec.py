import tomllib

import pytest

from hwsnn.backends.crossbar.spec import DeviceKind, MappingScheme, WritePath
from hwsnn.backends.crossbar.specfile import available_specs, load_spec, spec_dir, spec_from_dict
from hwsnn.errors import HwsnnError, TargetConstraintError


def _raw(name: str) -> dict:
    return tomllib.loads((spec_dir() / f"{name}.toml").read_text())


def test_builtin_specs_load_with_sources() -> None:
    assert set(available_specs()) >= {"mtj", "rram"}
    mtj = load_spec("mtj")
    assert mtj.device_kind is DeviceKind.MTJ and mtj.write_path is WritePath.SOT
    assert mtj.r_high_ohm == pytest.approx(5e3 * 2.24)
    assert mtj.array.mapping is MappingScheme.DIFFERENTIAL
    assert load_spec("rram").array.mapping is MappingScheme.OFFSET
    rram = load_spec("rram")
    assert rram.device_kind is DeviceKind.RRAM and rram.rram is not None
    for spec in (mtj, rram):
        assert spec.sources and all(s.strip() for s in spec.sources.values())
        assert isinstance(spec.array.rows, int)


@pytest.mark.parametrize(
    ("section", "key", "value", "field"),
    [
        ("mtj", "r_low_ohm", -5.0, "mtj.r_low_ohm"),
        ("variability", "stuck_low_rate", 1.5, "variability.stuck_low_rate"),
        ("array", "rows", 0, "array.rows"),
        ("adc", "bits", -1, "adc.bits"),
    ],
)
def test_bad_values_name_the_field(section: str, key: str, value: float, field: str) -> None:
    raw = _raw("mtj")
    raw[section][key]["value"] = value
    with pytest.raises(HwsnnError, match=field.replace(".", r"\.")):
        spec_from_dict(raw)


def test_number_without_source_is_refused() -> None:
    raw = _raw("rram")
    raw["rram"]["r_low_ohm"] = 1e4
    with pytest.raises(HwsnnError, match=r"rram\.r_low_ohm.*source"):
        spec_from_dict(raw)


def test_tile_larger_than_the_wires_allow() -> None:
    raw = _raw("rram")
    raw["array"]["rows"]["value"] = 1024
    with pytest.raises(TargetConstraintError, match=r"array\.rows") as info:
        spec_from_dict(raw)
    assert info.value.actual > info.value.limit


def test_unknown_spec_name() -> None:
    with pytest.raises(HwsnnError, match="available"):
        load_spec("no-such-device")
