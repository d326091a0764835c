"""Emit stage: lowered layers + memory plan -> the seven C files of a network.

Every decision is made here, in Python; the templates only lay the text out.
Numbers that change when a model is retrained (weights, biases, zero points,
multipliers, clamps) go to `<name>_data_params.c`; shapes, offsets and calls go to
`<name>.c`, so a retrained model of the same architecture rewrites only data files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import jinja2
import numpy as np

from edgeai_tool import __version__
from edgeai_tool.codegen.cformat import c_array_lines, c_identifier, c_struct_fields
from edgeai_tool.codegen.layers.base import Buffer, BufferAt, LayerCode
from edgeai_tool.ir import Graph, Tensor
from edgeai_tool.memory import MemoryPlan
from edgeai_tool.memory.mempools import POOL_SECTION_PREFIX

C_TYPES = {"int8": "int8_t", "uint8": "uint8_t", "int16": "int16_t", "int32": "int32_t",
           "int64": "int64_t", "float32": "float"}


@dataclass
class CParams:
    """A const params struct (a layer's structure) as the templates see it."""

    ctype: str
    symbol: str
    fields: list[str]


@dataclass
class CLayer:
    """One kernel call as the templates see it (every field already C text)."""

    name: str
    kernel: str
    params: str  # the address of its params struct
    data_type: str
    data_symbol: str
    call_args: list[str]


@dataclass
class CStage:
    """A patched stage as the templates see it: its layers' calls in one loop over the
    bands, each band's params structs and moving argument offsets read from its row (a
    `<name>_band` struct) of the const table `<name>_bands`."""

    name: str
    fields: list[str]  # the row struct's members, declarations without the `;`
    rows: list[list[str]]  # one per band: its members' initialisers, `.member = value`
    calls: list[CLayer]

    @property
    def row_type(self) -> str:
        return f"{self.name}_band"

    @property
    def table(self) -> str:
        return f"{self.name}_bands"


@dataclass
class CArrayText:
    symbol: str
    ctype: str
    count: int
    lines: list[str]


@dataclass
class CDataStruct:
    ctype: str
    symbol: str
    fields: list[str]


@dataclass
class CIo:
    """An input or output of the network: where its buffer is and what it holds."""

    number: int  # 1-based, as in ST's macro names
    name: str
    ctype: str
    size: int
    size_bytes: int
    shape: tuple[int, ...]
    scale: float
    zero_point: int
    location: str  # C expression of the buffer's address
    in_activations: bool

    @property
    def spatial(self) -> tuple[int, int] | None:
        """(height, width) of an NHWC image input or output, else None."""
        return (self.shape[1], self.shape[2]) if len(self.shape) == 4 else None

    @property
    def channel(self) -> int:
        return self.shape[-1] if self.shape else 1

    @property
    def shape_text(self) -> str:
        return "x".join(map(str, self.shape)) or "scalar"

    @property
    def scale_text(self) -> str:
        """The float32 scale as a C literal that reads back to the same float."""
        return f"{float(np.float32(self.scale)):#.9g}f"


@dataclass
class CStateFill:
    """One variable tensor's bytes in the state region and the byte its reset writes."""

    name: str
    offset: int
    size: int
    value: int  # TFLite Micro resets int8 state to its zero point, other types to 0


@dataclass
class CPool:
    number: int
    name: str
    size: int
    base: str  # C expression: the run-time base pointer or a fixed address
    runtime: bool  # True when the application passes the base to <name>_init()
    address: int = 0  # the pool file's fixed address; 0 when the application supplies it

    @property
    def section(self) -> str:
        """The linker section the application's buffer for this pool goes in: the board's
        linker script places `.edgeai_pool_<name>` in the RAM region of that name."""
        return f"{POOL_SECTION_PREFIX}{self.name}"


@dataclass
class CNetwork:
    name: str
    upper: str
    model_name: str
    version: str
    target: str
    optimization: str
    headers: list[str]
    pools: list[CPool]
    inputs: list[CIo]
    outputs: list[CIo]
    params: list[CParams]
    steps: list[CLayer | CStage]  # <name>_run()'s calls, in order
    arrays: list[CArrayText]
    data_structs: list[CDataStruct]
    weights_bytes: int  # weights and biases, as ST counts them (not requantization data)
    activations_bytes: int
    external_buffers: list[CIo] = field(default_factory=list)
    run_pools: list[CPool] = field(default_factory=list)  # bound to `pool<n>` in <name>_run()
    state_bytes: int = 0  # the variable tensors' region, kept across runs
    state_fills: list[CStateFill] = field(default_factory=list)

    @property
    def runtime_pools(self) -> list[CPool]:
        return [pool for pool in self.pools if pool.runtime]

    @property
    def calls(self) -> list[CLayer]:
        """The kernel calls written in <name>_run(), a stage's once."""
        return [call for step in self.steps
                for call in (step.calls if isinstance(step, CStage) else [step])]


def layer_names(graph: Graph) -> list[str]:
    """Stable C names for the scheduled ops: `<kind>_<index of the first original op>`."""
    return [f"{_KIND_NAMES.get(op.kind, op.kind.lower())}_{op.origin[0]}" for op in graph.ops]


_KIND_NAMES = {
    "CONV_2D": "conv2d", "DEPTHWISE_CONV_2D": "dwconv2d", "FULLY_CONNECTED": "dense",
    "MAX_POOL_2D": "maxpool", "AVERAGE_POOL_2D": "avgpool",
}


def build_network(graph: Graph, layers: list[LayerCode], plan: MemoryPlan, name: str,
                  target: str, optimization: str) -> CNetwork:
    """Assemble everything the templates need, as C text."""
    pools = [CPool(number=i + 1, name=plan.pools[p].name, size=plan.used_bytes(p),
                   base=_pool_base(name, i, plan.pools[p].address),
                   runtime=not plan.pools[p].address, address=plan.pools[p].address)
             for i, p in enumerate(plan.used_pools)]
    pool_numbers = {p: i for i, p in enumerate(plan.used_pools)}
    buffers = _BufferAddresses(graph, plan, pool_numbers, name)
    names = layer_names(graph)
    params: list[CParams] = []
    steps: list[CLayer | CStage] = []
    arrays, structs = [], []
    for step, (layer_name, code) in enumerate(zip(names, layers, strict=True)):
        parts = ([(f"{layer_name}_{sub_name}", sub) for sub_name, sub in code.stage]
                 or [(layer_name, code)])
        texts = [_layer_text(name, part_name, part) for part_name, part in parts]
        for part_arrays, part_struct, _ in texts:
            arrays += part_arrays
            structs += [part_struct] if part_struct else []
        if code.stage:
            steps.append(_band_loop(layer_name, code, [symbols for *_, symbols in texts],
                                    buffers, step, params))
            continue
        params.append(CParams(code.params_type, f"{layer_name}_params",
                              c_struct_fields(code.params, texts[0][2])))
        steps.append(CLayer(
            name=layer_name,
            kernel=code.kernel,
            params=f"&{layer_name}_params",
            data_type=code.data_type,
            data_symbol=f"{name}_{layer_name}_data",
            call_args=[buffers.argument(arg, step) for arg in code.args],
        ))
    inputs = [buffers.io(t, i + 1) for i, t in enumerate(graph.inputs)]
    outputs = [buffers.io(t, i + 1) for i, t in enumerate(graph.outputs)]
    return CNetwork(
        name=name,
        upper=name.upper(),
        model_name=graph.name,
        version=__version__,
        target=target,
        optimization=optimization,
        headers=sorted({part.header for code in layers
                        for part in ([sub for _, sub in code.stage] or [code])}),
        pools=pools,
        inputs=inputs,
        outputs=outputs,
        params=params,
        steps=steps,
        arrays=arrays,
        data_structs=structs,
        weights_bytes=sum(a.nbytes for code in layers for a in code.arrays if a.kind != "quant"),
        activations_bytes=plan.activations_bytes,
        external_buffers=[io for io in (*inputs, *outputs) if not io.in_activations],
        run_pools=[pools[n] for n in sorted(buffers.pools_referenced)],
        state_bytes=plan.state_bytes,
        state_fills=[_state_fill(graph.tensor(t), offset) for t, offset in plan.state.items()],
    )


def _layer_text(name: str, layer_name: str, code: LayerCode
                ) -> tuple[list[CArrayText], CDataStruct | None, dict[str, str]]:
    """A layer's constant arrays and data struct as C text, and its arrays' symbols."""
    symbols = {a.name: f"{name}_{layer_name}_{a.name}" for a in code.arrays}
    arrays = [CArrayText(symbols[a.name], a.ctype, int(a.values.size),
                         c_array_lines(a.values, a.ctype)) for a in code.arrays]
    struct = (CDataStruct(code.data_type, f"{name}_{layer_name}_data",
                          c_struct_fields(code.data, symbols)) if code.data_type else None)
    return arrays, struct, symbols


def _band_loop(stage_name: str, stage: LayerCode, symbols: list[dict[str, str]],
               buffers: _BufferAddresses, step: int, params: list[CParams]) -> CStage:
    """A patched stage as one loop over its bands, each layer called once in it: what
    differs between bands, a layer's structure or an argument's offset, is read from the
    band's row of a const table; the rest is written into the call. Bands with equal
    structures (those between the first and the last) point at one params struct, the
    first's, appended to `params`, so each is in flash once."""
    layers = len(stage.stage)
    bands = [stage.bands[k:k + layers] for k in range(0, len(stage.bands), layers)]
    tensors = {arg.role: arg.tensor for arg in stage.args}
    table = _BandTable(len(bands))
    shared: dict[tuple[str, ...], str] = {}
    calls = []
    for layer, (sub_name, code) in enumerate(stage.stage):
        part_name = f"{stage_name}_{sub_name}"
        structs = [_shared_params(CParams(code.params_type, f"{part_name}_band{k}_params",
                                          c_struct_fields(band[layer].params, symbols[layer])),
                                  shared, params)
                   for k, band in enumerate(bands)]
        # The arguments' members first: the order of the rows' members.
        args = [_band_argument(code, i, [band[layer].args[i] for band in bands], sub_name,
                               tensors, table, buffers, step) for i in range(len(code.args))]
        calls.append(CLayer(
            name=part_name,
            kernel=code.kernel,
            params=table.moving(sub_name, f"const {code.params_type} *", structs) or structs[0],
            data_type=code.data_type,
            data_symbol=f"{buffers.name}_{part_name}_data",
            call_args=args,
        ))
    return CStage(stage_name, *table.c_text(), calls)


def _shared_params(struct: CParams, shared: dict[tuple[str, ...], str],
                   params: list[CParams]) -> str:
    """The address of `struct`, or of an equal one already in `params` (which it joins
    otherwise)."""
    key = (struct.ctype, *struct.fields)
    if key not in shared:
        shared[key] = struct.symbol
        params.append(struct)
    return f"&{shared[key]}"


def _band_argument(code: LayerCode, i: int, places: list[BufferAt], sub_name: str,
                   tensors: dict[str, int], table: _BandTable, buffers: _BufferAddresses,
                   step: int) -> str:
    """Argument i of a stage layer's call in the band loop, at `places` (one per band): its
    offset written into the call when every band has the same, else read from the band's
    row (a member named after the layer and the argument's role)."""
    arg = code.args[i]
    roles = [a.role for a in code.args]
    offsets = [place.offset for place in places]
    number = str(roles[:i + 1].count(arg.role)) if roles.count(arg.role) > 1 else ""
    moving = table.moving(f"{sub_name}_{arg.role}{number}",
                          "uint16_t " if max(offsets) <= 0xFFFF else "uint32_t ",
                          list(map(str, offsets)))
    return buffers.argument(Buffer(places[0].role, tensors[places[0].role], arg.ctype), step,
                            0 if moving else offsets[0], const=arg.role == "input",
                            moving=moving or "")


class _BandTable:
    """The members of a patched stage's rows, one row per band."""

    def __init__(self, bands: int) -> None:
        self.bands = bands
        self.members: list[tuple[str, str, list[str]]] = []  # C type, name, value per band

    def moving(self, member: str, ctype: str, values: list[str]) -> str | None:
        """`row-><member>` when the bands' values (C text) differ, the member then added to
        the rows; None when they are all the same, for the code to hold the one value.
        `ctype` prefixes the member's name in its declaration ("uint16_t ", "T *")."""
        if len(set(values)) == 1:
            return None
        self.members.append((ctype, member, values))
        return f"row->{member}"

    def c_text(self) -> tuple[list[str], list[list[str]]]:
        """The row struct's member declarations and each row's initialisers; pointers and
        32-bit offsets before 16-bit ones, so no padding between members."""
        members = sorted(self.members, key=lambda member: member[0] == "uint16_t ")
        return ([f"{ctype}{member}" for ctype, member, _ in members],
                [[f".{member} = {values[k]}" for _, member, values in members]
                 for k in range(self.bands)])


def _state_fill(tensor: Tensor, offset: int) -> CStateFill:
    value = tensor.zero_point & 0xFF if tensor.dtype == "int8" and tensor.quant else 0
    return CStateFill(c_identifier(tensor.name), offset, tensor.nbytes, value)


def _pool_base(name: str, index: int, address: int) -> str:
    if address:
        return f"((uint8_t *)0x{address:08X}u)"
    return f"{name}_pools[{index}]"


class _BufferAddresses:
    """C expressions for the addresses of planned buffers."""

    def __init__(self, graph: Graph, plan: MemoryPlan, pool_numbers: dict[int, int],
                 name: str) -> None:
        self.graph, self.plan, self.pool_numbers, self.name = graph, plan, pool_numbers, name
        self.pools_referenced: set[int] = set()  # pool numbers named as `pool<n>` so far

    def _pool_base(self, number: int) -> str:
        pool = next(p for p, n in self.pool_numbers.items() if n == number)
        return _pool_base(self.name, number, self.plan.pools[pool].address)

    def _address(self, key: str, ctype: str, const: bool, base: str | None = None,
                 offset: int = 0, moving: str = "") -> str:
        """`(ctype *)(pool<n> + offset[ + moving])`, or from `base` when given a pool's base
        expression; `moving` is a C expression of more bytes, read at run time."""
        allocation = self.plan.allocations[key]
        number = self.pool_numbers[allocation.pool]
        if base is None:
            self.pools_referenced.add(number)
            pool = f"pool{number + 1}"
        else:
            pool = base(number)
        qualifier = "const " if const else ""
        more = f" + {moving}" if moving else ""
        return f"({qualifier}{ctype} *)({pool} + {allocation.offset + offset}{more})"

    def tensor_address(self, tensor_id: int, const: bool, base=None, offset: int = 0,
                       moving: str = "") -> str:
        base_id = self.graph.buffer_of(tensor_id)
        ctype = C_TYPES[self.graph.tensor(base_id).dtype]
        qualifier = "const " if const else ""
        if base_id in self.plan.external:
            symbol = self._external_symbol(base_id)
            terms = [*([str(offset)] if offset else []), *([moving] if moving else [])]
            if terms:  # a band of an int8 I/O buffer: elements are bytes
                return f"(({qualifier}{ctype} *){symbol} + {' + '.join(terms)})"
            return f"({qualifier}{ctype} *){symbol}"
        if base_id in self.plan.state:
            return f"({qualifier}{ctype} *)({self.name}_state + {self.plan.state[base_id]})"
        return self._address(f"t{base_id}", ctype, const, base, offset, moving)

    def _external_symbol(self, tensor_id: int) -> str:
        role, number = self._io_role(tensor_id)
        return f"{self.name}_{role}_{number}"

    def _io_role(self, tensor_id: int) -> tuple[str, int]:
        bases = [self.graph.buffer_of(t) for t in self.graph.inputs]
        if tensor_id in bases:
            return "input", bases.index(tensor_id) + 1
        outputs = [self.graph.buffer_of(t) for t in self.graph.outputs]
        return "output", outputs.index(tensor_id) + 1

    def argument(self, arg: Buffer, step: int, offset: int = 0, const: bool | None = None,
                 moving: str = "") -> str:
        """The C address of a layer's argument, `offset` bytes in (and `moving`, a C
        expression of bytes read at run time); `const` as the kernel takes it (by
        default: inputs only)."""
        const = arg.role == "input" if const is None else const
        if arg.role == "scratch":
            return self._address(f"s{step}", arg.ctype, const, offset=offset, moving=moving)
        if arg.role == "state":
            return self.tensor_address(arg.tensor, const=False)
        return self.tensor_address(arg.tensor, const, offset=offset, moving=moving)

    def io(self, tensor_id: int, number: int) -> CIo:
        tensor: Tensor = self.graph.tensor(tensor_id)
        base = self.graph.buffer_of(tensor_id)
        in_activations = base not in self.plan.external
        pool_base = self._pool_base
        location = (self.tensor_address(tensor_id, const=False, base=pool_base)
                    if in_activations else self._external_symbol(base))
        return CIo(
            number=number,
            name=c_identifier(tensor.name),
            ctype=C_TYPES[tensor.dtype],
            size=tensor.size,
            size_bytes=tensor.nbytes,
            shape=tensor.shape,
            scale=tensor.quant.scale[0] if tensor.quant else 0.0,
            zero_point=tensor.quant.zero_point[0] if tensor.quant else 0,
            location=location,
            in_activations=in_activations,
        )


FILE_TEMPLATES = (
    ("{name}.h", "network.h.j2"),
    ("{name}.c", "network.c.j2"),
    ("{name}_data.h", "network_data.h.j2"),
    ("{name}_data.c", "network_data.c.j2"),
    ("{name}_data_params.h", "network_data_params.h.j2"),
    ("{name}_data_params.c", "network_data_params.c.j2"),
    ("{name}_config.h", "network_config.h.j2"),
)


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("edgeai_tool.codegen", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def render_c_files(network: CNetwork, legacy: object | None = None) -> dict[str, str]:
    """File name -> contents for the seven C files; `legacy` (a `codegen.legacy.LegacyApi`)
    adds X-CUBE-AI's legacy API to `<name>.h` and `<name>.c`."""
    environment = _environment()
    return {
        pattern.format(name=network.name):
            environment.get_template(template).render(net=network, legacy=legacy)
        for pattern, template in FILE_TEMPLATES
    }
