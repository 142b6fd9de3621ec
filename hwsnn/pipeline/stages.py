"""The core stages: train, export to three formats, check them against each other, evaluate."""

from __future__ import annotations

from typing import Any

import numpy as np

from hwsnn.errors import HwsnnError
from hwsnn.pipeline.config import PipelineConfig
from hwsnn.pipeline.stage import Context, StageResult, StageStatus

__all__ = ["DEFAULT_STAGES", "check_formats", "evaluate_float", "export_formats", "train"]


def _needs(ctx: Context, *keys: str) -> None:
    missing = [k for k in keys if k not in ctx.artifacts]
    if missing:
        raise HwsnnError(f"needs {', '.join(missing)} from an earlier stage")


def _model_config(
    cfg: PipelineConfig, input_shape: tuple[int, ...], n_classes: int
) -> dict[str, Any]:
    """The ``build_model`` options of the configured architecture (saved in the checkpoint)."""
    model_config: dict[str, Any] = {
        "input_shape": list(input_shape),
        "n_classes": n_classes,
        "timesteps": cfg.timesteps,
        "dt": cfg.dt,
        "tau_mem": cfg.tau_mem,
        "reset": cfg.reset,
        "seed": cfg.seed,
    }
    if cfg.arch == "mlp":
        model_config["hidden"] = cfg.hidden
    return model_config


def train(ctx: Context) -> StageResult:
    """Train the configured LIF network with BPTT on the training split."""
    import torch

    from hwsnn.data import load_dataset
    from hwsnn.nn.train import evaluate, train_classifier
    from hwsnn.nn.zoo import build_model, save_checkpoint

    cfg = ctx.config
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(1)  # one thread: reproducible float sums (and faster on 2 cores)
    data = load_dataset(cfg.dataset, seed=cfg.seed)
    model_config = _model_config(cfg, data.input_shape, data.n_classes)
    model = build_model(cfg.arch, **model_config)
    history = train_classifier(
        model,
        data.x_train,
        data.y_train,
        epochs=cfg.epochs,
        lr=cfg.lr,
        batch_size=cfg.batch_size,
        seed=cfg.seed,
        timesteps=cfg.timesteps,
        progress=ctx.progress,
    )
    accuracy = evaluate(model, data.x_test, data.y_test, batch_size=256)
    path = ctx.out / "model.pt"
    save_checkpoint(path, cfg.arch, model_config, model)
    ctx.artifacts.update(data=data, model=model, torch_accuracy=accuracy)
    ctx.files.append(path)
    final_loss = float(history.losses[-1]) if history.losses else float("nan")
    return StageResult(
        "train",
        StageStatus.OK,
        metrics={
            "dataset": data.name,
            "train_samples": len(data.y_train),
            "test_samples": len(data.y_test),
            "epochs": cfg.epochs,
            "final_loss": final_loss,
            "torch_test_accuracy": accuracy,
        },
    )


def export_formats(ctx: Context) -> StageResult:
    """Export the trained module to the IR and save it as .hwir, .onnx and .nir."""
    from hwsnn.export import export_torch
    from hwsnn.formats import save

    _needs(ctx, "model", "data")
    cfg = ctx.config
    graph = export_torch(
        ctx.artifacts["model"],
        tuple(ctx.artifacts["data"].input_shape),
        timesteps=cfg.timesteps,
        dt=cfg.dt,
    )
    ctx.artifacts["graph"] = graph
    sizes = {}
    for suffix in (".hwir", ".onnx", ".nir"):
        path = save(graph, ctx.out / f"model{suffix}")
        ctx.files.append(path)
        sizes[f"{suffix[1:]}_bytes"] = path.stat().st_size
    return StageResult("export", StageStatus.OK, metrics={"nodes": len(graph.nodes), **sizes})


def check_formats(ctx: Context) -> StageResult:
    """Compare spikes of torch, sim.float, onnxruntime and the re-loaded .hwir/.nir graphs."""
    from hwsnn.formats import load
    from hwsnn.formats.onnx import run_onnx
    from hwsnn.ir import graphs_equal
    from hwsnn.nn import record_spikes
    from hwsnn.sim.evaluate import fit_inputs
    from hwsnn.sim.float import simulate_float

    _needs(ctx, "graph", "model", "data")
    graph, cfg = ctx.artifacts["graph"], ctx.config
    x = fit_inputs(graph, ctx.artifacts["data"].x_test[: cfg.check_samples])
    reference = simulate_float(graph, x)
    onnx_out, onnx_spikes = run_onnx(ctx.out / "model.onnx", x, timesteps=graph.timesteps)
    torch_spikes = {
        name: np.asarray(s) for name, s in record_spikes(ctx.artifacts["model"], x).items()
    }
    metrics: dict[str, Any] = {"samples": len(x)}
    for label, spikes in (("onnxruntime", onnx_spikes), ("torch", torch_spikes)):
        agree = [float(np.mean(spikes[n] == reference.spikes[n])) for n in reference.spikes]
        metrics[f"{label}_spike_agreement"] = float(min(agree)) if agree else 1.0
    metrics["onnxruntime_output_max_abs_diff"] = float(np.max(np.abs(onnx_out - reference.outputs)))
    for suffix in ("hwir", "nir"):
        metrics[f"{suffix}_round_trip_equal"] = graphs_equal(
            load(ctx.out / f"model.{suffix}"), graph
        )
    ok = all(metrics[f"{k}_spike_agreement"] == 1.0 for k in ("onnxruntime", "torch"))
    ok = ok and metrics["hwir_round_trip_equal"] and metrics["nir_round_trip_equal"]
    status = StageStatus.OK if ok else StageStatus.FAILED
    return StageResult("check", status, "" if ok else "formats disagree (see metrics)", metrics)


def evaluate_float(ctx: Context) -> StageResult:
    """Test accuracy of the exported graph in the reference simulator."""
    from hwsnn.sim.evaluate import evaluate

    _needs(ctx, "graph", "data")
    data = ctx.artifacts["data"]
    result = evaluate(ctx.artifacts["graph"], data.x_test, data.y_test, progress=ctx.progress)
    ctx.artifacts["float_evaluation"] = result
    spikes = {n: float(t.sum() / result.samples) for n, t in result.spike_totals.items()}
    return StageResult(
        "evaluate",
        StageStatus.OK,
        metrics={
            "test_accuracy": result.accuracy,
            "samples": result.samples,
            "torch_test_accuracy": ctx.artifacts.get("torch_accuracy"),
            "spikes_per_sample": spikes,
        },
    )


def _loihi(ctx: Context) -> StageResult:
    from hwsnn.pipeline.loihi_stage import loihi

    return loihi(ctx)


def _crossbar(ctx: Context) -> StageResult:
    from hwsnn.pipeline.crossbar_stage import crossbar

    return crossbar(ctx)


def _spice(ctx: Context) -> StageResult:
    from hwsnn.pipeline.spice_stage import spice

    return spice(ctx)


def _report(ctx: Context) -> StageResult:
    from hwsnn.pipeline.report_stage import report

    return report(ctx)


DEFAULT_STAGES = (
    ("train", train),
    ("export", export_formats),
    ("check", check_formats),
    ("evaluate", evaluate_float),
    ("loihi", _loihi),
    ("crossbar", _crossbar),
    ("spice", _spice),
    ("report", _report),
)
"""The stages ``hwsnn pipeline`` runs, in order."""
