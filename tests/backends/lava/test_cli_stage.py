import argparse
import json

import numpy as np

from hwsnn.cli.loihi import add_map_arguments, loihi_stage, run_map
from hwsnn.formats import save


def test_run_map_writes_report(tmp_path, nets, capsys):
    model = save(nets.conv_pool(np.random.default_rng(0)), tmp_path / "net.hwir")
    parser = argparse.ArgumentParser()
    add_map_arguments(parser)
    args = parser.parse_args([str(model), "--target", "loihi2", "--out", str(tmp_path / "out")])
    assert run_map(args) == 0
    resources = json.loads((tmp_path / "out" / "resources.json").read_text())
    assert resources["cores"] == 3 and resources["limits"]["neurons_per_core"] == 8192
    header = json.loads((tmp_path / "out" / "lowering.json").read_text())
    assert [c["kind"] for c in header["connections"]] == ["conv", "conv", "dense"]
    arrays = np.load(tmp_path / "out" / "lowering.npz")
    assert arrays[header["connections"][0]["lava_weights"]].shape == (4, 3, 3, 1)
    diags = json.loads((tmp_path / "out" / "diagnostics.json").read_text())
    assert any(d["step"] == "weight_quantization" for d in diags)
    assert "core(s)" in capsys.readouterr().out


def test_loihi_stage(nets):
    rng = np.random.default_rng(0)
    graph = nets.mlp(rng)
    x = rng.random((30, 16))
    y = rng.integers(0, 5, 30)
    stage = loihi_stage(graph, x, y, rng=np.random.default_rng(1))
    assert 0.0 <= stage.accuracy_fixed <= 1.0 and stage.samples == 30
    assert stage.energy.energy_j > 0 and stage.energy.synops > 0
    doc = json.loads(stage.to_json())
    assert "Davies" in doc["energy_coefficients"]["synop_j"]["source"]
