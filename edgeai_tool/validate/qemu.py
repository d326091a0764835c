"""Run a compiled network on a Cortex-M7 in QEMU (mps2-an500), for `validate --mode qemu-m7`.

The generated C and the runtime are built once with arm-none-eabi-gcc (the flags of the
`qemu-m7` firmware target: Cortex-M7, hard float, -O2) into a library; each run links it
with the harness in `qemu_harness/` (vector table, linker script, a main that prints each
sample's outputs as hex over semihosting) and the samples, embedded in flash with
`.incbin`. Samples are split into chunks so each image fits the machine's 4 MiB of flash;
chunks run in parallel QEMU processes. The outputs come back like `HostNetwork.run`'s.

    with QemuNetwork(compilation) as network:
        outputs = network.run(inputs)      # list of arrays (N, ...), one per output
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from edgeai_tool.compilation import Compilation
from edgeai_tool.compiler import write_files
from edgeai_tool.errors import EdgeAIError
from edgeai_tool.runtime import runtime_dir
from edgeai_tool.validate.host import _first_line, _split_outputs, samples_by_input

HARNESS = Path(__file__).with_name("qemu_harness")
MACHINE = "mps2-an500"
CPU_FLAGS = ("-mcpu=cortex-m7", "-mthumb", "-mfpu=fpv5-d16", "-mfloat-abi=hard")
CFLAGS = ("-std=c99", "-O2", "-Wall", "-ffunction-sections", "-fdata-sections")
FLASH_BYTES = 4 * 2**20
CODE_ALLOWANCE = 512 * 2**10  # code, runtime, tables: what flash holds besides samples+weights


class QemuNetwork:
    """A compiled network built for QEMU mps2-an500 (Cortex-M7); use as a context manager.

    `toolchain_prefix` and `qemu` name the programs; `timeout` bounds each QEMU run in
    seconds; `jobs` is how many QEMU processes run at once (default: the CPU count)."""

    def __init__(self, compilation: Compilation, *, toolchain_prefix: str = "arm-none-eabi-",
                 qemu: str = "qemu-system-arm", timeout: float = 600.0,
                 jobs: int | None = None) -> None:
        self.compilation = compilation
        self.gcc = toolchain_prefix + "gcc"
        self.ar = toolchain_prefix + "ar"
        self.qemu = qemu
        self.timeout = timeout
        self.jobs = jobs or os.cpu_count() or 1
        self._workdir: Path | None = None
        self._library: Path | None = None
        self._defines: list[str] = []

    def __enter__(self) -> QemuNetwork:
        for program, package in ((self.gcc, "gcc-arm-none-eabi libnewlib-arm-none-eabi"),
                                 (self.qemu, "qemu-system-arm")):
            if shutil.which(program) is None:
                raise EdgeAIError(f"validate --mode qemu-m7 needs '{program}' "
                                  f"(Debian/Ubuntu: apt install {package})")
        self._workdir = Path(tempfile.mkdtemp(prefix="edgeai-qemu-"))
        try:
            self._library = self._build_library(self._workdir)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    # ---- build ---------------------------------------------------------------------------

    def _compile(self, source: Path, obj: Path, extra: list[str]) -> None:
        self._check([self.gcc, *CPU_FLAGS, *CFLAGS, *extra, "-c", str(source), "-o", str(obj)],
                    "the generated C does not compile for the Cortex-M7")

    def _build_library(self, workdir: Path) -> Path:
        generated = workdir / "generated"
        write_files(self.compilation.files, generated)
        network = self.compilation.network
        pools = [pool.size for pool in network.pools] or [0]
        self._defines = [
            f"-DNET={network.name}",
            f"-DNET_HEADER=\"{network.name}.h\"",
            f"-DHARNESS_POOL_SIZES={','.join(map(str, pools))}",
            f"-DHARNESS_ARENA_BYTES={sum((size + 31) // 32 * 32 for size in pools)}u",
            f"-DHARNESS_INPUT_SIZES={','.join(str(io.size_bytes) for io in network.inputs)}",
            f"-DHARNESS_OUTPUT_SIZES={','.join(str(io.size_bytes) for io in network.outputs)}",
            f"-DHARNESS_OUTPUT_BYTES={sum(io.size_bytes for io in network.outputs)}",
            f"-I{generated}", f"-I{runtime_dir()}",
        ]
        sources = [*sorted(generated.glob("*.c")), *sorted(runtime_dir().glob("*.c")),
                   HARNESS / "startup.c", HARNESS / "harness.c"]
        objects = [workdir / "obj" / f"{i:03d}_{src.stem}.o" for i, src in enumerate(sources)]
        objects[0].parent.mkdir()
        with ThreadPoolExecutor(self.jobs) as pool:
            list(pool.map(lambda pair: self._compile(*pair, self._defines),
                          zip(sources, objects, strict=True)))
        library = workdir / "libnetwork.a"
        self._check([self.ar, "rcs", str(library), *map(str, objects)], "ar failed")
        return library

    def _link(self, chunk_dir: Path) -> Path:
        samples_obj = chunk_dir / "samples.o"
        self._check([self.gcc, *CPU_FLAGS, f"-DHARNESS_SAMPLES_FILE=\"{chunk_dir}/samples.bin\"",
                     "-c", str(HARNESS / "samples.S"), "-o", str(samples_obj)],
                    "cannot embed the samples")
        elf = chunk_dir / "network.elf"
        # The library's harness holds main and the vector table: pull them in whole.
        self._check([self.gcc, *CPU_FLAGS, "-nostartfiles", "--specs=nano.specs",
                     "--specs=nosys.specs", "-Wl,--gc-sections",
                     f"-T{HARNESS / 'mps2_an500.ld'}", "-Wl,--undefined=vector_table",
                     str(samples_obj), str(self._library), "-o", str(elf)],
                    "the Cortex-M7 image does not link (too large for mps2-an500?)")
        return elf

    def _check(self, command: list[str], what: str) -> None:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise EdgeAIError(f"{what}: {_first_line(result.stderr)}")

    # ---- run -----------------------------------------------------------------------------

    def samples_per_image(self) -> int:
        """How many samples one 4 MiB image holds next to the weights and code."""
        network = self.compilation.network
        sample_bytes = sum(io.size_bytes for io in network.inputs)
        room = FLASH_BYTES - CODE_ALLOWANCE - network.weights_bytes
        if room < sample_bytes:
            raise EdgeAIError(f"validate --mode qemu-m7: {network.weights_bytes:,} B of weights "
                              f"leave no room for samples in mps2-an500's 4 MiB of flash")
        return room // sample_bytes

    def run(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        """Run every sample; `inputs[k]` holds input k for all samples, shape (N, ...)."""
        assert self._workdir is not None, "use QemuNetwork as a context manager"
        network = self.compilation.network
        count = len(inputs[0])
        rows = np.concatenate([x.view(np.uint8) for x in samples_by_input(inputs, network.inputs)],
                              axis=1)
        size = self.samples_per_image()
        # Even chunks, at least as many as QEMU processes when there are enough samples.
        chunks = max(-(-count // size), min(self.jobs, count // 64), 1)
        if network.state_bytes:  # the samples are one sequence: one QEMU run, in order
            if count > size:
                raise EdgeAIError(f"validate --mode qemu-m7: a network with state runs its "
                                  f"samples as one sequence, at most {size} in one image")
            chunks = 1
        bounds = np.linspace(0, count, chunks + 1).astype(int)
        runs = self._workdir / f"run{len(list(self._workdir.glob('run*')))}"
        work = []
        for i, (start, stop) in enumerate(itertools.pairwise(bounds)):
            chunk_dir = runs / f"chunk{i}"
            chunk_dir.mkdir(parents=True)
            (chunk_dir / "samples.bin").write_bytes(rows[start:stop].tobytes())
            work.append((chunk_dir, stop - start))
        with ThreadPoolExecutor(self.jobs) as pool:
            raw = b"".join(pool.map(lambda job: self._run_chunk(*job), work))
        shutil.rmtree(runs, ignore_errors=True)
        return _split_outputs(raw, network.outputs, count)

    def _run_chunk(self, chunk_dir: Path, count: int) -> bytes:
        elf = self._link(chunk_dir)
        command = [self.qemu, "-M", MACHINE, "-nographic", "-monitor", "none", "-serial",
                   "none", "-semihosting-config", "enable=on,target=native", "-kernel", str(elf)]
        try:
            result = subprocess.run(command, capture_output=True, text=True, check=False,
                                    timeout=self.timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise EdgeAIError(f"QEMU still running after {self.timeout:g} s on {count} samples; "
                              "stopped") from None
        # QEMU writes the semihosting console (SYS_WRITE0) to its stderr.
        lines = (result.stderr + result.stdout).splitlines()
        outputs = [line[2:] for line in lines if line.startswith("O:")]
        if result.returncode != 0 or "END" not in lines or len(outputs) != count:
            problem = next((line for line in lines if line.startswith(("ERROR", "FAULT"))),
                           f"exit status {result.returncode}")
            raise EdgeAIError(f"the generated C failed under QEMU {MACHINE}: {problem} "
                              f"({len(outputs)} of {count} samples done)")
        return bytes.fromhex("".join(outputs))


def run_qemu(compilation: Compilation, inputs: list[np.ndarray], **options: object) -> list[
        np.ndarray]:
    """One-shot `QemuNetwork(compilation, **options).run(inputs)`."""
    with QemuNetwork(compilation, **options) as network:  # type: ignore[arg-type]
        return network.run(inputs)
