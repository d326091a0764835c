"""The text report: sections in ST's order, figures from the compilation, reproducible bytes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
from support.bitexact import compile_bytes
from support.tflite_builder import ModelBuilder

from edgeai_tool.compilation import Compilation
from edgeai_tool.compiler import compile_model
from edgeai_tool.options import Options
from edgeai_tool.report import render_report
from edgeai_tool.report.text import shape_text, shown_command_line

SECTION_TITLES = [
    "edgeai 0.1.0",
    "Parameters ",
    "Exec/report summary (generate)",
    "Memory-pools summary (activations/ domain)",
    "Model name - small_cnn",
    "model/c-model: ",
    "Generated C-graph summary",
    "C-Arrays (",
    "C-Layers (",
    "Number of operations per c-layer",
    "Number of operation types",
    "Complexity report (model)",
    "Generated files (7)",
]


def _line(report: str, start: str) -> str:
    return next(line for line in report.splitlines() if line.startswith(start))


def test_sections_come_in_the_seed_order(small_compilation: Compilation) -> None:
    report = small_compilation.report
    positions = [report.index(title) for title in SECTION_TITLES]
    assert positions == sorted(positions)
    assert "Requested memory size by section" not in report
    assert report.endswith("\n") and not report.endswith("\n\n")


def test_no_date_and_no_directory(small_compilation: Compilation, small_cnn: Path) -> None:
    report = small_compilation.report
    assert str(small_cnn.parent) not in report and "/tmp" not in report
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}", report)
    assert _line(report, "Parameters").endswith("generate --model small_cnn.tflite -o out")
    assert _line(report, "model file").endswith(":   small_cnn.tflite")


def test_same_model_elsewhere_gives_the_same_bytes(small_cnn: Path, tmp_path: Path) -> None:
    outputs = []
    for folder in ("a", "deeper/b"):
        copy = tmp_path / folder / small_cnn.name
        copy.parent.mkdir(parents=True)
        shutil.copy(small_cnn, copy)
        compilation = compile_model(copy, Options(), f"generate --model {copy}")
        outputs.append((compilation.files["network_generate_report.txt"],
                        compilation.files["network_c_info.json"]))
    assert outputs[0] == outputs[1]


def test_exec_summary_figures(small_compilation: Compilation) -> None:
    report, plan = small_compilation.report, small_compilation.plan
    weights = small_compilation.network.weights_bytes
    macc = sum(layer.macc for layer in small_compilation.layers)
    assert _line(report, "macc  ").endswith(f":   {macc:,}")
    assert f"weights (ro)       :   {weights:,} B (" in report
    # params of the original model: conv 4x5x5x1 + 4 bias, dense 5x64 + 5 bias
    assert _line(report, "params #").endswith(":   429 items (0.45 KiB)")
    float_delta = weights - 429 * 4
    assert f" / {float_delta:+,}(" in _line(report, "weights (ro)")
    activations = plan.activations_bytes
    assert _line(report, "activations (rw)").endswith(f"{activations:,} B "
                                                      f"({activations / 1024:.2f} KiB) "
                                                      "(1 segment) *")
    assert _line(report, "ram (total)").endswith(f"= {activations:,} + 0 + 0")
    assert ("'image', int8(1x12x12x1), 144 Bytes, QLinear(0.029999999,-9,int8), activations"
            in _line(report, "input 1/1"))
    assert _line(report, "model_fmt").endswith("ss/sa per channel")
    assert re.search(r"model_hash +:   0x[0-9a-f]{32} \(md5\)", report)


def test_fused_layers_show_minus_100_and_the_survivor_the_sum(
        small_compilation: Compilation) -> None:
    report = small_compilation.report
    conv = small_compilation.layers[0]
    conv_row = _line(report, "       conv2d_0 (Conv2D, CONV_2D)")
    assert "-116(-100.0%)" in conv_row and "-6,404(-100.0%)" in conv_row
    assert "-256(-100.0%)" in _line(report, "       nl_0_nl (Nonlinearity, CONV_2D)")
    pool_row = _line(report, "1      maxpool_1 (Pool, MAX_POOL_2D)")
    rom = sum(array.nbytes for array in conv.arrays)
    assert f"+{rom:,}(+100.0%)" in pool_row
    assert f"+{conv.macc - 256:,}(" in pool_row
    assert pool_row.endswith("Conv2D_[0]")
    assert _line(report, "3      dense_3 (Gemm, FULLY_CONNECTED)").endswith("Dense_[o][1]")
    # The reshape became an alias: no C layer, no change.
    assert _line(report, "2      reshape_2 (Reshape, RESHAPE)").endswith("|")


def test_model_line_sums_the_table(small_compilation: Compilation) -> None:
    c_macc = sum(layer.macc for layer in small_compilation.layers)
    line = _line(small_compilation.report, "model/c-model:")
    original = 6_404 + 256 + 256 + 325
    assert line.startswith(f"model/c-model: macc={original:,}/{c_macc:,} ")
    assert f"weights=456/{small_compilation.network.weights_bytes:,} " in line
    assert line.endswith(f"activations=--/{small_compilation.plan.activations_bytes:,} io=--/0")


def test_arrays_and_layers_tables(small_compilation: Compilation) -> None:
    report = small_compilation.report
    assert re.search(r"\n\d+ +image_output +144/144 +activations/POOL_0_RAM +s8 +/input\n",
                     report)
    assert re.search(r"\n\d+ +dense_3_output +5/5 +activations/POOL_0_RAM +s8 +/output\n",
                     report)
    # 4 filters of 5x5x1 stored as 2 pairs of 7 quads (edgeai_conv.h's layout), int16 under
    # the default goal (edgeai_conv_pool_wide_s8)
    assert re.search(r"\n\d+ +conv2d_0_weights +112/224 +weights/weights +const s16\n", report)
    assert re.search(r"W: conv2d_0_weights +int16\(2x7x2x4\) \(\d+\)", report)
    assert re.search(r"I: image_output +int8\(1x12x12x1\) \(\d+\)", report)
    assert "c-node #              :   2" in report
    assert "inputs                :   ['image_output']" in report
    assert re.search(r"smul_s8_s16 +6,660 +95\.3%", report)
    assert re.search(r"smul_s8_s8 +325 +4\.7%", report)


def test_memory_by_section_only_with_sizes(small_compilation: Compilation) -> None:
    weights = small_compilation.network.weights_bytes
    sizes = {
        "build/edgeai_conv.o": {"text": 1000, "rodata": 0, "data": 0, "bss": 0},
        "network_data_params.o": {"text": 0, "rodata": weights + 40, "data": 0, "bss": 0},
        "network.o": {"text": 600, "rodata": 100, "data": 8, "bss": 12},
    }
    report = render_report(small_compilation, section_sizes=sizes)
    assert report.index("Complexity report") < report.index(
        'Requested memory size by section - "stm32f7" target') < report.index("Generated files")
    assert re.search(r"\nnetwork_data_params\.o +0 +40 +0 +0\n", report)
    assert re.search(r"\nedgeai_conv\.o +1,000 +0 +0 +0\n", report)
    assert re.search(r"\nRT total\*\* +1,600 +140 +8 +12\n", report)
    activations = small_compilation.plan.activations_bytes
    assert re.search(rf"\nweights +0 +{weights:,} +0 +0\n", report)
    assert re.search(rf"\nTOTAL +1,600 +{140 + weights:,} +8 +{12 + activations:,}\n", report)
    flash = 1600 + 140 + weights + 8
    assert re.search(rf"\nTOTAL +{flash:,} +{8 + 12 + activations:,}\n", report)


def test_command_line_is_shown_without_directories() -> None:
    shown = shown_command_line(
        "generate --model /home/u/m.tflite --memory-pool=/etc/pools.json -o build/out/ -n net")
    assert shown == "generate --model m.tflite --memory-pool=pools.json -o out -n net"


def test_shapes_in_st_notation() -> None:
    assert shape_text((1, 24, 24, 8)) == "[b:1,h:24,w:24,c:8]"
    assert shape_text((1, 256)) == "[b:1,c:256]"
    assert shape_text((128,)) == "[b:128]"
    assert shape_text((1, 2, 3, 4, 5)) == "[1x2x3x4x5]"


def test_external_io_and_several_pools(small_cnn: Path, tmp_path: Path) -> None:
    pools = {"memory": {"mempools": [
        {"name": "DTCM", "prop": {"throughput": "HIGH", "latency": "LOW"},
         "size": {"value": "128", "magnitude": "BYTES"}},
        {"name": "SRAM", "size": {"value": "64", "magnitude": "KBYTES"}},
    ]}}
    pool_file = tmp_path / "pools.json"
    pool_file.write_text(json.dumps(pools))
    options = Options(memory_pool=str(pool_file), allocate_inputs=False)
    compilation = compile_model(small_cnn, options, "generate")
    report = compilation.report
    assert _line(report, "memory pool").endswith(":   pools.json")
    assert _line(report, "options").endswith(":   allocate-outputs")
    assert _line(report, "input 1/1").endswith(", user")
    activations = compilation.plan.activations_bytes
    assert _line(report, "ram (total)").endswith(f"= {activations:,} + 144 + 0")
    assert re.search(r"\nDTCM +0 +[\d.]+ KiB \([\d.]+%\) +\d+ +0\.12 KiB +", report)
    assert re.search(r"\nSRAM +1 +[\d.]+ KiB \([\d.]+%\) +\d+ +64\.00 KiB +", report)
    weights = f"{compilation.network.weights_bytes / 1024:.2f} KiB"
    assert re.search(rf"\nweights_array +2 +{weights} \(100\.0%\) +4 +{weights} +", report)
    assert re.search(r"\n\d+ +image_output +144/144 +user/external +s8 +/input\n", report)
    used = len(compilation.plan.used_pools)
    assert f"({used} segment{'s' if used > 1 else ''})" in _line(report, "activations (rw)")


def test_float_inputs_and_outputs_show_no_quantization(tmp_path: Path) -> None:
    """ST prints a float input as 'f32(...), N Bytes'; no QLinear(0.000000000,0,float32)."""
    b = ModelBuilder()
    x = b.input("x", (1, 2, 3), dtype=np.float32)
    q = b.tensor("q", (1, 2, 3), scale=0.02, zero_point=5)
    b.op("QUANTIZE", [x], [q])
    y = b.tensor("y", (1, 2, 3), dtype=np.float32)
    b.op("DEQUANTIZE", [q], [y])
    b.output(y, q)
    report = compile_bytes(b.build(), tmp_path).report
    assert _line(report, "input 1/1").endswith("'x', float32(1x2x3), 24 Bytes, activations")
    assert _line(report, "output 1/2").endswith("'y', float32(1x2x3), 24 Bytes, activations")
    assert "QLinear(0.020000000,5,int8)" in _line(report, "output 2/2")


def _pool_rows(report: str) -> dict[str, list[str]]:
    """The memory-pools summary's rows by pool name: [id, used, buffer#, size, segment]."""
    section = report.split("Memory-pools summary", 1)[1].split("\n\n", 1)[0]
    return {m[1]: [m[2], m[3], m[4], m[5], m[6]] for m in re.finditer(
        r"^(\w+) +(\d+) +([\d.]+ KiB \([\d.]+%\)) +(\d+) +([\d.]+ KiB) +(.+?) *$", section,
        re.M)}


def test_pools_summary_gives_each_pool_its_use_size_and_segment(tmp_path: Path) -> None:
    """A small fast pool, a large one at a fixed address and a spare one: the demo's 1,600 B
    plan takes the first two; the spare is listed as unused, the weights close the table."""
    pools = [{"name": "DTCMRAM", "prop": {"throughput": "HIGH", "latency": "LOW"},
              "size": {"value": "1", "magnitude": "KBYTES"}},
             {"name": "SRAM1", "prop": {"throughput": "HIGH", "latency": "MID"},
              "size": {"value": "368", "magnitude": "KBYTES"},
              "offset": {"value": "0x20020000", "magnitude": "BYTES"}},
             {"name": "SRAM2", "prop": {"throughput": "MID", "latency": "MID"},
              "size": {"value": "16", "magnitude": "KBYTES"}}]
    pool_file = tmp_path / "pools.json"
    pool_file.write_text(json.dumps({"memory": {"mempools": pools}}))
    demo = Path(__file__).resolve().parents[2] / "models" / "quantized_model.tflite"
    compilation = compile_model(demo, Options(memory_pool=str(pool_file)), "generate")
    plan = compilation.plan
    fast, big = plan.used_bytes(0), plan.used_bytes(1)
    assert fast + big == plan.activations_bytes and 0 < fast <= 1024 and big > 0
    buffers = [sum(a.pool == p for a in plan.allocations.values()) for p in (0, 1)]
    weights = compilation.network.weights_bytes
    assert _pool_rows(compilation.report) == {
        "DTCMRAM": ["0", f"{fast / 1024:.2f} KiB ({100 * fast / 1024:.1f}%)", str(buffers[0]),
                    "1.00 KiB", "activations[0]"],
        "SRAM1": ["1", f"{big / 1024:.2f} KiB ({100 * big / (368 * 1024):.1f}%)",
                  str(buffers[1]), "368.00 KiB", "fixed at 0x20020000"],
        "SRAM2": ["2", "0.00 KiB (0.0%)", "0", "16.00 KiB", "unused"],
        "weights_array": ["3", f"{weights / 1024:.2f} KiB (100.0%)", "8",
                          f"{weights / 1024:.2f} KiB", "weights (flash)"],
    }
    assert sum(buffers) == len(plan.allocations)
    assert "(2 segments)" in _line(compilation.report, "activations (rw)")


def test_default_pool_is_as_large_as_the_plan(small_compilation: Compilation) -> None:
    used = small_compilation.plan.activations_bytes
    assert _pool_rows(small_compilation.report)["POOL_0_RAM"][1:4:2] == [
        f"{used / 1024:.2f} KiB (100.0%)", f"{used / 1024:.2f} KiB"]
