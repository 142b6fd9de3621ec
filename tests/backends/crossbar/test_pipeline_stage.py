"""The pipeline's crossbar stage maps a binary-aware fine-tuned copy of the trained network."""

import numpy as np
import pytest

from hwsnn.pipeline.config import PipelineConfig
from hwsnn.pipeline.crossbar_stage import crossbar
from hwsnn.pipeline.stage import Context, StageStatus
from hwsnn.pipeline.stages import export_formats, train


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Context:
    cfg = PipelineConfig(hidden=24, epochs=3, timesteps=6)
    context = Context(config=cfg, out=tmp_path_factory.mktemp("pipe"), progress=False)
    for stage in (train, export_formats):
        assert stage(context).status is StageStatus.OK
    return context


def test_stage_maps_the_binary_copy(ctx: Context) -> None:
    weights_before = {k: v.clone() for k, v in ctx.artifacts["model"].state_dict().items()}
    res = crossbar(ctx)
    m = res.metrics
    assert res.status is StageStatus.OK and m["weights"].startswith("binary-aware")
    for target in ("crossbar_mtj", "crossbar_rram"):
        # ideal devices reproduce sim.float of the binary graph exactly
        assert m[f"{target}_ideal_accuracy"] == m["binary_accuracy"]
        assert 0.0 < m[f"{target}_noisy_accuracy"] <= 1.0
        assert m[f"{target}_energy_per_inference_j"] > 0 and m[f"{target}_tiles"] >= 2
    assert m["binary_accuracy"] > 0.5 and np.isfinite(m["binary_finetune_wall_s"])
    after = ctx.artifacts["model"].state_dict()
    assert all(bool((after[k] == v).all()) for k, v in weights_before.items())  # float kept


def test_stage_without_a_torch_model_binarises_post_hoc(ctx: Context) -> None:
    bare = Context(config=ctx.config, out=ctx.out, progress=False)
    bare.artifacts.update(graph=ctx.artifacts["graph"], data=ctx.artifacts["data"])
    m = crossbar(bare).metrics
    assert "post hoc" in m["weights"] and "binary_accuracy" not in m
    assert 0.0 < m["crossbar_rram_ideal_accuracy"] <= 1.0
