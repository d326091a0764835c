"""What a user chooses for one generation, with its defaults, file names and CLI spelling.

Defined once here: the CLI, the SCons tool, the cache and the tests all read these names,
so a default or a flag is never spelled twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from edgeai_tool.errors import EdgeAIError

# ST's series names (the generated C is portable; the name reaches <name>_config.h and the
# report), plus the QEMU Cortex-M7 and Cortex-M4 machines and the build host.
TARGETS = ("stm32c0", "stm32f0", "stm32f1", "stm32f2", "stm32f3", "stm32f4", "stm32f7",
           "stm32g0", "stm32g4", "stm32h5", "stm32h7", "stm32l0", "stm32l1", "stm32l4",
           "stm32l5", "stm32n6", "stm32u0", "stm32u3", "stm32u5", "stm32wb", "stm32wba",
           "stm32wl", "qemu-m7", "qemu-m4", "host")
DEFAULT_TARGET = "stm32f7"
OPTIMIZATIONS = ("time", "ram", "balanced")
DEFAULT_OPTIMIZATION = "balanced"
DEFAULT_NAME = "network"

# The C files `generate` writes for a network called NAME, then the two report files.
C_FILE_PATTERNS = ("{name}.h", "{name}.c", "{name}_data.h", "{name}_data.c",
                   "{name}_data_params.h", "{name}_data_params.c", "{name}_config.h")
REPORT_FILE_PATTERNS = ("{name}_generate_report.txt", "{name}_c_info.json")


def output_files(name: str) -> list[str]:
    """Every file `edgeai generate -n NAME` writes, C files first."""
    return [pattern.format(name=name) for pattern in (*C_FILE_PATTERNS, *REPORT_FILE_PATTERNS)]


@dataclass(frozen=True)
class Options:
    """What the user chose; every field enters the generated files or the report."""

    name: str = DEFAULT_NAME
    target: str = DEFAULT_TARGET
    optimization: str = DEFAULT_OPTIMIZATION
    memory_pool: str | None = None
    allocate_inputs: bool = True
    allocate_outputs: bool = True

    def validate(self) -> None:
        if not self.name.isidentifier() or not self.name.isascii():
            raise EdgeAIError(f"--name {self.name!r} is not a C identifier")
        if self.target not in TARGETS:
            raise EdgeAIError(f"--target {self.target!r} is not one of {', '.join(TARGETS)}")
        if self.optimization not in OPTIMIZATIONS:
            raise EdgeAIError(
                f"-O {self.optimization!r} is not one of {', '.join(OPTIMIZATIONS)}")

    def generate_arguments(self, model: str, pools: str | None = None,
                           output: str | None = None) -> list[str]:
        """The `edgeai generate` arguments that ask for these options."""
        args = ["generate", "--model", model, "--name", self.name, "--target", self.target]
        if pools:
            args += ["--memory-pool", pools]
        args += ["-O", self.optimization]
        args += [] if self.allocate_inputs else ["--no-inputs-allocation"]
        args += [] if self.allocate_outputs else ["--no-outputs-allocation"]
        return args + (["-o", output] if output else [])
