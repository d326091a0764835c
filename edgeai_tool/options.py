"""What a user chooses for one generation, with its defaults, file names and CLI spelling.

Defined once here: the CLI, the SCons tool, the cache and the tests all read these names,
so a default or a flag is never spelled twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from edgeai_tool.errors import EdgeAIError
from edgeai_tool.st_options import COMPRESSIONS, DATA_TYPES

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
# C APIs of the generated network: `edgeai` is the contract API alone (`<name>_init/_run`);
# `legacy` adds X-CUBE-AI's `ai_<name>_*` over it, the default for STM32 series as with ST.
C_APIS = ("legacy", "edgeai")


def default_c_api(target: str) -> str:
    return "legacy" if target.startswith("stm32") else "edgeai"

# The C files `generate` writes for a network called NAME, then the report files.
C_FILE_PATTERNS = ("{name}.h", "{name}.c", "{name}_data.h", "{name}_data.c",
                   "{name}_data_params.h", "{name}_data_params.c", "{name}_config.h")
REPORT_FILE_PATTERNS = ("{name}_generate_report.txt", "{name}_c_info.json", "{name}_memory.svg")


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
    c_api: str = ""  # "" = the target's default (default_c_api)
    compression: str = "none"  # ST's -c: none and lossless are exact, the only form edgeai has
    split_weights: bool = False  # ST's --split-weights: edgeai always writes one array per tensor
    input_data_type: str = ""  # "" = the model's; float32 adds QUANTIZE at the inputs
    output_data_type: str = ""  # "" = the model's; float32 adds DEQUANTIZE at the outputs

    @property
    def legacy_api(self) -> bool:
        return (self.c_api or default_c_api(self.target)) == "legacy"

    def validate(self) -> None:
        if not self.name.isidentifier() or not self.name.isascii():
            raise EdgeAIError(f"--name {self.name!r} is not a C identifier")
        if self.target not in TARGETS:
            raise EdgeAIError(f"--target {self.target!r} is not one of {', '.join(TARGETS)}")
        if self.optimization not in OPTIMIZATIONS:
            raise EdgeAIError(
                f"-O {self.optimization!r} is not one of {', '.join(OPTIMIZATIONS)}")
        if self.compression not in COMPRESSIONS:
            raise EdgeAIError(f"-c {self.compression!r} is not one of {', '.join(COMPRESSIONS)}")
        for role, asked in (("input", self.input_data_type), ("output", self.output_data_type)):
            if asked and asked not in DATA_TYPES:
                raise EdgeAIError(f"--{role}-data-type {asked!r} is not one of "
                                  f"{', '.join(DATA_TYPES)}")
        if self.c_api == "st-ai":
            raise EdgeAIError("--c-api st-ai is not supported: use legacy (X-CUBE-AI's "
                              "ai_<name>_* API) or edgeai (<name>_init/_run only)")
        if self.c_api and self.c_api not in C_APIS:
            raise EdgeAIError(f"--c-api {self.c_api!r} is not one of {', '.join(C_APIS)}")

    def generate_arguments(self, model: str, pools: str | None = None,
                           output: str | None = None) -> list[str]:
        """The `edgeai generate` arguments that ask for these options."""
        args = ["generate", "--model", model, "--name", self.name, "--target", self.target]
        if pools:
            args += ["--memory-pool", pools]
        args += ["-O", self.optimization]
        args += [] if self.allocate_inputs else ["--no-inputs-allocation"]
        args += [] if self.allocate_outputs else ["--no-outputs-allocation"]
        args += ["--c-api", self.c_api] if self.c_api else []
        args += ["-c", self.compression] if self.compression != "none" else []
        args += ["--split-weights"] if self.split_weights else []
        args += ["--input-data-type", self.input_data_type] if self.input_data_type else []
        args += ["--output-data-type", self.output_data_type] if self.output_data_type else []
        return args + (["-o", output] if output else [])
