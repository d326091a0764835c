"""The convolutions' requantization records (edgeai_requantize.h) against TFLite's
MultiplyByQuantizedMultiplier: the generator's records, read by edgeai_rq_exact on every
accumulator and by edgeai_rq_fast wherever `rq_fast` would allow it, under ASan/UBSan, with
the portable and the emulated DSP helpers."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from support.sanitized_driver import RUNTIME, SANITIZE_FLAGS

from edgeai_tool.codegen.layers.conv import requant_records, rq_fast
from edgeai_tool.quant import multiply_by_quantized_multiplier, quantize_multiplier

# Real multipliers of every kind a layer has: below 1 (right shifts 1 to 31), above 1 (left
# shifts), exactly a power of two, and 0 (a dead channel).
REALS = [0.0, 2.0 ** -31 * 1.5, 1e-6, 0.0007, 0.0123, 0.3, 0.5, 0.99999, 1.0, 1.7, 3.0, 37.5]


def _accumulators(rng: np.random.Generator) -> np.ndarray:
    edges = [0, 1, -1, 2, -2, (1 << 30) - 1, -(1 << 30) + 1, 255, -255, 12345, -12345]
    return np.concatenate([edges, rng.integers(-(1 << 30) + 1, 1 << 30, size=300),
                           rng.integers(-70000, 70000, size=300)]).astype(np.int64)


def _driver(records: np.ndarray, xs: np.ndarray, exact: np.ndarray, fast: np.ndarray) -> str:
    def array(name: str, ctype: str, values) -> str:
        return f"static const {ctype} {name}[] = {{{', '.join(str(int(v)) for v in values)}}};"

    return "\n".join([
        "#include <stdio.h>",
        '#include "edgeai_requantize.h"',
        array("records", "int32_t", records.reshape(-1)),
        array("xs", "int32_t", xs),
        array("exact", "int32_t", exact.reshape(-1)),
        array("fast", "int32_t", fast.reshape(-1)),  # 1: compare edgeai_rq_fast too
        f"#define CHANNELS {len(records)}",
        f"#define COUNT {len(xs)}",
        "int main(void)",
        "{",
        "    for (int c = 0; c < CHANNELS; ++c) {",
        "        const int32_t *rq = records + c * EDGEAI_RQ_WORDS;",
        "        for (int i = 0; i < COUNT; ++i) {",
        "            const int32_t want = exact[c * COUNT + i];",
        "            if (edgeai_rq_exact(xs[i], rq) != want) {",
        '                printf("exact: channel %d x %ld\\n", c, (long)xs[i]);',
        "                return 1;",
        "            }",
        "            if (fast[c * COUNT + i] && edgeai_rq_fast(xs[i], rq) != want) {",
        '                printf("fast: channel %d x %ld\\n", c, (long)xs[i]);',
        "                return 2;",
        "            }",
        "        }",
        "    }",
        '    puts("ok");',
        "    return 0;",
        "}",
    ])


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no gcc")
@pytest.mark.parametrize("dsp", ["", "-DEDGEAI_EMULATE_DSP"])
def test_records_requantize_as_tflite(dsp: str, tmp_path: Path) -> None:
    pairs = [quantize_multiplier(real) for real in REALS]
    multipliers = np.array([m for m, _ in pairs], dtype=np.int32)
    shifts = np.array([s for _, s in pairs], dtype=np.int32)
    records = requant_records(multipliers, shifts)
    assert records.shape == (len(REALS), 2) and records.dtype == np.int32
    xs = _accumulators(np.random.default_rng(3))
    exact = np.array([[multiply_by_quantized_multiplier(int(x), int(m), int(s)) for x in xs]
                      for m, s in zip(multipliers, shifts, strict=True)])
    # Where rq_fast would hold for a channel on its own: one tap whose weight bounds |x|.
    fast = np.array([[rq_fast(record[None], np.array([[abs(int(x)) // 256 + 1]]), None)
                      for x in xs] for record in records])
    assert fast.any() and not fast.all()
    (tmp_path / "main.c").write_text(_driver(records, xs, exact, fast))
    exe = tmp_path / "driver"
    subprocess.run(["gcc", *SANITIZE_FLAGS, *([dsp] if dsp else []), "-I", str(RUNTIME),
                    str(tmp_path / "main.c"), "-o", str(exe)], check=True)
    result = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "ok"


def test_records_are_two_words_and_refuse_the_fast_form_with_left_shifts() -> None:
    multipliers = np.array([1 << 30, 0, 1 << 30], dtype=np.int32)
    records = requant_records(multipliers, np.array([-5, 3, 2], dtype=np.int32))
    assert records.tolist() == [[1 << 30, 5], [0, 1], [1 << 30, -2]]
    weights = np.ones((2, 4), dtype=np.int64)
    assert rq_fast(records[:2], weights, None) == 1
    assert rq_fast(records, np.ones((3, 4), dtype=np.int64), None) == 0  # a left shift
    assert rq_fast(records[:2], weights, np.array([1 << 30, 0])) == 0  # |bias| too big
