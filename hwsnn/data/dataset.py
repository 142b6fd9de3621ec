"""The :class:`Dataset` container every hwsnn loader returns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hwsnn.errors import DataError

__all__ = ["Dataset"]


def _frozen_images(x: object, part: str) -> NDArray[np.float32]:
    """Return a read-only float32 copy of an image array shaped (N, C, H, W), values in [0, 1]."""
    arr = np.asarray(x)
    if arr.ndim != 4 or not np.issubdtype(arr.dtype, np.floating):
        raise DataError(
            f"{part} must be a floating array shaped (N, C, H, W); got {arr.dtype} {arr.shape}"
        )
    out = np.array(arr, dtype=np.float32, copy=True)
    if out.size and (not np.isfinite(out).all() or out.min() < 0.0 or out.max() > 1.0):
        raise DataError(f"{part} must hold finite values in [0, 1]")
    out.flags.writeable = False
    return out


def _frozen_labels(y: object, part: str, n_classes: int) -> NDArray[np.int64]:
    """Return a read-only int64 copy of a label vector, values in [0, n_classes)."""
    arr = np.asarray(y)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise DataError(f"{part} must be a 1-D integer array; got {arr.dtype} {arr.shape}")
    out = np.array(arr, dtype=np.int64, copy=True)
    if out.size and (out.min() < 0 or out.max() >= n_classes):
        raise DataError(
            f"{part} holds labels in [{out.min()}, {out.max()}], outside [0, {n_classes})"
        )
    out.flags.writeable = False
    return out


@dataclass(frozen=True, kw_only=True, eq=False)
class Dataset:
    """An image classification data set split into train and test parts.

    The constructor copies every array and makes the copies read-only, so a
    ``Dataset`` never changes after it is built.

    Attributes:
        x_train: Training images, float32 shaped (N_train, C, H, W), values in [0, 1]
            (dimensionless intensity).
        y_train: Training labels, int64 shaped (N_train,), values in [0, len(classes)).
        x_test: Test images, float32 shaped (N_test, C, H, W), values in [0, 1].
        y_test: Test labels, int64 shaped (N_test,).
        name: Short name of the data set, e.g. ``"digits"``.
        classes: Human-readable name of each class, indexed by label.

    Raises:
        DataError: On wrong shapes or dtypes, values outside [0, 1], labels outside
            the class range, mismatched image/label counts, or train and test
            images of different shapes.
    """

    x_train: NDArray[np.float32]
    y_train: NDArray[np.int64]
    x_test: NDArray[np.float32]
    y_test: NDArray[np.int64]
    name: str
    classes: tuple[str, ...]

    def __post_init__(self) -> None:
        classes = tuple(str(c) for c in self.classes)
        if not classes:
            raise DataError(f"data set {self.name!r} needs at least one class")
        object.__setattr__(self, "classes", classes)
        for part in ("train", "test"):
            x = _frozen_images(getattr(self, f"x_{part}"), f"x_{part}")
            y = _frozen_labels(getattr(self, f"y_{part}"), f"y_{part}", len(classes))
            if x.shape[0] != y.shape[0]:
                raise DataError(f"{self.name} {part}: {x.shape[0]} images but {y.shape[0]} labels")
            object.__setattr__(self, f"x_{part}", x)
            object.__setattr__(self, f"y_{part}", y)
        if self.x_train.shape[1:] != self.x_test.shape[1:]:
            raise DataError(
                f"{self.name}: train images {self.x_train.shape[1:]} and test images "
                f"{self.x_test.shape[1:]} differ in shape"
            )

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """Shape of one image, (C, H, W)."""
        c, h, w = self.x_train.shape[1:]
        return (int(c), int(h), int(w))

    @property
    def n_classes(self) -> int:
        """Number of classes."""
        return len(self.classes)

    def __repr__(self) -> str:
        """Summarise the data set without printing its arrays."""
        return (
            f"Dataset(name={self.name!r}, train={self.x_train.shape[0]}, "
            f"test={self.x_test.shape[0]}, input_shape={self.input_shape}, "
            f"classes={self.n_classes})"
        )
