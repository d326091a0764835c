"""Build and run C programs written against X-CUBE-AI's legacy API (host and QEMU)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np

from edgeai_tool.boards import BOARDS_DIR, board
from edgeai_tool.boards.info import write_board_files
from edgeai_tool.cli import _options as cli_options
from edgeai_tool.cli import build_parser
from edgeai_tool.compiler import compile_model, write_files
from edgeai_tool.runtime import runtime_files

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "st-legacy"
MODEL = REPO / "models" / "quantized_model.tflite"
STRICT = ("-std=c99", "-Wall", "-Wextra", "-Werror", "-O1")
SANITIZE = ("-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g")
CORTEX_M7 = ("-mcpu=cortex-m7", "-mthumb", "-mfpu=fpv5-d16", "-mfloat-abi=hard")


def generate(directory: Path, *options: str, model: Path = MODEL) -> tuple[Path, Path]:
    """The C files of `edgeai generate [options]` and `edgeai runtime` in DIRECTORY/generated
    and /runtime (the CLI's options, compiled in-process without the report's size
    measurement, which the C does not depend on)."""
    generated, runtime = directory / "generated", directory / "runtime"
    args = build_parser().parse_args(["generate", "-m", str(model), "-o", str(generated),
                                      *options])
    write_files(compile_model(model, cli_options(args)).files, generated)
    write_files(runtime_files(), runtime)
    return generated, runtime


def write_samples(directory: Path, samples: np.ndarray) -> None:
    """app_samples.h: float samples as exact hexadecimal literals."""
    rows = [", ".join(float.hex(float(v)) + "f" for v in sample.reshape(-1).astype(np.float32))
            for sample in samples]
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "app_samples.h").write_text(
        f"#define APP_SAMPLES_COUNT {len(samples)}\n"
        f"static const float app_samples[APP_SAMPLES_COUNT][{samples[0].size}] = {{\n"
        + "".join(f"    {{{row}}},\n" for row in rows) + "};\n")


def build_host(sources: list[Path], includes: list[Path], executable: Path,
               defines: tuple[str, ...] = ()) -> Path:
    """gcc -std=c99 -Wall -Wextra -Werror under ASan/UBSan; fails the test on any warning."""
    command = ["gcc", *STRICT, *SANITIZE, *defines, *(f"-I{d}" for d in includes),
               *map(str, sources), "-o", str(executable), "-lm"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return executable


def run(command: list[str], timeout: float = 120) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False,
                            timeout=timeout, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def example_sources(generated: Path, runtime: Path) -> list[Path]:
    return [EXAMPLE / "app.c", *sorted(generated.glob("*.c")), *sorted(runtime.glob("*.c"))]


def hex_lines(output: str, label: str, dtype: type) -> np.ndarray:
    """The `label: <hex>` lines the example prints, one row per sample."""
    rows = [bytes.fromhex(line.split(": ", 1)[1]) for line in output.splitlines()
            if line.startswith(f"{label}: ")]
    return np.stack([np.frombuffer(row, dtype=dtype) for row in rows])


def missing_cross_tools() -> list[str]:
    return [tool for tool in ("arm-none-eabi-gcc", "qemu-system-arm") if shutil.which(tool) is None]


def build_qemu(sources: list[Path], includes: list[Path], elf: Path) -> Path:
    """The same sources for QEMU mps2-an500 (Cortex-M7) with the package's board support
    (its data file gives the flags, sources and linker script); stdio goes over
    semihosting."""
    qemu = board("qemu-m7")
    generated = write_board_files(qemu, elf.parent / "board")[0].parent
    console = REPO / "tests" / "legacy" / "qemu_console.c"
    support = [BOARDS_DIR / source for source in qemu.sources()
               if source.startswith("cortex_m/") or source.endswith("board.c")]
    command = ["arm-none-eabi-gcc", *qemu.machine_flags(), *STRICT[:-1], "-O2",
               "-ffunction-sections", "-fdata-sections",
               *(f"-I{d}" for d in (*includes, generated, BOARDS_DIR, BOARDS_DIR / "cortex_m",
                                    BOARDS_DIR / qemu.support)),
               *map(str, (*sources, *support, console)), "-nostartfiles", *qemu.specs_flags(),
               "-Wl,--gc-sections", f"-L{BOARDS_DIR / 'cortex_m'}",
               f"-T{generated / 'board.ld'}", "-o", str(elf)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return elf


def run_qemu(elf: Path) -> str:
    return run(["qemu-system-arm", "-M", "mps2-an500", "-nographic", "-monitor", "none",
                "-serial", "none", "-semihosting-config", "enable=on,target=native",
                "-kernel", str(elf)], timeout=300)
