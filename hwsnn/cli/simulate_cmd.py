"""``hwsnn simulate``: run an IR file on a data set, or a circuit jitter/quantization study.

Forms:
    hwsnn simulate MODEL --backend float --dataset digits
    hwsnn simulate jitter --input-jitter 1,3,5,7,9
    hwsnn simulate quantization --weight-bits 4,8,16,24,32
"""

from __future__ import annotations

import argparse
import importlib
import json
from pathlib import Path

import numpy as np

from hwsnn.cli._io import add_load_options, load_model
from hwsnn.errors import HwsnnError

CIRCUIT_STUDIES = {
    "jitter": ("add_jitter_arguments", "run_jitter"),
    "quantization": ("add_quantization_arguments", "run_quantization"),
    "spice-energy": ("add_spice_energy_arguments", "run_spice_energy"),
}


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``simulate``."""
    parser.epilog = (
        "circuit studies: 'hwsnn simulate jitter --help', 'hwsnn simulate quantization --help'; "
        "crossbar sweeps: 'hwsnn simulate MODEL --backend crossbar-rram --sweep adc-bits' "
        "(--sweep d2d|read-noise|adc-bits|ir-drop|stuck, --values, --binarize)"
    )
    add_load_options(parser)
    parser.add_argument(
        "--backend",
        default="float",
        help="simulator: float, loihi-emulator, lava, crossbar-mtj, crossbar-rram (default float)",
    )
    parser.add_argument(
        "--dataset", default="digits", help="digits (default), fashion-mnist or mnist"
    )
    parser.add_argument("--data-root", type=Path, default=None, help="folder of IDX files (mnist)")
    parser.add_argument("--limit", type=int, default=None, help="use the first N test samples")
    parser.add_argument("--batch-size", type=int, default=256, help="samples per simulated batch")
    parser.add_argument("--seed", type=int, default=0, help="seed of encoders and device noise")
    parser.add_argument(
        "--out", type=Path, default=None, help="write results.json into this folder"
    )


def crossbar_sweep_parser() -> argparse.ArgumentParser:
    """Parser of ``hwsnn simulate MODEL --backend crossbar-* --sweep NAME``."""
    from hwsnn.cli import crossbar
    from hwsnn.cli._io import add_load_options as add_model

    parser = argparse.ArgumentParser(prog="hwsnn simulate")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    add_model(parser)
    crossbar.add_simulate_arguments(parser)
    parser.set_defaults(run=crossbar.run_simulate)
    return parser


def wants_crossbar_sweep(argv: list[str]) -> bool:
    """True for ``simulate ... --backend crossbar-* ... --sweep ...``."""
    joined = " ".join(argv)
    return "--sweep" in argv and (
        "--backend crossbar-" in joined or "--backend=crossbar-" in joined
    )


def circuit_study_parser(study: str) -> argparse.ArgumentParser:
    """Parser of ``hwsnn simulate jitter|quantization|spice-energy`` with its ``run`` as default."""
    add_name, run_name = CIRCUIT_STUDIES[study]
    try:
        module = importlib.import_module("hwsnn.cli.circuit")
    except ImportError as exc:
        raise HwsnnError(f"circuit studies are unavailable: {exc}") from None
    parser = argparse.ArgumentParser(prog=f"hwsnn simulate {study}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    getattr(module, add_name)(parser)
    parser.set_defaults(run=getattr(module, run_name))
    return parser


def run(args: argparse.Namespace) -> int:
    """Simulate and print accuracy and spikes per layer."""
    from hwsnn.data import load_dataset
    from hwsnn.sim.evaluate import evaluate

    graph = load_model(args)
    data = load_dataset(args.dataset, root=args.data_root, limit_test=args.limit)
    result = evaluate(
        graph,
        data.x_test,
        data.y_test,
        backend=args.backend,
        batch_size=args.batch_size,
        rng=np.random.default_rng(args.seed),
        progress=True,
    )
    print(
        f"{args.model} on {data.name} test ({result.samples} samples), backend {result.backend}: "
        f"accuracy {100 * result.accuracy:.2f}%"
    )
    for name, totals in result.spike_totals.items():
        print(
            f"  {name}: {int(totals.sum())} spikes, "
            f"{totals.sum() / max(result.samples, 1):.1f} per sample"
        )
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        doc = {
            "model": str(args.model),
            "dataset": data.name,
            "backend": result.backend,
            "samples": result.samples,
            "accuracy": result.accuracy,
            "spikes_per_sample": {
                n: float(t.sum() / max(result.samples, 1)) for n, t in result.spike_totals.items()
            },
        }
        (args.out / "results.json").write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    return 0
