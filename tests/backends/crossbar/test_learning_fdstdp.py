"""Paper 000 frequency-dependent stochastic STDP on the crossbar: probabilities and training."""

import dataclasses
import json

import numpy as np
import pytest

from hwsnn.backends.crossbar.learning import Realisation
from hwsnn.backends.crossbar.learning_fdstdp import (
    FdStdpConfig,
    fd_switch_probabilities,
    train_fd_stdp,
)
from hwsnn.backends.crossbar.specfile import load_spec


def test_default_rule_is_the_ideal_rule_at_the_network_rate() -> None:
    from hwsnn.learn.fdstdp import FDSTDPConfig

    cfg = FdStdpConfig(max_rate_hz=300.0)
    assert cfg.rule_constants() == FDSTDPConfig(f_max=300.0)
    custom = FDSTDPConfig(gamma_pot=0.5)
    assert FdStdpConfig(rule=custom).rule_constants() is custom


def test_binary_probabilities_match_the_torch_rule() -> None:
    """A unit step with no saturation turns fd_stdp_update into a binary switch: same odds."""
    import torch

    from hwsnn.learn.fdstdp import FDSTDPConfig, fd_stdp_update

    n = 40_000
    age = torch.tensor([0.0, 3e-3, 12e-3, float("inf")]).repeat(n, 1)
    freq = torch.tensor([50.0, 150.0, 200.0, 100.0]).repeat(n, 1)
    ref = FDSTDPConfig(alpha_p=1.0, alpha_d=1.0, beta_p=0.0, beta_d=0.0)
    gen = torch.Generator().manual_seed(0)
    up_ref = fd_stdp_update(torch.zeros_like(age), age, freq, ref, gen).mean(0).numpy()
    down_ref = 1 - fd_stdp_update(torch.ones_like(age), age, freq, ref, gen).mean(0).numpy()
    cfg = FdStdpConfig(rule=ref, gain=1.0)
    up, down = fd_switch_probabilities(age[0].numpy(), freq[0].numpy(), cfg)
    np.testing.assert_allclose(up, up_ref, atol=0.01)
    np.testing.assert_allclose(down, down_ref, atol=0.01)
    assert up[-1] == 0.0 and down[-1] == 1.0  # no pre-spike: certain depression


def test_gain_and_steps_scale_the_switching_probability() -> None:
    age, freq = np.array([1e-3, 30e-3]), np.array([100.0, 100.0])
    up1, down1 = fd_switch_probabilities(age, freq, FdStdpConfig(gain=1.0))
    up4, down4 = fd_switch_probabilities(age, freq, FdStdpConfig(gain=4.0))
    np.testing.assert_allclose(up4, 4 * up1)
    np.testing.assert_allclose(down4, 4 * down1)
    assert up1[0] > up1[1] and down1[0] < down1[1]  # causal pairs potentiate, old ones depress


@pytest.mark.parametrize("name", ["mtj", "rram"])
def test_fd_stdp_device_vs_ideal(name: str) -> None:
    from hwsnn.data import load_digits

    d = load_digits()
    flat = lambda a: a.reshape(len(a), -1).astype(np.float64)  # noqa: E731
    data = (flat(d.x_train)[:300], d.y_train[:300], flat(d.x_test)[:120], d.y_test[:120])
    cfg = FdStdpConfig(n_neurons=20, timesteps=30, max_rate_hz=300.0)
    spec = load_spec(name)
    ideal = train_fd_stdp(spec, *data, realisation=Realisation.IDEAL, seed=1, config=cfg)
    dev = train_fd_stdp(spec, *data, realisation=Realisation.DEVICE, seed=1, config=cfg)
    for r in (ideal, dev):
        assert r.rule == "fd-stdp" and 0.2 < r.accuracy <= 1.0
        assert 0 < r.switches <= r.write_attempts and r.write_energy_j > 0
    for w in dev.windows:  # the lookup table and trims keep the mean near the wanted one
        assert w.realised_mean == pytest.approx(w.wanted_mean, rel=0.25), w
    assert len(dev.pulses) == cfg.pulses.levels
    json.dumps(dataclasses.asdict(dev))
