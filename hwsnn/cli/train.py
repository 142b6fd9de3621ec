"""``hwsnn train METHOD``: train one of the papers' models, export it and measure it.

Writes ``DIR/METHOD.pt`` (plain tensors, ``torch.load(..., weights_only=True)``),
``DIR/<graph>.hwir`` for every exported graph (plus ``.onnx`` and ``.nir`` where the
graph's nodes are supported; refusals are recorded), and ``DIR/METHOD.json`` with the
measured results.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

from hwsnn.errors import FormatError, UnsupportedNodeError

__all__ = ["METHODS", "add_train_arguments", "configure", "run", "run_train"]

METHODS = ("bntt", "softlif", "ttfs", "hbstdp", "safe")


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``train`` arguments to ``parser``."""
    parser.add_argument("method", choices=METHODS, help="which paper's model to train")
    parser.add_argument("--dataset", choices=("digits", "fashion-mnist"), default="digits")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--quick", action="store_true", help="seconds-long run (tests)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=None, help="override the recipe's epochs")
    parser.add_argument(
        "--limit-train", type=int, default=None, help="class-balanced training subset"
    )
    parser.add_argument("--limit-test", type=int, default=None, help="class-balanced test subset")
    parser.add_argument(
        "--weight-decay", type=float, default=None, help="SGD weight decay of the weights (bntt)"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (1 on shared machines)"
    )


def _write_graphs(graphs: dict[str, Any], out: Path) -> dict[str, Any]:
    from hwsnn.formats import save

    written: dict[str, Any] = {}
    for stem, graph in graphs.items():
        entry: dict[str, Any] = {}
        for suffix in (".hwir", ".onnx", ".nir"):
            path = out / f"{stem}{suffix}"
            try:
                save(graph, path)
                entry[suffix] = str(path)
            except (UnsupportedNodeError, FormatError, ImportError) as exc:
                if suffix == ".hwir":
                    raise
                entry[suffix] = f"not written: {type(exc).__name__}: {exc}"
        written[stem] = entry
    return written


def _command(method: str) -> str:
    """The command line as ``hwsnn train METHOD ...`` (from the method on in ``sys.argv``)."""
    argv = sys.argv[1:]
    rest = argv[argv.index(method) + 1 :] if method in argv else argv
    return " ".join(["hwsnn", "train", method, *(shlex.quote(a) for a in rest)])


def run_train(args: argparse.Namespace) -> int:
    """Run ``hwsnn train`` with parsed ``args``; returns the exit status."""
    import torch

    from hwsnn.models.recipes import RECIPES, RecipeOptions, run_recipe

    if args.method not in RECIPES:
        print(f"hwsnn train: {args.method} is not implemented yet", file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads)
    opts = RecipeOptions(
        dataset=args.dataset,
        quick=args.quick,
        seed=args.seed,
        epochs=args.epochs,
        limit_train=args.limit_train,
        limit_test=args.limit_test,
        weight_decay=args.weight_decay,
    )
    outcome = run_recipe(args.method, opts)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    torch.save(outcome.tensors, out / f"{args.method}.pt")
    results = dict(outcome.results)
    results["files"] = _write_graphs(outcome.graphs, out)
    for stem, png in outcome.figures.items():
        (out / f"{stem}.png").write_bytes(png)
        results["files"][stem] = {".png": str(out / f"{stem}.png")}
    results["command"] = _command(args.method)
    results["options"] = vars(opts)
    (out / f"{args.method}.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"hwsnn train {args.method}: wrote {out}")
    return 0


configure = add_train_arguments
run = run_train
