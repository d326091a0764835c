"""Build a compiled network into a native executable and run it on many samples."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from edgeai_tool.compilation import Compilation
from edgeai_tool.compiler import write_files
from edgeai_tool.errors import EdgeAIError
from edgeai_tool.runtime import runtime_dir

STRICT_CFLAGS = ("-std=c99", "-Wall", "-Wextra", "-Werror", "-O2")
SANITIZE_CFLAGS = ("-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g")
_NP_TYPES = {"int8_t": np.int8, "uint8_t": np.uint8, "int16_t": np.int16,
             "int32_t": np.int32, "float": np.float32}


class HostNetwork:
    """A compiled network built with the host's gcc; use as a context manager."""

    def __init__(self, compilation: Compilation, sanitize: bool = False,
                 compiler: str = "gcc") -> None:
        self.compilation = compilation
        self.sanitize = sanitize
        self.compiler = compiler
        self._workdir: Path | None = None
        self.executable: Path | None = None

    def __enter__(self) -> HostNetwork:
        self._workdir = Path(tempfile.mkdtemp(prefix="edgeai-validate-"))
        self.executable = self._build(self._workdir)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)

    def _build(self, workdir: Path) -> Path:
        if shutil.which(self.compiler) is None:
            raise EdgeAIError(
                f"validate --mode host needs a C compiler: '{self.compiler}' not found")
        fixed = [pool.name for pool in self.compilation.network.pools if not pool.runtime]
        if fixed:
            raise EdgeAIError(
                f"validate --mode host cannot run a plan with fixed-address pools "
                f"({', '.join(fixed)}): give those pools offset 0 in the pool file to validate")
        generated = workdir / "generated"
        write_files(self.compilation.files, generated)
        network = self.compilation.network
        pool_sizes = [pool.size for pool in network.pools] or [0]
        defines = [
            f"-DNET={network.name}",
            f"-DNET_HEADER=\"{network.name}.h\"",
            f"-DHARNESS_POOL_SIZES={','.join(map(str, pool_sizes))}",
            f"-DHARNESS_INPUT_SIZES={','.join(str(io.size_bytes) for io in network.inputs)}",
            f"-DHARNESS_OUTPUT_SIZES={','.join(str(io.size_bytes) for io in network.outputs)}",
            *(["-DHARNESS_HAS_STATE"] if network.state_bytes else []),
        ]
        sources = [*sorted(generated.glob("*.c")), *sorted(runtime_dir().glob("*.c")),
                   Path(__file__).with_name("harness.c")]
        flags = [*STRICT_CFLAGS, *(SANITIZE_CFLAGS if self.sanitize else ())]
        executable = workdir / "network"
        command = [self.compiler, *flags, *defines, f"-I{generated}", f"-I{runtime_dir()}",
                   *map(str, sources), "-o", str(executable), "-lm"]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise EdgeAIError(f"the generated C does not compile: {_first_line(result.stderr)}")
        return executable

    def run(self, inputs: list[np.ndarray], reset_every: int = 0) -> list[np.ndarray]:
        """Run every sample, in order, as one sequence of runs (state carries over);
        `inputs[k]` holds input k for all samples, shape (N, ...). With `reset_every` > 0,
        a network with state is reset before every `reset_every`-th sample."""
        assert self.executable is not None, "use HostNetwork as a context manager"
        network = self.compilation.network
        count = len(inputs[0])
        per_sample = samples_by_input(inputs, network.inputs)
        stream = b"".join(b"".join(x[i].tobytes() for x in per_sample) for i in range(count))
        arguments = [str(reset_every)] if reset_every and network.state_bytes else []
        result = subprocess.run([str(self.executable), *arguments], input=stream,
                                capture_output=True, check=False)
        if result.returncode != 0:
            raise EdgeAIError(
                f"the generated C failed at run time (exit {result.returncode}): "
                f"{_first_line(result.stderr.decode(errors='replace'))}")
        return _split_outputs(result.stdout, network.outputs, count)


def samples_by_input(inputs: list[np.ndarray], ios: list) -> list[np.ndarray]:
    """Input k's samples as an [N, elements] array of its C type, for every input k."""
    count = len(inputs[0])
    return [np.ascontiguousarray(x, dtype=_NP_TYPES[io.ctype]).reshape(count, -1)
            for x, io in zip(inputs, ios, strict=True)]


def _split_outputs(raw: bytes, outputs: list, count: int) -> list[np.ndarray]:
    sample_bytes = sum(io.size_bytes for io in outputs)
    if len(raw) != sample_bytes * count:
        raise EdgeAIError(
            f"the generated C wrote {len(raw)} bytes, expected {sample_bytes * count}")
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(count, sample_bytes)
    results, start = [], 0
    for io in outputs:
        chunk = rows[:, start:start + io.size_bytes].copy()
        results.append(chunk.view(_NP_TYPES[io.ctype]).reshape(count, *io.shape[1:]))
        start += io.size_bytes
    return results


def _first_line(text: str) -> str:
    lines = [line for line in text.splitlines() if "error" in line] or text.splitlines() or [""]
    return lines[0].strip()
