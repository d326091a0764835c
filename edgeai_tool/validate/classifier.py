"""`validate --classifier`: the confusion matrix of the C model's top-1 classes."""

from __future__ import annotations

import numpy as np

from edgeai_tool.errors import EdgeAIError


def confusion_matrix(c_out: np.ndarray, reference: np.ndarray,
                     labels: np.ndarray | None) -> str:
    """Rows: the true class (the labels where given, else the reference's top-1); columns:
    the C model's top-1 class. Random samples added after labelled ones count against the
    reference."""
    scores = c_out.reshape(len(c_out), -1)
    classes = scores.shape[1]
    if classes < 2:
        raise EdgeAIError(f"--classifier: output 1 holds {classes} value per sample; a "
                          "classifier's output holds one score per class")
    truth = reference.reshape(len(reference), -1).argmax(axis=1)
    if labels is not None:
        truth = np.where(labels >= 0, labels, truth).astype(int)
    predicted = scores.argmax(axis=1)
    counts = np.zeros((classes, classes), dtype=int)
    np.add.at(counts, (np.clip(truth, 0, classes - 1), predicted), 1)
    width = max(5, len(str(counts.max())) + 1)
    head = "true\\C " + "".join(f"{c:>{width}}" for c in range(classes))
    rows = [f"{t:>6} " + "".join(f"{n:>{width}}" for n in counts[t]) for t in range(classes)]
    source = "labels" if labels is not None else "TFLite Micro's top-1"
    return "\n".join(["", f"Confusion matrix (output 1; rows: {source}, columns: C model)",
                      head, *rows, ""]) + "\n"
