"""ST's validation metrics plus the one that matters here: bit-exact outputs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Metrics:
    """C model against reference, on dequantized values (as ST's validate reports them)."""

    acc: float | None  # % argmax agreement with the labels (labelled samples only) or with
    # the reference's argmax; None when the output is not a classifier's
    rmse: float
    mae: float
    l2r: float
    cos: float
    exact: int  # output values identical to the reference
    total: int

    @property
    def exact_share(self) -> float:
        return 100.0 * self.exact / self.total if self.total else 100.0


def compare_outputs(c_out: np.ndarray, reference: np.ndarray, scale: float, zero_point: int,
                    labels: np.ndarray | None = None) -> Metrics:
    """Metrics for one output over all samples (first axis = samples)."""
    c_real = _dequantize(c_out, scale, zero_point)
    ref_real = _dequantize(reference, scale, zero_point)
    diff = c_real - ref_real
    norm_ref = float(np.linalg.norm(ref_real))
    norm_c = float(np.linalg.norm(c_real))
    return Metrics(
        acc=_accuracy(c_out, reference, labels),
        rmse=float(np.sqrt(np.mean(diff ** 2))),
        mae=float(np.mean(np.abs(diff))),
        l2r=float(np.linalg.norm(diff)) / norm_ref if norm_ref else 0.0,
        cos=float(np.sum(c_real * ref_real)) / (norm_c * norm_ref) if norm_c and norm_ref else 1.0,
        exact=int(np.count_nonzero(c_out == reference)),
        total=int(reference.size),
    )


def _dequantize(values: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    if not scale:
        return values.astype(np.float64)
    return (values.astype(np.float64) - zero_point) * scale


def _accuracy(c_out: np.ndarray, reference: np.ndarray, labels: np.ndarray | None) -> float | None:
    samples = reference.reshape(len(reference), -1)
    if samples.shape[1] < 2:
        return None
    predicted = c_out.reshape(len(c_out), -1).argmax(axis=1)
    if labels is None:
        return 100.0 * float(np.mean(predicted == samples.argmax(axis=1)))
    labelled = labels >= 0  # random samples added after labelled ones carry -1
    return 100.0 * float(np.mean(predicted[labelled] == labels[labelled]))
