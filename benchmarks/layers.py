#!/usr/bin/env python3
"""Instructions per inference of generated networks on a Cortex-M7 (QEMU mps2-an500).

Builds each benchmark (a single layer, or a whole .tflite model) with the edgeai pipeline,
compiles it with arm-none-eabi-gcc for the `qemu-m7` target (-mcpu=cortex-m7 -mthumb
-mfpu=fpv5-d16 -mfloat-abi=hard -O2), runs it in qemu-system-arm with the qemu-insncount
plugin and prints exact instruction counts: per inference, per MAC, and per layer, with
each network's flash (code + constants of the linked image: `.text` + `.data`, the small
test harness included) and RAM (the activation pools), and each layer's constants and
scratch bytes.

    python benchmarks/layers.py                    # the layer suite
    python benchmarks/layers.py --suite mlperf-layers   # every conv/dw/pool of MLPerf Tiny
    python benchmarks/layers.py --model models/quantized_model.tflite --per-layer
    python benchmarks/layers.py --only conv5x5 --save-models /tmp/bench-models
    python benchmarks/layers.py --compare other.json   # ratios against counts from elsewhere
    python benchmarks/layers.py --model vww -O ram      # under another -O

One inference on a fixed pseudo-random input (xorshift32, seed 1, the same bytes whatever
the model) runs between bench_start() and bench_stop(); with --per-layer a second image
marks every kernel call of network_run() instead. MACs are the report's c_macc (ST's count:
one per weight per output, plus bias). This is a measuring script, not a test: it prints
figures and exits 0 unless a build or run fails.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # support.tflite_builder: calibrated one-op models

from edgeai_tool.boards import board  # noqa: E402
from edgeai_tool.boards.info import write_board_files  # noqa: E402
from edgeai_tool.compiler import compile_model, write_files  # noqa: E402
from edgeai_tool.options import DEFAULT_OPTIMIZATION, OPTIMIZATIONS, Options  # noqa: E402
from edgeai_tool.runtime import runtime_dir  # noqa: E402

HARNESS = ROOT / "edgeai_tool" / "validate" / "qemu_harness"
BOARD = ROOT / "edgeai_tool" / "boards"
INSNCOUNT = ROOT / "edgeai_tool" / "qemu_insncount"
MLPERF = ROOT / "models" / "mlperf_tiny"
CPU = ["-mcpu=cortex-m7", "-mthumb", "-mfpu=fpv5-d16", "-mfloat-abi=hard"]
CFLAGS = ["-std=c99", "-O2", "-Wall", "-ffunction-sections", "-fdata-sections"]

MODELS = {
    "demo": ROOT / "models" / "quantized_model.tflite",
    "kws": MLPERF / "kws_ref_model.tflite",
    "vww": MLPERF / "vww_96_int8.tflite",
    "ic": MLPERF / "pretrainedResnet_quant.tflite",
    "ad": MLPERF / "ad01_int8.tflite",
}


# ---- benchmark layers -----------------------------------------------------------------------

def _calibration(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    return rng.integers(-128, 127, size=(4, *shape), endpoint=True, dtype=np.int8)


def _pool_after(b, y, kind: str, size: int, stride: int):
    out_hw = [(n - size + stride) // stride for n in y.shape[1:3]]
    z = b.tensor(f"pool_{len(b.tensors)}", (1, *out_hw, y.shape[3]), scale=y.scale,
                 zero_point=y.zero_point)
    b.op(kind, [y], [z], padding="VALID", stride_h=stride, stride_w=stride,
         filter_height=size, filter_width=size)
    return z


def layer_model(spec: dict) -> bytes:
    """A calibrated single-layer model: kind conv/dw/maxpool/avgpool, optional fused pool."""
    from support.tflite_builder import ModelBuilder, add_conv2d, add_depthwise_conv2d

    spec = dict(spec)
    kind = spec.pop("kind")
    in_shape = spec.pop("in_shape")
    pool = spec.pop("pool", None)
    rng = np.random.default_rng(zlib.crc32(repr((kind, in_shape, sorted(spec.items())))
                                           .encode()))
    b = ModelBuilder()
    x = b.input("x", in_shape, scale=0.04, zero_point=-3)
    xs = _calibration(in_shape, rng)
    if kind == "conv":
        y, _ = add_conv2d(b, x, xs, rng, **spec)
    elif kind == "dw":
        y, _ = add_depthwise_conv2d(b, x, xs, rng, **spec)
    else:
        y = _pool_after(b, x, "MAX_POOL_2D" if kind == "maxpool" else "AVERAGE_POOL_2D",
                        spec["size"], spec.get("stride", spec["size"]))
    if pool:
        y = _pool_after(b, y, "MAX_POOL_2D", 2, 2)
    b.output(y)
    return b.build()


LAYERS = {
    "seed_conv0": dict(kind="conv", in_shape=(1, 28, 28, 1), filters=8, kernel=(5, 5),
                       padding="VALID", activation="RELU"),
    "seed_conv0_pool": dict(kind="conv", in_shape=(1, 28, 28, 1), filters=8, kernel=(5, 5),
                            padding="VALID", activation="RELU", pool=True),
    "conv5x5": dict(kind="conv", in_shape=(1, 12, 12, 8), filters=16, kernel=(5, 5),
                    padding="VALID", activation="RELU"),
    "conv5x5_pool": dict(kind="conv", in_shape=(1, 12, 12, 8), filters=16, kernel=(5, 5),
                         padding="VALID", activation="RELU", pool=True),
    "conv3x3_s1": dict(kind="conv", in_shape=(1, 16, 16, 16), filters=16, kernel=(3, 3),
                       activation="RELU"),
    "conv3x3_s2_c3": dict(kind="conv", in_shape=(1, 48, 48, 3), filters=8, kernel=(3, 3),
                          stride=(2, 2), activation="RELU6"),
    "conv1x1": dict(kind="conv", in_shape=(1, 25, 5, 64), filters=64, kernel=(1, 1),
                    activation="RELU"),
    "conv1x1_wide": dict(kind="conv", in_shape=(1, 12, 12, 64), filters=128, kernel=(1, 1),
                         activation="RELU6"),
    "dw3x3": dict(kind="dw", in_shape=(1, 25, 5, 64), activation="RELU"),
    "dw3x3_48": dict(kind="dw", in_shape=(1, 48, 48, 8), activation="RELU6"),
    "dw3x3_s2": dict(kind="dw", in_shape=(1, 48, 48, 16), stride=(2, 2), activation="RELU6"),
    "maxpool2x2": dict(kind="maxpool", in_shape=(1, 24, 24, 8), size=2),
    "avgpool_global": dict(kind="avgpool", in_shape=(1, 25, 5, 64), size=5, stride=1),
}


def mlperf_layer_models() -> dict[str, bytes]:
    """Every CONV_2D / DEPTHWISE_CONV_2D / pool of the MLPerf Tiny models, alone."""
    from runtime.test_conv import _OPTION_KEYS, single_op_model

    from edgeai_tool.importer.tflite_import import import_model

    models = {}
    for short in ("kws", "vww", "ic"):
        path = MODELS[short]
        if not path.exists():
            continue
        graph = import_model(path.read_bytes())
        for index, op in enumerate(graph.ops):
            if op.kind in _OPTION_KEYS:
                models[f"{short}_{index:02d}_{op.kind.lower()}"] = single_op_model(graph, index)
    return models


# ---- build and run --------------------------------------------------------------------------

MAIN = r"""
#include <stdint.h>
#include <string.h>
#include "network.h"

void bench_start(void);
void bench_stop(void);

static int semihost(int op, const void *arg)
{
    register int r0 __asm("r0") = op;
    register const void *r1 __asm("r1") = arg;
    __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}
void harness_write(const char *text) { semihost(0x04, text); }
void harness_exit(int status)
{
    semihost(0x18, (const void *)(uintptr_t)(status == 0 ? 0x20026 : 0x20024));
    for (;;) {
    }
}

static uint8_t arena[%(arena)d] __attribute__((aligned(32)));
static const uint32_t pool_offsets[] = {%(offsets)s};
static const uint32_t input_sizes[] = {%(inputs)s};

int main(void)
{
    void *bases[sizeof pool_offsets / sizeof pool_offsets[0]];
    for (unsigned i = 0; i < sizeof pool_offsets / sizeof pool_offsets[0]; ++i)
        bases[i] = arena + pool_offsets[i];
    if (network_init(bases) != 0) {
        harness_write("ERROR init\n");
        return 2;
    }
    uint32_t state = 1u; /* xorshift32: the same bytes as the reference benchmark */
    for (unsigned k = 0; k < sizeof input_sizes / sizeof input_sizes[0]; ++k) {
        uint8_t *in = network_input((int)k);
        for (uint32_t i = 0; i < input_sizes[k]; ++i) {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            in[i] = (uint8_t)(state >> 24);
        }
    }
#ifndef BENCH_LAYERS
    bench_start();
#endif
    const int status = network_run();
#ifndef BENCH_LAYERS
    bench_stop();
#endif
    harness_write(status == 0 ? "OK\n" : "ERROR run\n");
    return status;
}
"""


@dataclass
class Result:
    name: str
    macc: int
    insns: int = 0
    flash: int = 0
    ram: int = 0
    # name, kind, macc, instructions, constant bytes, scratch bytes
    layers: list[tuple[str, str, int, int, int, int]] = field(default_factory=list)


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd[:3]))} ... failed:\n{result.stderr[-3000:]}"
                           f"{result.stdout[-1000:]}")
    return result


def instrument(network_c: str) -> tuple[str, list[str]]:
    """network.c with markers around each kernel call of <name>_run(); the calls' names, in
    the order they run (a patch stage's loop: `<call>_band<k>` for each band k)."""
    out, names, in_call, last_comment = [], [], False, ""
    bands, in_loop = 0, []  # a patch stage's band count and the calls of its loop
    for line in network_c.splitlines():
        comment = re.match(r"\s*/\* (\w+) \*/\s*$", line)
        if comment:
            last_comment = comment.group(1)
        loop = re.match(r"    for \(size_t band = 0u; band < (\d+)u; \+\+band\) \{$", line)
        if loop:
            bands = int(loop.group(1))
        elif bands and line == "    }":
            names += [f"{name}_band{k}" for k in range(bands) for name in in_loop]
            bands, in_loop = 0, []
        if not in_call and re.match(r"\s*status = \w+\(", line):
            out.append("#ifdef BENCH_LAYERS\n    bench_start();\n#endif")
            (in_loop if bands else names).append(last_comment)
            in_call = True
        out.append(line)
        if in_call and line.rstrip().endswith(");"):
            out.append("#ifdef BENCH_LAYERS\n    bench_stop();\n#endif")
            in_call = False
    text = "\n".join(out) + "\n"
    text = text.replace('#include "network.h"',
                        '#include "network.h"\nvoid bench_start(void);\nvoid bench_stop(void);', 1)
    return text, names


def plugin(build: Path) -> Path:
    out = build / "libinsncount.so"
    _run(["sh", str(INSNCOUNT / "build.sh"), str(out)])
    return out


def runtime_objects(build: Path) -> list[Path]:
    """The runtime and the harness compiled once per invocation."""
    objdir = build / "runtime"
    objdir.mkdir(parents=True, exist_ok=True)
    sources = [*sorted(runtime_dir().glob("*.c")), HARNESS / "startup.c", BOARD / "bench.c"]
    objects = [objdir / f"{src.stem}.o" for src in sources]
    # board.h includes the board's generated board_config.h
    board_dir = write_board_files(board("qemu-m7"), build / "board")[0].parent

    def compile_one(pair):
        src, obj = pair
        _run(["arm-none-eabi-gcc", *CPU, *CFLAGS, f"-I{runtime_dir()}", f"-I{BOARD}",
              f"-I{board_dir}", "-c", str(src), "-o", str(obj)])

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(compile_one, zip(sources, objects, strict=True)))
    return objects


def measure(name: str, model: Path, build: Path, objects: list[Path], so: Path,
            per_layer: bool, optimization: str = DEFAULT_OPTIMIZATION) -> Result:
    compilation = compile_model(model, Options(name="network", target="qemu-m7",
                                               optimization=optimization))
    work = build / name
    if work.exists():
        shutil.rmtree(work)
    gen = work / "gen"
    write_files(compilation.files, gen)
    network_c, names = instrument((gen / "network.c").read_text())
    (gen / "network.c").write_text(network_c)
    pools = [pool.size for pool in compilation.network.pools] or [0]
    offsets = np.cumsum([0] + [(size + 31) // 32 * 32 for size in pools])
    main = MAIN % dict(arena=max(int(offsets[-1]), 1),
                       offsets=", ".join(str(int(o)) for o in offsets[:-1]),
                       inputs=", ".join(str(io.size_bytes) for io in compilation.network.inputs))
    (work / "main.c").write_text(main)
    result = Result(name, sum(layer.macc for layer in compilation.layers))
    variants = [("whole", [])] + ([("layers", ["-DBENCH_LAYERS"])] if per_layer else [])
    for variant, defines in variants:
        objs = []
        for src in [*sorted(gen.glob("*.c")), work / "main.c"]:
            obj = work / f"{variant}_{src.stem}.o"
            _run(["arm-none-eabi-gcc", *CPU, *CFLAGS, *defines, f"-I{gen}", f"-I{runtime_dir()}",
                  "-c", str(src), "-o", str(obj)])
            objs.append(obj)
        elf = work / f"{variant}.elf"
        _run(["arm-none-eabi-gcc", *CPU, "-nostartfiles", "--specs=nano.specs",
              "--specs=nosys.specs", "-Wl,--gc-sections", f"-T{HARNESS / 'mps2_an500.ld'}",
              "-Wl,--undefined=vector_table", *map(str, objs), *map(str, objects),
              "-o", str(elf)])
        symbols = _run(["arm-none-eabi-nm", str(elf)]).stdout
        marks = {m.group(2): int(m.group(1), 16) & ~1 for m in
                 re.finditer(r"^([0-9a-f]+) T (bench_start|bench_stop)$", symbols, re.M)}
        counts = work / f"{variant}_insns.txt"
        run = _run(["qemu-system-arm", "-M", "mps2-an500", "-nographic", "-monitor", "none",
                    "-serial", "none", "-semihosting-config", "enable=on,target=native",
                    "-kernel", str(elf), "-plugin",
                    f"{so},start={marks['bench_start']:#x},stop={marks['bench_stop']:#x},"
                    f"out={counts}"], stdin=subprocess.DEVNULL, timeout=600)
        if "OK" not in run.stderr + run.stdout:
            raise RuntimeError(f"{name}: the network failed under QEMU: {run.stderr[-500:]}")
        regions = [int(n) for n in re.findall(r"^region \d+: (\d+) insns",
                                              counts.read_text(), re.M)]
        if variant == "whole":
            result.insns = regions[0]
            text, data = _run(["arm-none-eabi-size", str(elf)]).stdout.splitlines()[1].split()[:2]
            result.flash = int(text) + int(data)
            result.ram = compilation.plan.activations_bytes
        else:
            layers = compilation.layers
            if len(layers) == len(regions) == len(names):
                result.layers = [(n, layer.c_type, layer.macc, count,
                                  sum(a.values.nbytes for a in layer.arrays), layer.scratch_bytes)
                                 for n, layer, count in zip(names, layers, regions, strict=True)]
            else:
                result.layers = [(n, "?", 0, count, 0, 0)
                                 for n, count in zip(names, regions, strict=False)]
    return result


# ---- output ---------------------------------------------------------------------------------

def per_mac(insns: int, macc: int) -> str:
    return f"{insns / macc:6.2f}" if macc else "     -"


def print_results(results: list[Result], compare: dict[str, int]) -> None:
    header = (f"{'benchmark':<34} {'MACC':>11} {'insns':>12} {'insn/MAC':>8} {'flash':>9} "
              f"{'RAM':>8}")
    if compare:
        header += f" {'reference':>12} {'ratio':>6}"
    print(header)
    if any(r.layers for r in results):
        print("  (a layer: flash = its constants, RAM = its scratch)")
    for r in results:
        line = (f"{r.name:<34} {r.macc:>11,} {r.insns:>12,} {per_mac(r.insns, r.macc):>8} "
                f"{r.flash:>9,} {r.ram:>8,}")
        if r.name in compare:
            line += f" {compare[r.name]:>12,} {r.insns / compare[r.name]:6.3f}"
        print(line)
        for name, _kind, macc, count, constants, scratch in r.layers:
            key = f"{r.name}/{name}"
            line = (f"  {name:<32} {macc:>11,} {count:>12,} {per_mac(count, macc):>8} "
                    f"{constants:>9,} {scratch:>8,}")
            if key in compare:
                line += f" {compare[key]:>12,} {count / compare[key]:6.3f}"
            print(line)


def figures(results: list[Result]) -> dict[str, int]:
    """The JSON figures: "<benchmark>" and "<benchmark>/<layer>" are instruction counts (what
    --compare reads); ":macc", ":flash" and ":ram" (a layer: its constants and scratch)
    follow each name."""
    out: dict[str, int] = {}
    for r in results:
        out.update({r.name: r.insns, f"{r.name}:macc": r.macc, f"{r.name}:flash": r.flash,
                    f"{r.name}:ram": r.ram})
        for name, _, macc, count, constants, scratch in r.layers:
            key = f"{r.name}/{name}"
            out.update({key: count, f"{key}:macc": macc, f"{key}:flash": constants,
                        f"{key}:ram": scratch})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", choices=("layers", "mlperf-layers", "models", "none"),
                        default=None, help="benchmark set (default: layers, or none with "
                        "--model)")
    parser.add_argument("--model", action="append", default=[],
                        help="a .tflite model (repeatable); names: demo kws vww ic ad")
    parser.add_argument("--only", action="append", default=[],
                        help="substring of the benchmark names to keep (repeatable)")
    parser.add_argument("--per-layer", action="store_true",
                        help="also count every layer of each network")
    parser.add_argument("--build", default=str(ROOT / "build" / "benchmarks"),
                        help="work directory (default: build/benchmarks)")
    parser.add_argument("--save-models", help="write each benchmark's .tflite here")
    parser.add_argument("--compare", help="JSON {benchmark or benchmark/layer: insns} to "
                        "print ratios against")
    parser.add_argument("--json", help="write the figures here as JSON")
    parser.add_argument("-O", "--optimization", choices=OPTIMIZATIONS,
                        default=DEFAULT_OPTIMIZATION, help="edgeai's -O for every network")
    args = parser.parse_args(argv)

    build = Path(args.build)
    build.mkdir(parents=True, exist_ok=True)
    suite = args.suite or ("none" if args.model else "layers")
    models: dict[str, Path] = {}
    generated: dict[str, bytes] = {}
    if suite == "layers":
        generated = {name: layer_model(spec) for name, spec in LAYERS.items()
                     if not args.only or any(o in name for o in args.only)}
    elif suite == "mlperf-layers":
        generated = {name: m for name, m in mlperf_layer_models().items()
                     if not args.only or any(o in name for o in args.only)}
    elif suite == "models":
        models = {name: path for name, path in MODELS.items() if path.exists()}
    for spec in args.model:
        path = MODELS.get(spec, Path(spec))
        models[spec if spec in MODELS else path.stem] = path
    model_dir = Path(args.save_models) if args.save_models else build / "models"
    model_dir.mkdir(parents=True, exist_ok=True)
    for name, data in generated.items():
        (model_dir / f"{name}.tflite").write_bytes(data)
        models[name] = model_dir / f"{name}.tflite"
    if args.save_models:
        for name, path in models.items():
            if not (model_dir / f"{name}.tflite").exists():
                shutil.copyfile(path, model_dir / f"{name}.tflite")

    so = plugin(build)
    objects = runtime_objects(build)
    results = []
    for name, path in models.items():
        try:
            results.append(measure(name, path, build, objects, so,
                                   args.per_layer or suite == "none", args.optimization))
        except Exception as exc:
            print(f"{name}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else exc}",
                  file=sys.stderr)
    compare = json.loads(Path(args.compare).read_text()) if args.compare else {}
    print_results(results, compare)
    if args.json:
        Path(args.json).write_text(json.dumps(figures(results), indent=1))
    return 0 if len(results) == len(models) else 1


if __name__ == "__main__":
    sys.exit(main())
