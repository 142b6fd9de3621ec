"""The HTML report is self-contained and renders in headless Chromium with non-blank plots."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from hwsnn.report import Report, write_report

CHROMIUM = next(
    (p for p in ("chromium", "chromium-browser", "google-chrome") if shutil.which(p)), None
)


def _images(page: str) -> dict[str, bytes]:
    found = re.findall(
        r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"[^>]*data-plot="([^"]+)"', page
    )
    return {name: base64.b64decode(data) for data, name in found}


def _pixels(png: bytes) -> np.ndarray:
    from matplotlib.image import imread

    return np.asarray(imread(io.BytesIO(png), format="png"))


def test_self_contained_with_non_blank_plots(tmp_path: Path, report: Report) -> None:
    write_report(report, tmp_path)
    page = (tmp_path / "report.html").read_text()
    assert "<style>" in page and "<link" not in page and "<script" not in page
    assert not re.search(r'src="(?!data:)', page), "every image is embedded"
    images = _images(page)
    assert set(images) == {
        "spikes_per_layer",
        "energy_per_layer",
        "energy_per_target",
        "accuracy_vs_weight_bits",
        "accuracy_vs_snr_db",
    }
    for name, png in images.items():
        assert png == (tmp_path / f"{name}.png").read_bytes()
        pixels = _pixels(png)
        assert pixels.shape[0] > 100 and pixels.shape[1] > 100
        assert float(pixels[..., :3].var()) > 0, f"{name} is blank"


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
def test_renders_in_headless_chromium(tmp_path: Path, report: Report) -> None:
    write_report(report, tmp_path / "out")
    shot = tmp_path / "shot.png"
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={shot}",
        "--window-size=1200,3000",
        (tmp_path / "out" / "report.html").as_uri(),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.exists() and shot.stat().st_size > 20_000
    pixels = _pixels(shot.read_bytes())
    assert pixels.shape[:2] == (3000, 1200)
    rgb = pixels[..., :3]
    assert float(rgb.var()) > 1e-3, "the page is not blank"
    # the top rows hold the heading: dark text on the white page
    assert float(rgb[:200].min()) < 0.3
