#!/usr/bin/env python3
"""Generator and SCons null-build times, as ratios against baselines measured in the same run.

    python benchmarks/build_times.py            # demo model + MLPerf Tiny models
    python benchmarks/build_times.py --repeat 9

Seconds depend on the machine; the ratios are what to compare between versions:
- generator: `edgeai generate` of each model vs. `python -c "import numpy, jinja2, tflite"`
  (the cost of starting Python with the generator's dependencies);
- null build: `scons target=stm32f7` on an up-to-date tree vs. `scons` on an empty
  SConstruct. Each figure is the median of --repeat runs. A measuring script, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MLPERF = ROOT / "models" / "mlperf_tiny"
MODELS = {
    "demo": ROOT / "models" / "quantized_model.tflite",
    "kws": MLPERF / "kws_ref_model.tflite",
    "vww": MLPERF / "vww_96_int8.tflite",
    "ic": MLPERF / "pretrainedResnet_quant.tflite",
    "ad": MLPERF / "ad01_int8.tflite",
}
SCONS = [sys.executable, "-m", "SCons"]


def median_seconds(command: list[str], repeat: int, cwd: Path | None = None) -> float:
    """Median wall time of `command`; fails loudly if it fails."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def generator_ratios(repeat: int) -> None:
    baseline = median_seconds([sys.executable, "-c", "import numpy, jinja2, tflite"], repeat)
    print(f"baseline: python -c 'import numpy, jinja2, tflite'  {baseline:7.3f} s")
    with tempfile.TemporaryDirectory() as scratch:
        for name, model in MODELS.items():
            if not model.exists():
                print(f"{name:<5} skipped: {model} not found")
                continue
            seconds = median_seconds([sys.executable, "-m", "edgeai_tool", "generate", "-m",
                                      str(model), "-o", f"{scratch}/{name}"], repeat)
            print(f"generate {name:<5} {seconds:7.3f} s  = {seconds / baseline:5.2f} x baseline")


def null_build_ratio(repeat: int) -> None:
    subprocess.run([*SCONS, "-Q", "target=stm32f7"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory() as empty:
        (Path(empty) / "SConstruct").write_text("")
        baseline = median_seconds([*SCONS, "-Q"], repeat, cwd=Path(empty))
    seconds = median_seconds([*SCONS, "-Q", "target=stm32f7"], repeat, cwd=ROOT)
    print(f"null build: empty SConstruct {baseline:.3f} s, demo firmware {seconds:.3f} s "
          f"= {seconds / baseline:.2f} x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    args = parser.parse_args()
    generator_ratios(args.repeat)
    null_build_ratio(args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
