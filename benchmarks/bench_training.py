"""Time one training step of the reference conv SNN: hwsnn.nn vs snnTorch vs SpikingJelly.

Network and protocol of ``research/training_energy.md`` §2.1: Conv2d(1,12,5) -> MaxPool2d(2)
-> LIF -> Conv2d(12,64,5) -> MaxPool2d(2) -> LIF -> Flatten -> Linear(1024,10) -> LIF; LIF
decay 0.5, threshold 1, subtract reset, fast-sigmoid(25) surrogate (SpikingJelly: ATan, as
in §2.1); static input ``rand(64,1,28,28)*10`` at every one of T=25 steps; a step is
zero_grad + forward + cross-entropy on spike counts + backward + Adam. One thread; two
warm-up steps, then the median process CPU time (and best wall time) of ``--iters`` steps.
Frameworks that are not installed are reported as skipped.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_training.py --iters 5 --json out.json
"""

from __future__ import annotations

import argparse
import json
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


def hwsnn_model(conv1_once: bool) -> Callable[[torch.Tensor], torch.Tensor]:
    from hwsnn.nn import LIF, FastSigmoid, Sequential

    dt = 1e-3
    c1, p1, c2, p2, fc = _convs()

    def lif() -> LIF:  # keep = 1 - dt / tau_mem = 0.5, unit input gain
        return LIF(2 * dt, dt, surrogate=FastSigmoid(25.0))

    if not conv1_once:
        net = Sequential(c1, p1, lif(), c2, p2, lif(), nn.Flatten(), fc, lif(), timesteps=T)
        return _with_params(lambda x: net(x).sum(dim=0), net)
    head = nn.Sequential(c1, p1)
    tail = Sequential(lif(), c2, p2, lif(), nn.Flatten(), fc, lif())
    both = nn.ModuleList([head, tail])

    def forward(x: torch.Tensor) -> torch.Tensor:
        y = head(x)  # the input is static: compute the first convolution once
        return tail(y.unsqueeze(0).expand(T, *y.shape)).sum(dim=0)

    return _with_params(forward, both)


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


def _with_params(
    fn: Callable[[torch.Tensor], torch.Tensor], module: nn.Module
) -> Callable[[torch.Tensor], torch.Tensor]:
    fn.module = module  # type: ignore[attr-defined]
    return fn


def time_steps(forward: Callable[[torch.Tensor], torch.Tensor], iters: int) -> dict[str, float]:
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(B, 1, 28, 28, generator=gen) * 10
    y = torch.randint(0, 10, (B,), generator=gen)
    opt = torch.optim.Adam(forward.module.parameters(), lr=1e-3)  # type: ignore[attr-defined]
    cpu, wall = [], []
    for i in range(iters + 2):
        c0, w0 = time.process_time(), time.perf_counter()
        opt.zero_grad()
        nn.functional.cross_entropy(forward(x), y).backward()
        opt.step()
        if i >= 2:
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
    return {
        "cpu_ms_median": 1e3 * statistics.median(cpu),
        "wall_ms_best": 1e3 * min(wall),
        "iters": iters,
    }


VARIANTS: dict[str, Callable[[], Callable[[torch.Tensor], torch.Tensor]]] = {
    "hwsnn.nn (layer-wise)": lambda: hwsnn_model(False),
    "hwsnn.nn (conv1 once)": lambda: hwsnn_model(True),
    "snntorch (per-step)": snntorch_model,
    "spikingjelly (single-step)": lambda: spikingjelly_model(False),
    "spikingjelly (multi-step)": lambda: spikingjelly_model(True),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iters", type=int, default=5)
    parser.add_argument("--json", default=None, help="write the results here")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows: dict[str, object] = {"torch": torch.__version__, "threads": 1, "T": T, "batch": B}
    for name, build in VARIANTS.items():
        try:
            forward = build()
        except ImportError as exc:
            rows[name] = f"skipped: {exc}"
            print(f"{name:30s} skipped ({exc})")
            continue
        torch.manual_seed(0)
        result = time_steps(forward, args.iters)
        rows[name] = result
        print(
            f"{name:30s} {result['cpu_ms_median']:8.1f} ms CPU/step (median)  "
            f"{result['wall_ms_best']:8.1f} ms wall (best)"
        )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=2)


if __name__ == "__main__":
    main()
