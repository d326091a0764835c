"""X-CUBE-AI's legacy client API (`ai_<name>_*`) over the compiled network.

`--c-api legacy` appends ST's declarations to `<name>.h` and their definitions to
`<name>.c`: thin functions over `<name>_init/_input/_output/_run`, so the network is
compiled once and both APIs run the same code. Decisions are made here; the templates
`network_legacy.*.j2` only lay the text out.
"""

from __future__ import annotations

from dataclasses import dataclass

from edgeai_tool.codegen.emit import CIo, CNetwork

# C element type of an I/O buffer -> ST's buffer format macro.
FORMATS = {"int8_t": "AI_BUFFER_FORMAT_S8", "uint8_t": "AI_BUFFER_FORMAT_U8",
           "int16_t": "AI_BUFFER_FORMAT_S16", "int32_t": "AI_BUFFER_FORMAT_S32",
           "float": "AI_BUFFER_FORMAT_FLOAT"}


@dataclass
class LegacyIo:
    """One input or output as an `ai_buffer`: format, items per batch, BCWH shape."""

    role: str  # "in" or "out", as in ST's macro names
    number: int  # 1-based
    format: str
    size: int
    shape_bcwh: tuple[int, int, int, int]
    quant_symbol: str  # prefix of the scale/zero point constants, "" for a float buffer
    meta: str  # C expression of its ai_buffer_meta_info pointer (NULL for a float buffer)

    @property
    def symbol(self) -> str:
        return f"{self.role}_{self.number}"


@dataclass
class LegacyApi:
    """What the legacy templates need beyond the network itself."""

    inputs: list[LegacyIo]
    outputs: list[LegacyIo]
    n_macc: int
    version: tuple[int, int, int]
    pool_slots: int  # activation buffers init() takes: one per pool, at least one

    @property
    def ios(self) -> list[LegacyIo]:
        return [*self.inputs, *self.outputs]

    @property
    def version_c(self) -> str:
        """The edgeai version as an ai_platform_version initializer."""
        return "{ " + ", ".join(f"{part}u" for part in (*self.version, 0)) + " }"


def legacy_api(network: CNetwork, macc: int) -> LegacyApi:
    """The legacy API's view of `network`; `macc` is the sum over its C layers."""
    return LegacyApi(
        inputs=[_io(network.name, "in", io) for io in network.inputs],
        outputs=[_io(network.name, "out", io) for io in network.outputs],
        n_macc=macc,
        version=_version(network.version),
        pool_slots=max(1, len(network.pools)),
    )


def _io(name: str, role: str, io: CIo) -> LegacyIo:
    quantized = io.ctype != "float"
    direction = "input" if role == "in" else "output"
    return LegacyIo(role=role, number=io.number, format=FORMATS[io.ctype], size=io.size,
                    shape_bcwh=bcwh(io.shape),
                    quant_symbol=f"{name}_{direction}_{io.number}" if quantized else "",
                    meta=f"&ai_{name}_{role}_{io.number}_meta" if quantized else "NULL")


def bcwh(shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """ST's (batch, channel, width, height) of an NHWC-style shape; middle dimensions
    beyond height and width fold into the height."""
    if not shape:
        return (1, 1, 1, 1)
    batch, *middle, channel = shape if len(shape) > 1 else (1, *shape)
    width = middle[-1] if len(middle) >= 2 else 1
    height = 1
    for dim in middle[:-1] if len(middle) >= 2 else middle:
        height *= dim
    return (batch, channel, width, height)


def _version(text: str) -> tuple[int, int, int]:
    numbers = [int(part) if part.isdigit() else 0 for part in text.split(".")[:3]]
    major, minor, micro = [*numbers, 0, 0, 0][:3]
    return (major, minor, micro)
