"""Writes digits_data.h for the demo (main.c): the first PER_CLASS test digits of each
class from models/digits_test.npz, as int8 inputs exactly as the model takes them, with
their labels and test-set positions. SCons (firmware/SConscript) imports it; CMake
(examples/cmake) runs it:

    python digits_data.py DIGITS.npz OUT.h [PER_CLASS]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def digits_header(npz: str | Path, per_class: int = 1) -> str:
    """The header's text for the digits in `npz` (arrays 'inputs' and 'labels')."""
    import numpy as np  # only needed when the header is (re)generated

    with np.load(npz) as data:
        inputs, labels = data["inputs"], data["labels"]
    picked = sorted(i for c in range(10) for i in np.flatnonzero(labels == c)[:per_class])
    n, size = len(picked), int(np.prod(inputs.shape[1:]))
    rows = [f"    {{{','.join(str(v) for v in inputs[i].reshape(-1).astype(np.int8))}}},"
            for i in picked]
    return "\n".join([
        f"/* Generated from {Path(npz).name} by firmware/app/digits_data.py: do not edit. */",
        "#ifndef DIGITS_DATA_H", "#define DIGITS_DATA_H", "", "#include <stdint.h>", "",
        f"#define DIGITS_COUNT {n}", f"#define DIGITS_INPUT_BYTES {size}", "",
        "static const int8_t digits_inputs[DIGITS_COUNT][DIGITS_INPUT_BYTES] = {",
        *rows, "};",
        "static const uint8_t digits_labels[DIGITS_COUNT] = {"
        + ", ".join(str(int(labels[i])) for i in picked) + "};",
        "static const uint16_t digits_index[DIGITS_COUNT] = {"
        + ", ".join(str(int(i)) for i in picked) + "};", "", "#endif", ""])


def write_digits_header(npz: str | Path, header: str | Path, per_class: int = 1) -> None:
    """Write the header whole (a rename): a build never sees half of it."""
    header = Path(header)
    staged = header.with_name(f".{header.name}.tmp")
    staged.write_text(digits_header(npz, per_class), encoding="utf-8")
    os.replace(staged, header)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(f"usage: {sys.argv[0]} DIGITS.npz OUT.h [PER_CLASS]")
    write_digits_header(sys.argv[1], sys.argv[2], *map(int, sys.argv[3:]))
