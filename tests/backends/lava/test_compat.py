"""hwsnn's Python 3.11 fix for lava-nc 0.10.0: real Lava processes run after import_lava()."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from hwsnn.backends.lava import _compat, import_lava

pytestmark = pytest.mark.lava

LAVA_MISSING = importlib.util.find_spec("lava") is None
needs_lava = pytest.mark.skipif(
    LAVA_MISSING, reason="lava-nc is not installed (make setup installs lava-nc==0.10.0)"
)

# Lava fixed_pt constants for this check (lava/proc/lif/models.py): synaptic input and threshold are
# shifted left by 6 bits; du = 4095 clears the current every step; dv = 0 keeps the voltage.
ACT_SHIFT = 6


def expected_spikes(weights: np.ndarray, vth: int, steps: int) -> np.ndarray:
    """Integer IF neuron fed one input spike per step, arriving one step late (Dense delay)."""
    v = np.zeros(weights.shape[0], dtype=np.int64)
    out = np.zeros((weights.shape[0], steps), dtype=np.int64)
    for t in range(1, steps):
        v += weights[:, 0].astype(np.int64) << ACT_SHIFT
        fired = v > (vth << ACT_SHIFT)
        out[fired, t] = 1
        v[fired] = 0
    return out


def _run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@needs_lava
def test_import_lava_is_idempotent() -> None:
    import_lava()
    import_lava()
    finders = [f for f in sys.meta_path if isinstance(f, _compat._LavaPatchFinder)]
    assert len(finders) == 1
    var_model = sys.modules["lava.magma.compiler.var_model"]
    # The rewritten defaults are per instance (default_factory).
    assert var_model.CoreEncoder().x is not var_model.CoreEncoder().x


@needs_lava
def test_rewrite_matches_installed_source() -> None:
    spec = importlib.util.find_spec("lava.magma.compiler.var_model")
    assert spec is not None and spec.origin is not None
    source = Path(spec.origin).read_text(encoding="utf-8")
    patched = _compat._patch_var_model(source)
    changed = [
        (a, b) for a, b in zip(source.splitlines(), patched.splitlines(), strict=True) if a != b
    ]
    assert len(changed) == 8  # CoreEncoder x/y/p, ChipEncoder x/y/z, AxonEncoder hi/lo
    assert all("default_factory=ByteEncoder" in new for _, new in changed)


@needs_lava
def test_lava_network_runs_fixed_point() -> None:
    import_lava()
    from lava.magma.core.run_conditions import RunSteps
    from lava.magma.core.run_configs import Loihi2SimCfg
    from lava.proc.dense.process import Dense
    from lava.proc.io.sink import RingBuffer as Sink
    from lava.proc.io.source import RingBuffer as Source
    from lava.proc.lif.process import LIF

    steps, vth = 10, 20
    weights = np.array([[10], [0], [30]], dtype=np.int32)
    source = Source(data=np.ones((1, steps), dtype=np.int32))
    dense = Dense(weights=weights)
    lif = LIF(shape=(3,), du=4095, dv=0, vth=vth)
    sink = Sink(shape=(3,), buffer=steps)
    source.s_out.connect(dense.s_in)
    dense.a_out.connect(lif.a_in)
    lif.s_out.connect(sink.a_in)
    try:
        sink.run(condition=RunSteps(num_steps=steps), run_cfg=Loihi2SimCfg(select_tag="fixed_pt"))
        spikes = sink.data.get().astype(np.int64)
    finally:
        sink.stop()
    np.testing.assert_array_equal(spikes, expected_spikes(weights, vth, steps))
    assert spikes.sum() == 3 + 0 + 9


def test_missing_lava_names_the_install_command() -> None:
    """In a fresh interpreter where `lava` cannot be found, import_lava says how to install it."""
    code = """
        import importlib.abc, sys

        class HideLava(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name == "lava" or name.startswith("lava."):
                    raise ModuleNotFoundError(name)
                return None

        sys.meta_path.insert(0, HideLava())
        from hwsnn.backends.lava import import_lava
        from hwsnn.errors import SimulatorUnavailableError
        try:
            import_lava()
        except SimulatorUnavailableError as error:
            print(error)
        """
    result = _run_python(code)
    assert result.returncode == 0, result.stderr
    assert "lava-nc is not available" in result.stdout
    assert "pip install --ignore-requires-python lava-nc==0.10.0" in result.stdout


@needs_lava
def test_lava_imports_after_fork_context_was_fixed() -> None:
    """Unpatched, Lava's set_start_method('fork') raises 'context has already been set'."""
    result = _run_python(
        """
        import multiprocessing
        multiprocessing.get_context()  # fixes the default (fork) start method
        from hwsnn.backends.lava import import_lava
        import_lava()
        import lava.proc.lif.process
        print(multiprocessing.get_start_method())
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "fork"


@needs_lava
def test_lava_refuses_another_start_method() -> None:
    result = _run_python(
        """
        import multiprocessing
        multiprocessing.set_start_method("spawn")
        from hwsnn.backends.lava import import_lava
        from hwsnn.errors import SimulatorUnavailableError
        try:
            import_lava()
        except SimulatorUnavailableError as error:
            print(error)
        """
    )
    assert result.returncode == 0, result.stderr
    assert "needs the 'fork' start method" in result.stdout
    assert "'spawn'" in result.stdout
