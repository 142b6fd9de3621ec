"""Time one training step of the reference conv SNN: hwsnn.nn vs snnTorch vs SpikingJelly.

Network and protocol of ``research/training_energy.md`` §2.1: Conv2d(1,12,5) -> MaxPool2d(2)
-> LIF -> Conv2d(12,64,5) -> MaxPool2d(2) -> LIF -> Flatten -> Linear(1024,10) -> LIF; LIF
decay 0.5, threshold 1, subtract reset, fast-sigmoid(25) surrogate (SpikingJelly: ATan, as
in §2.1); static input ``rand(64,1,28,28)*10`` at every one of T=25 steps; a step is
zero_grad + forward + cross-entropy on spike counts + backward + Adam. One thread, one
process: every variant is built first, then all are stepped round-robin (the order rotates
every round, so a change of machine load hits them alike); two warm-up rounds, then the
median process CPU time (and best wall time) of ``--iters`` steps per variant. Frameworks
that are not installed are reported as skipped.

hwsnn variants: ``default`` is plain ``Sequential(...)(x)`` on the static batch (the
stateless prefix conv1+pool1 runs once, each LIF is one fused autograd node); ``plain
layer-wise`` feeds the input materialised over T, so every layer runs on T*B samples;
``reference LIF loop`` is ``plain`` with the per-step autograd loop of the LIF (hwsnn
before the fused loop).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_training.py --iters 7 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable

import torch
from torch import nn

T, B = 25, 64


def _convs() -> list[nn.Module]:
    return [
        nn.Conv2d(1, 12, 5),
        nn.MaxPool2d(2),
        nn.Conv2d(12, 64, 5),
        nn.MaxPool2d(2),
        nn.Linear(1024, 10),
    ]


def hwsnn_model(variant: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """hwsnn.nn's Sequential in one of three ways.

    ``default``: the static input is passed as is, so the stateless prefix (conv1, pool1)
    runs once and every LIF layer is one fused autograd node. ``plain``: the input is
    materialised over T steps first, so every layer runs on all ``T * B`` samples (no
    prefix trick), with the fused LIF. ``reference``: as ``plain`` but with the per-step
    reference loop of the LIF (a surrogate without a fused backward), i.e. hwsnn before
    the fused loop.
    """
    from hwsnn.nn import LIF, FastSigmoid, Sequential
    from hwsnn.nn.functional import fast_sigmoid_spike

    dt = 1e-3
    c1, p1, c2, p2, fc = _convs()

    def unfused(v: torch.Tensor, threshold: torch.Tensor) -> torch.Tensor:
        return fast_sigmoid_spike(v, threshold, 25.0)

    surrogate = unfused if variant == "reference" else FastSigmoid(25.0)

    def lif() -> LIF:  # keep = 1 - dt / tau_mem = 0.5, unit input gain
        return LIF(2 * dt, dt, surrogate=surrogate)

    net = Sequential(c1, p1, lif(), c2, p2, lif(), nn.Flatten(), fc, lif(), timesteps=T)
    if variant == "default":
        return _with_params(lambda x: net(x).sum(dim=0), net)
    seq = net.forward_sequence  # a materialised (T, B, ...) sequence: no static prefix
    return _with_params(lambda x: seq(x.unsqueeze(0).repeat(T, 1, 1, 1, 1)).sum(dim=0), net)


def snntorch_model() -> Callable[[torch.Tensor], torch.Tensor]:
    import snntorch as snn
    from snntorch import surrogate, utils

    grad = surrogate.fast_sigmoid(slope=25)
    c1, p1, c2, p2, fc = _convs()
    net = nn.Sequential(
        c1,
        p1,
        snn.Leaky(beta=0.5, spike_grad=grad, init_hidden=True),
        c2,
        p2,
        snn.Leaky(beta=0.5, spike_grad=grad, init_hidden=True),
        nn.Flatten(),
        fc,
        snn.Leaky(beta=0.5, spike_grad=grad, init_hidden=True),
    )

    def forward(x: torch.Tensor) -> torch.Tensor:
        utils.reset(net)
        return torch.stack([net(x) for _ in range(T)]).sum(dim=0)

    return _with_params(forward, net)


def spikingjelly_model(multi_step: bool) -> Callable[[torch.Tensor], torch.Tensor]:
    from spikingjelly.activation_based import functional, layer, neuron, surrogate

    def lif() -> nn.Module:
        return neuron.LIFNode(
            tau=2.0, decay_input=False, v_reset=None, surrogate_function=surrogate.ATan()
        )

    net = nn.Sequential(
        layer.Conv2d(1, 12, 5),
        layer.MaxPool2d(2),
        lif(),
        layer.Conv2d(12, 64, 5),
        layer.MaxPool2d(2),
        lif(),
        layer.Flatten(),
        layer.Linear(1024, 10),
        lif(),
    )
    functional.set_step_mode(net, "m" if multi_step else "s")

    def forward(x: torch.Tensor) -> torch.Tensor:
        functional.reset_net(net)
        if multi_step:
            return net(x.unsqueeze(0).repeat(T, 1, 1, 1, 1)).sum(dim=0)
        return torch.stack([net(x) for _ in range(T)]).sum(dim=0)

    return _with_params(forward, net)


LIF_SHAPE = (12, 12, 12)
"""Neurons per sample of the first LIF layer of the network (12 maps of 12x12)."""


def lif_only_model(framework: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """One LIF layer alone, ``(T, B, 12, 12, 12)`` input current, fwd + bwd through time.

    The current is a fixed random tensor times a learnable scalar (so Adam has a
    parameter); spike counts go through a fixed projection to 10 logits.
    """
    gen = torch.Generator().manual_seed(1)
    base = torch.rand(T, B, *LIF_SHAPE, generator=gen) * 2
    proj = torch.randn(12 * 12 * 12, 10, generator=gen) / 40
    holder = nn.Module()
    holder.scale = nn.Parameter(torch.ones(()))
    holder.lif = _lif_layer(framework)

    def forward(_x: torch.Tensor) -> torch.Tensor:
        spikes = _run_lif(framework, holder.lif, base * holder.scale)
        return spikes.sum(dim=0).flatten(1) @ proj

    return _with_params(forward, holder)


def _lif_layer(framework: str) -> nn.Module:
    if framework in ("hwsnn", "hwsnn-reference"):
        from hwsnn.nn import LIF, FastSigmoid
        from hwsnn.nn.functional import fast_sigmoid_spike

        def unfused(v: torch.Tensor, threshold: torch.Tensor) -> torch.Tensor:
            return fast_sigmoid_spike(v, threshold, 25.0)

        fused = framework == "hwsnn"
        return LIF(2e-3, 1e-3, surrogate=FastSigmoid(25.0) if fused else unfused)
    if framework == "snntorch":
        import snntorch as snn
        from snntorch import surrogate

        return snn.Leaky(beta=0.5, spike_grad=surrogate.fast_sigmoid(slope=25))
    from spikingjelly.activation_based import neuron, surrogate

    mode = "m" if framework == "spikingjelly-m" else "s"
    return neuron.LIFNode(
        tau=2.0, decay_input=False, v_reset=None, surrogate_function=surrogate.ATan(),
        step_mode=mode,
    )  # fmt: skip


def _run_lif(framework: str, lif: nn.Module, current: torch.Tensor) -> torch.Tensor:
    if framework.startswith("hwsnn"):
        return lif(current)  # type: ignore[no-any-return]
    if framework == "snntorch":
        mem = lif.init_leaky()  # type: ignore[operator]
        out = []
        for step in current.unbind(0):
            spk, mem = lif(step, mem)
            out.append(spk)
        return torch.stack(out)
    lif.reset()  # type: ignore[operator]
    if framework == "spikingjelly-m":
        return lif(current)  # type: ignore[no-any-return]
    return torch.stack([lif(step) for step in current.unbind(0)])


def _with_params(
    fn: Callable[[torch.Tensor], torch.Tensor], module: nn.Module
) -> Callable[[torch.Tensor], torch.Tensor]:
    fn.module = module  # type: ignore[attr-defined]
    return fn


class _Stepper:
    """One model with its optimiser and data; ``step()`` times one training step."""

    def __init__(self, forward: Callable[[torch.Tensor], torch.Tensor]) -> None:
        gen = torch.Generator().manual_seed(0)
        self.x = torch.rand(B, 1, 28, 28, generator=gen) * 10
        self.y = torch.randint(0, 10, (B,), generator=gen)
        self.forward = forward
        module: nn.Module = forward.module  # type: ignore[attr-defined]
        self.opt = torch.optim.Adam(module.parameters(), lr=1e-3)
        self.cpu: list[float] = []
        self.wall: list[float] = []

    def step(self, record: bool) -> None:
        c0, w0 = time.process_time(), time.perf_counter()
        self.opt.zero_grad()
        nn.functional.cross_entropy(self.forward(self.x), self.y).backward()
        self.opt.step()
        if record:
            self.cpu.append(time.process_time() - c0)
            self.wall.append(time.perf_counter() - w0)

    def result(self) -> dict[str, object]:
        return {
            "cpu_ms_median": 1e3 * statistics.median(self.cpu),
            "cpu_ms_min": 1e3 * min(self.cpu),
            "wall_ms_best": 1e3 * min(self.wall),
            "iters": len(self.cpu),
        }


VARIANTS: dict[str, Callable[[], Callable[[torch.Tensor], torch.Tensor]]] = {
    "hwsnn.nn (default)": lambda: hwsnn_model("default"),
    "hwsnn.nn (plain layer-wise)": lambda: hwsnn_model("plain"),
    "hwsnn.nn (reference LIF loop)": lambda: hwsnn_model("reference"),
    "snntorch (per-step)": snntorch_model,
    "spikingjelly (single-step)": lambda: spikingjelly_model(False),
    "spikingjelly (multi-step)": lambda: spikingjelly_model(True),
    "LIF layer only: hwsnn.nn": lambda: lif_only_model("hwsnn"),
    "LIF layer only: hwsnn.nn reference loop": lambda: lif_only_model("hwsnn-reference"),
    "LIF layer only: snntorch": lambda: lif_only_model("snntorch"),
    "LIF layer only: spikingjelly single-step": lambda: lif_only_model("spikingjelly-s"),
    "LIF layer only: spikingjelly multi-step": lambda: lif_only_model("spikingjelly-m"),
}


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("hwsnn", "snntorch", "spikingjelly"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    return found


def run(iters: int, warmup: int = 2) -> dict[str, object]:
    """Build every variant, then time them round-robin (rotating the order every round)."""
    rows: dict[str, object] = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    rows.update({"T": T, "batch": B, **_versions()})
    steppers: dict[str, _Stepper] = {}
    for name, build in VARIANTS.items():
        try:
            torch.manual_seed(0)
            steppers[name] = _Stepper(build())
        except ImportError as exc:
            rows[name] = f"skipped: {exc}"
    names = list(steppers)
    for round_ in range(warmup + iters):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            steppers[name].step(record=round_ >= warmup)
    rows.update({name: stepper.result() for name, stepper in steppers.items()})
    rows["loadavg_1min_after"] = os.getloadavg()[0]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iters", type=int, default=7)
    parser.add_argument("--json", default=None, help="write the results here")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = run(args.iters)
    for name, result in rows.items():
        if isinstance(result, dict):
            print(
                f"{name:42s} {result['cpu_ms_median']:8.1f} ms CPU/step (median)  "
                f"{result['wall_ms_best']:8.1f} ms wall (best)"
            )
        elif isinstance(result, str) and result.startswith("skipped"):
            print(f"{name:42s} {result}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=2)


if __name__ == "__main__":
    main()
