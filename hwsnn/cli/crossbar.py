"""``hwsnn map --target crossbar-*`` and ``hwsnn simulate --backend crossbar-*`` (crossbar backend).

The lead's dispatcher calls :func:`add_map_arguments`/:func:`run_map` and
:func:`add_simulate_arguments`/:func:`run_simulate`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np

from hwsnn.errors import HwsnnError

__all__ = [
    "TARGETS",
    "add_map_arguments",
    "add_simulate_arguments",
    "run_map",
    "run_simulate",
    "spec_for_target",
]

TARGETS = {"crossbar-mtj": "mtj", "crossbar-rram": "rram"}
"""CLI target name -> spec file in mappings/crossbar."""


def spec_for_target(target: str, spec_path: Path | None = None) -> Any:
    """Load the spec of a CLI target (or an explicit TOML file)."""
    from hwsnn.backends.crossbar import load_spec

    if spec_path is not None:
        return load_spec(spec_path)
    if target not in TARGETS:
        raise HwsnnError(f"unknown crossbar target {target!r}; choose from {', '.join(TARGETS)}")
    return load_spec(TARGETS[target])


def _common(parser: argparse.ArgumentParser, flag: str) -> None:
    parser.add_argument(
        flag, choices=sorted(TARGETS), default="crossbar-rram", help="crossbar device family"
    )
    parser.add_argument("--spec", type=Path, default=None, help="custom crossbar spec TOML")
    parser.add_argument(
        "--mapping",
        choices=["offset", "differential"],
        default=None,
        help="signed-weight scheme (default: the spec's)",
    )
    parser.add_argument(
        "--binarize", action="store_true", help="replace non-binary weights by mean|w|*sign(w)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of devices and noise")
    parser.add_argument("--out", type=Path, default=None, help="output folder")


def add_map_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hwsnn map MODEL --target crossbar-... --out DIR`` (model added by caller)."""
    _common(parser, "--target")


def add_simulate_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``hwsnn simulate MODEL --backend crossbar-... [--sweep NAME]``."""
    from hwsnn.backends.crossbar.sweeps import SWEEPS

    _common(parser, "--backend")
    parser.add_argument(
        "--sweep",
        choices=sorted(SWEEPS),
        action="append",
        default=None,
        help="accuracy sweep over one non-ideality (repeatable)",
    )
    parser.add_argument(
        "--values",
        type=str,
        default=None,
        help="comma-separated sweep values (default: built-in list)",
    )
    parser.add_argument("--dataset", default="digits", help="digits, fashion-mnist or mnist")
    parser.add_argument("--limit", type=int, default=None, help="first N test samples")
    parser.add_argument("--batch-size", type=int, default=256, help="samples per batch")


def _spec(args: argparse.Namespace, target: str) -> Any:
    spec = spec_for_target(target, args.spec)
    if args.mapping is not None:
        spec = dataclasses.replace(
            spec, array=dataclasses.replace(spec.array, mapping=args.mapping)
        )
    return spec


def _write(out: Path | None, name: str, doc: dict[str, Any]) -> None:
    if out is None:
        return
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_text(json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n")


def run_map(args: argparse.Namespace) -> int:
    """Map the model, print the resource report, write ``crossbar_map.json``."""
    from hwsnn.backends.crossbar import map_graph
    from hwsnn.cli._io import load_model

    spec = _spec(args, args.target)
    art = map_graph(
        load_model(args), spec, rng=np.random.default_rng(args.seed), binarize=args.binarize
    )
    res = art.resources()
    print(
        f"{args.model} -> {spec.name}: {res.tiles} tiles of {spec.array.rows}x{spec.array.cols}, "
        f"{res.cells} cells, utilisation {100 * res.utilisation:.1f}%, "
        f"area {1e12 * (res.cell_area_m2 + res.adc_area_m2):.0f} um^2"
    )
    for name, layer in art.layers.items():
        r = res.layers[name]
        print(
            f"  {name}: {layer.n_in}x{layer.n_out} on {r.row_tiles}x{r.col_tiles} tiles, "
            f"alpha {layer.alpha:.4g}, weight error {100 * layer.weight_error_rel:.1f}%"
        )
    doc = {
        "target": spec.name,
        "seed": args.seed,
        "resources": dataclasses.asdict(res),
        "layers": {
            n: {"alpha": la.alpha, "weight_error_rel": la.weight_error_rel}
            for n, la in art.layers.items()
        },
        "sources": dict(spec.sources),
    }
    _write(args.out, "crossbar_map.json", doc)
    return 0


def _sweep_plan(args: argparse.Namespace, spec: Any) -> dict[str, list[float] | None]:
    """Sweep name -> values (None: the built-in list); one nominal point without ``--sweep``."""
    values = None if args.values is None else [float(v) for v in args.values.split(",")]
    if args.sweep and len(args.sweep) > 1 and values is not None:
        raise HwsnnError("--values needs exactly one --sweep")
    if not args.sweep:
        return {"read-noise": [spec.variability.read_noise_rel]}  # the spec's nominal point
    return {name: values for name in args.sweep}


def _print_sweep(spec: Any, dataset: str, name: str, res: Any) -> None:
    from hwsnn.backends.crossbar.sweeps import SWEEPS

    print(
        f"{spec.name} on {dataset} ({res.samples} samples): ideal {100 * res.ideal_accuracy:.2f}%"
    )
    for p in res.points:
        print(
            f"  {SWEEPS[name][0]} = {p.value:g}: accuracy {100 * p.accuracy:.2f}%, "
            f"{1e9 * p.energy_per_sample_j:.3f} nJ/sample"
        )


def run_simulate(args: argparse.Namespace) -> int:
    """Run the model on the noisy crossbar (and sweeps); print accuracy; write JSON (+ plots)."""
    from hwsnn.backends.crossbar.sweeps import sweep_accuracy
    from hwsnn.cli._io import load_model
    from hwsnn.data import load_dataset

    spec = _spec(args, args.backend)
    graph = load_model(args)
    data = load_dataset(args.dataset, limit_test=args.limit)
    x = data.x_test.reshape((len(data.x_test), *graph.input_shape))
    results = {}
    for name, vals in _sweep_plan(args, spec).items():
        res = sweep_accuracy(
            graph,
            spec,
            x,
            data.y_test,
            name,
            vals,
            seed=args.seed,
            batch_size=args.batch_size,
            binarize=args.binarize,
        )
        results[name] = res
        _print_sweep(spec, data.name, name, res)
    _write(
        args.out,
        "crossbar_simulate.json",
        {"dataset": data.name, "sweeps": {k: dataclasses.asdict(v) for k, v in results.items()}},
    )
    if args.out is not None and args.sweep:
        from hwsnn.backends.crossbar.plots import plot_sweeps

        plot_sweeps(list(results.values()), args.out / f"crossbar_{data.name}_{spec.name}.png")
    return 0
