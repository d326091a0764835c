"""The sha256 of every generated file for the pinned cases; `--write` records them anew."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from edgeai_tool.compiler import compile_model
from edgeai_tool.options import Options

ROOT = Path(__file__).resolve().parents[2]
PINS = Path(__file__).with_name("generated_hashes.json")
MODELS = ROOT / "models"
# case -> (model, memory pool file or None, -O goal)
CASES = {
    "demo": (MODELS / "quantized_model.tflite", None, "balanced"),
    "demo-board-pools": (MODELS / "quantized_model.tflite", MODELS / "mempools-board.json",
                         "balanced"),
    "kws": (MODELS / "mlperf_tiny" / "kws_ref_model.tflite", None, "balanced"),
    "vww": (MODELS / "mlperf_tiny" / "vww_96_int8.tflite", None, "balanced"),
    "ic": (MODELS / "mlperf_tiny" / "pretrainedResnet_quant.tflite", None, "balanced"),
    "ad": (MODELS / "mlperf_tiny" / "ad01_int8.tflite", None, "balanced"),
    # -O ram's patch stage (a loop over row bands) and int8-only weights
    "vww-ram": (MODELS / "mlperf_tiny" / "vww_96_int8.tflite", None, "ram"),
}


def hashes_of(case: str) -> dict[str, str]:
    """File name -> sha256 of what `edgeai generate` writes for the case."""
    model, pools, goal = CASES[case]
    options = Options(memory_pool=str(pools) if pools else None, optimization=goal)
    files = compile_model(model, options).files
    return {name: hashlib.sha256(text.encode()).hexdigest()
            for name, text in sorted(files.items())}


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/codegen/generated_hashes.py --write")
    PINS.write_text(json.dumps({case: hashes_of(case) for case in sorted(CASES)}, indent=1)
                    + "\n")
