"""`<name>_generate_report.txt`: ST Edge AI's generate report, section for section.

The layout and order follow the report of ST's `generate` (`network_generate_report.txt`),
minus what makes ST's reports irreproducible: no date, no absolute path (files appear by
base name), so the same model and options give the same bytes on any machine.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping, Sequence

from edgeai_tool import __version__
from edgeai_tool.codegen.patch_stage import PatchChoice
from edgeai_tool.compilation import CompiledModel
from edgeai_tool.options import C_FILE_PATTERNS
from edgeai_tool.report.analysis import IoInfo, PoolInfo, Report, analyze
from edgeai_tool.report.table import (
    RULE,
    Column,
    Row,
    bar,
    bytes_and_kib,
    delta,
    key_value_lines,
    kib,
    percent,
    render_table,
    segments,
    thousands,
)

TOOL = f"edgeai {__version__}"
SectionSizes = Mapping[str, Mapping[str, int]]
SECTIONS = ("text", "rodata", "data", "bss")


def render_report(compilation: CompiledModel, command_line: str | None = None,
                  section_sizes: SectionSizes | None = None, sizes_note: str = "") -> str:
    """The report's text (ends with a newline).

    `command_line` defaults to `compilation.command_line`; path arguments are shown by
    base name. `section_sizes` (object file -> {text, rodata, data, bss}, as
    arm-none-eabi-size prints them) adds "Requested memory size by section"; without it
    that section is left out, since only a build knows compiled sizes. `sizes_note` says
    where the sizes come from (or, without sizes, why there are none).
    """
    report = analyze(compilation)
    if command_line is None:
        command_line = compilation.command_line or "generate"
    sections = [
        _header(command_line),
        _exec_summary(compilation, report, command_line),
        *([_patches(compilation.patch)] if compilation.patch else []),
        _pools_summary(report),
        [*_model_table(report), _model_line(report)],
        _graph_summary(report),
        _arrays_table(report),
        _layers_table(report),
        _operations_per_layer(report),
        _operation_types(report),
        _complexity(report),
    ]
    if section_sizes is not None:
        sections.append(_memory_by_section(compilation.options.target, report, section_sizes)
                        + ([sizes_note] if sizes_note else []))
    elif sizes_note:
        sections.append([_memory_title(compilation.options.target), sizes_note])
    sections.append(_generated_files(report))
    return "\n\n".join("\n".join(section) for section in sections) + "\n"


def _titled(title: str, body: list[str]) -> list[str]:
    return [title, *body]


def _rule(lines: Sequence[str]) -> str:
    return "-" * max(len(line) for line in lines)


# ---- header and summaries ----------------------------------------------------------------

def shown_command_line(command_line: str) -> str:
    """The command line without directories: every path argument by its base name."""
    try:
        words = shlex.split(command_line)
    except ValueError:
        words = command_line.split()
    return shlex.join(_base_name(word) for word in words)


def _base_name(word: str) -> str:
    if word.startswith("-") and "=" in word:
        option, value = word.split("=", 1)
        return f"{option}={_base_name(value)}"
    if "/" in word or "\\" in word:
        return word.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return word


def _header(command_line: str) -> list[str]:
    return [TOOL, *key_value_lines([("Parameters", shown_command_line(command_line))], 21)]


def _exec_summary(compilation: CompiledModel, report: Report, command_line: str) -> list[str]:
    options = compilation.options
    allocations = [label for label, on in (("allocate-inputs", options.allocate_inputs),
                                           ("allocate-outputs", options.allocate_outputs),
                                           ("split-weights", options.split_weights)) if on]
    float_bytes = report.params * 4
    head = key_value_lines([
        ("model file", report.model_file),
        ("type", "tflite"),
        ("c_name", report.name),
        ("compression", options.compression),
        ("options", ", ".join(allocations) or "none"),
        ("optimization", options.optimization),
        ("target/series", options.target),
        ("memory pool", _base_name(options.memory_pool) if options.memory_pool else "default"),
        ("model_fmt", report.model_format),
        ("model_name", report.model_name),
        ("model_hash", f"0x{report.model_md5} (md5)"),
        ("params #", f"{report.params:,} items ({kib(report.params_bytes)})"),
    ])
    figures = key_value_lines([
        *(_io_line("input", io, len(report.inputs)) for io in report.inputs),
        *(_io_line("output", io, len(report.outputs)) for io in report.outputs),
        ("macc", thousands(report.c_macc)),
        ("weights (ro)", f"{bytes_and_kib(report.weights_bytes)} (1 segment) / "
                         f"{delta(report.weights_bytes, float_bytes)} vs float model"),
        ("requant (ro)", f"{bytes_and_kib(report.requant_bytes)} (multipliers, shifts, tables)"),
        ("activations (rw)", f"{bytes_and_kib(report.activations_bytes)} "
                             f"({segments(len(report.used_pools))}){_io_mark(report)}"),
        *_state_line(report),
        ("ram (total)", _ram_total(report)),
    ])
    rule = _rule(head + figures)
    command = "analyze" if command_line.split()[:1] == ["analyze"] else "generate"
    lines = [f"Exec/report summary ({command})", rule, *head, rule, *figures, rule]
    if _io_mark(report):
        lines.append("(*) 'input'/'output' buffers can be used from the activations buffer")
    return lines


def _patches(patch: PatchChoice) -> list[str]:
    """What -O ram's patch-based execution chose, and what its recomputation costs."""
    sizes = [end - first for first, end in patch.bands]
    lines = key_value_lines([
        ("stage", f"{', '.join(patch.layers)} (run in row bands)"),
        ("cut", f"{patch.cut} ({'x'.join(map(str, patch.cut_shape))}), written whole"),
        ("bands", f"{len(sizes)}, of {'/'.join(map(str, sorted(set(sizes))))} rows "
                  f"({sum(sizes)} rows of the cut)"),
        ("activations", f"{patch.peak_before:,} B without patches -> {patch.peak_after:,} B "
                        f"({delta(patch.peak_after, patch.peak_before)})"),
        ("recomputed macc", f"{patch.extra_macc:,} (+{patch.extra_percent:.1f}% of the "
                            f"network's {patch.network_macc:,}; the stage's own: "
                            f"{patch.stage_macc:,})"),
    ])
    return ["Patch-based execution (-O ram)", _rule(lines), *lines, _rule(lines)]


def _io_line(role: str, io: IoInfo, count: int) -> tuple[str, str]:
    shape = "x".join(str(d) for d in io.shape)
    place = "activations" if io.pool is not None else "user"
    # a float input or output (QUANTIZE/DEQUANTIZE inside the model) has no quantization
    quant = f", QLinear({io.scale:.9f},{io.zero_point},{io.dtype})" if io.scale else ""
    return (f"{role} {io.number}/{count}",
            f"'{io.name}', {io.dtype}({shape}), {io.size_bytes:,} Bytes{quant}, {place}")


def _io_mark(report: Report) -> str:
    in_activations = any(io.pool is not None for io in (*report.inputs, *report.outputs))
    return " *" if in_activations else ""


def _state_line(report: Report) -> list[tuple[str, str]]:
    """The ops' state (variable tensors) on its own line, for models that have one."""
    if not report.state_bytes:
        return []
    count = len(report.state)
    return [("state (rw)", f"{bytes_and_kib(report.state_bytes)} ({count} variable "
                           f"tensor{'s' if count > 1 else ''}, kept across runs)")]


def _ram_total(report: Report) -> str:
    inputs, outputs = report.io_external_bytes
    state = (report.state_bytes,) if report.state_bytes else ()
    terms = " + ".join(thousands(v) for v in (report.activations_bytes, *state, inputs, outputs))
    return f"{bytes_and_kib(report.ram_bytes)} = {terms}"


def _pools_summary(report: Report) -> list[str]:
    """ST's columns (name, id, used with its share of the pool, buffer#), then the pool's size
    and the segment it is: the index of its base in `<name>_init()`'s activations, its fixed
    address, or unused. The weights line closes it, as in the seed (where ST divides by a
    placeholder size; here the weights segment is exactly as large as the weights)."""
    used_pools = [pool.id for pool in report.used_pools]
    rows: list[Row] = []
    for pool in report.pools:
        size = pool.used if pool.sized_to_fit else pool.size
        rows.append((pool.name, str(pool.id), f"{kib(pool.used)} ({percent(pool.used, size)})",
                     str(pool.buffers), kib(size), _segment(pool, used_pools)))
    weights = report.weights_bytes
    weight_arrays = sum(array.kind != "quant" for array in report.weight_arrays)
    rows.append(("weights_array", str(len(report.pools)),
                 f"{kib(weights)} ({percent(weights, weights)})", str(weight_arrays),
                 kib(weights), "weights (flash)"))
    columns = [Column("name"), Column("id"), Column("used"), Column("buffer#"), Column("size"),
               Column("segment")]
    return _titled("Memory-pools summary (activations/ domain)", render_table(columns, rows))


def _segment(pool: PoolInfo, used_pools: list[int]) -> str:
    if pool.id not in used_pools:
        return "unused"
    if pool.address:
        return f"fixed at 0x{pool.address:08X}"
    return f"activations[{used_pools.index(pool.id)}]"


# ---- the model table ---------------------------------------------------------------------

MODEL_COLUMNS = (
    Column("m_id"), Column("layer (type,original)"), Column("oshape"), Column("param/size"),
    Column("macc", ">"), Column("connected to", ">"), Column("|"), Column("c_size"),
    Column("c_macc"), Column("c_type"),
)


def _model_table(report: Report) -> list[str]:
    rows: list[Row] = []
    previous = None
    for index, row in enumerate(report.rows):
        if previous is not None and row.m_id != previous:
            rows.append(RULE)
        previous = row.m_id
        size_change, macc_change = report.row_changes(index)
        labels = " ".join(layer.label for layer in report.layers
                          if report.attach.get(layer.c_id) == index)
        connected = row.connected or ("",)
        rows.append((
            str(row.m_id) if _first_of_group(report, index) else "",
            f"{row.name} ({row.layer_type}, {row.original})",
            shape_text(row.shape),
            f"{row.params:,}/{row.size:,}" if row.params else "",
            thousands(row.macc) if row.macc else "",
            connected[0], "|",
            delta(row.size + size_change, row.size),
            delta(row.macc + macc_change, row.macc),
            labels,
        ))
        rows += [("", "", "", "", "", name, "|", "", "", "") for name in connected[1:]]
    return _titled(f"Model name - {report.model_name}", render_table(MODEL_COLUMNS, rows))


def _first_of_group(report: Report, index: int) -> bool:
    return index == 0 or report.rows[index - 1].m_id != report.rows[index].m_id


def shape_text(shape: Sequence[int]) -> str:
    """ST's shapes: `[b:1,h:24,w:24,c:8]`, `[b:1,c:256]`; other ranks as `[2x3x4x5x6]`."""
    axes = {4: "bhwc", 3: "bhc", 2: "bc", 1: "b"}.get(len(shape))
    if axes is None:
        return "[" + "x".join(str(d) for d in shape) + "]"
    return "[" + ",".join(f"{axis}:{dim}" for axis, dim in zip(axes, shape, strict=True)) + "]"


def _model_line(report: Report) -> str:
    inputs, outputs = report.io_external_bytes
    return (f"model/c-model: macc={report.model_macc:,}/{report.c_macc:,} "
            f"{delta(report.c_macc, report.model_macc)} "
            f"weights={report.params_bytes:,}/{report.weights_bytes:,} "
            f"activations=--/{report.activations_bytes:,} io=--/{inputs + outputs:,}")


# ---- the C graph -------------------------------------------------------------------------

def _graph_summary(report: Report) -> list[str]:
    def names(ios: list[IoInfo]) -> str:
        return "[" + ", ".join(f"'{io.array}'" for io in ios) + "]"

    body = key_value_lines([
        ("model name", report.model_name),
        ("c-name", report.name),
        ("c-node #", str(len(report.layers))),
        ("c-array #", str(len(report.arrays))),
        ("activations size", f"{report.activations_bytes} ({segments(len(report.used_pools))})"),
        ("weights size", f"{report.weights_bytes} (1 segment)"),
        ("macc", str(report.c_macc)),
        ("inputs", names(report.inputs)),
        ("outputs", names(report.outputs)),
    ], 21)
    return ["Generated C-graph summary", _rule(body), *body]


def _arrays_table(report: Report) -> list[str]:
    columns = [Column("c_id"), Column("name (*_array)"), Column("item/size"),
               Column("domain/mem-pool"), Column("c-type"), Column("comment")]
    rows: list[Row] = [
        (str(c_id), array.name, f"{array.items}/{array.size}", f"{array.domain}/{array.pool}",
         array.c_type_text, array.comment)
        for c_id, array in enumerate(report.arrays)
    ]
    return _titled(f"C-Arrays ({len(report.arrays)})", render_table(columns, rows))


def _layers_table(report: Report) -> list[str]:
    columns = [Column("c_id"), Column("name (*_layer)"), Column("id"), Column("layer_type"),
               Column("macc"), Column("rom"), Column("tensors"), Column("shape (array id)")]
    rows: list[Row] = []
    for layer in report.layers:
        for line, (role, name) in enumerate(layer.tensors or (("", ""),)):
            head = ((str(layer.c_id), layer.name, str(layer.m_id), layer.c_type,
                     str(layer.macc), str(layer.rom)) if line == 0 else ("",) * 6)
            rows.append((*head, f"{role}: {name}" if role else "", _tensor_shape(report, name)))
        rows.append(RULE)
    return _titled(f"C-Layers ({len(report.layers)})", render_table(columns, rows))


def _tensor_shape(report: Report, name: str) -> str:
    """`int8(1x28x28x1) (20)` for arrays with a shape; scratch has none."""
    if not name:
        return ""
    c_id, array = report.array(name)
    if array.shape is None:
        return ""
    return f"{array.dtype}({'x'.join(str(d) for d in array.shape)}) ({c_id})"


def _operations_per_layer(report: Report) -> list[str]:
    columns = [Column("c_id"), Column("m_id"), Column("name (type)"), Column("#op", ">"),
               Column("type", ">")]
    rows: list[Row] = [
        (str(layer.c_id), str(layer.m_id), f"{layer.name} ({layer.c_type})",
         thousands(layer.macc), layer.operation)
        for layer in report.layers
    ]
    rows += [RULE, ("total", "", "", thousands(report.c_macc), "")]
    return _titled("Number of operations per c-layer", render_table(columns, rows))


def _operation_types(report: Report) -> list[str]:
    totals: dict[str, int] = {}
    for layer in report.layers:
        totals[layer.operation] = totals.get(layer.operation, 0) + layer.macc
    columns = [Column("operation type"), Column("#", ">"), Column("%", ">")]
    rows: list[Row] = [(operation, thousands(count), percent(count, report.c_macc))
                       for operation, count in totals.items()]
    return _titled("Number of operation types", render_table(columns, rows))


def _complexity(report: Report) -> list[str]:
    largest_macc = max((layer.macc for layer in report.layers), default=0)
    largest_rom = max((layer.rom for layer in report.layers), default=0)
    columns = [Column("m_id"), Column("name"), Column("c_macc"), Column("c_rom"),
               Column("c_id")]
    rows: list[Row] = [
        (str(layer.m_id), report.shown_on(layer),
         _bar_cell(layer.macc, largest_macc, report.c_macc),
         _bar_cell(layer.rom, largest_rom, report.weights_bytes),
         f"[{layer.c_id}]")
        for layer in report.layers
    ]
    inputs, outputs = report.io_external_bytes
    footer = (f"macc={report.c_macc:,} weights={report.weights_bytes:,} "
              f"act={report.activations_bytes:,} ram_io={inputs + outputs:,}")
    return _titled("Complexity report (model)", [*render_table(columns, rows), footer])


def _bar_cell(value: int, largest: int, total: int) -> str:
    return f"{bar(value, largest).ljust(17)}{percent(value, total).rjust(6)}"


# ---- build figures and files -------------------------------------------------------------

def _memory_by_section(target: str, report: Report, sizes: SectionSizes) -> list[str]:
    """Compiled sizes per object, then the weights, activations and I/O the plan adds.

    The weights arrays are compiled into `<name>_data_params.o`; their bytes are taken
    out of that object's rodata and shown on the `weights` row, as ST shows them.
    """
    modules = {module: _module_sizes(module, report, figures)
               for module, figures in sorted(sizes.items(),
                                             key=lambda item: (item[0].startswith("lib ("),
                                                               item[0]))}
    runtime = _sum_sizes(modules.values())
    planned = {
        "weights": {"rodata": report.weights_bytes},
        "activations": {"bss": report.activations_bytes},
        "io": {"bss": sum(report.io_external_bytes)},
    }
    total = _sum_sizes([runtime, *planned.values()])
    columns = [Column("module"), *(Column(section, ">") for section in SECTIONS)]
    rows: list[Row] = [
        *(_size_row(module, figures) for module, figures in modules.items()),
        RULE, _size_row("RT total**", runtime), RULE,
        *(_size_row(name, figures) for name, figures in planned.items()),
        RULE, _size_row("TOTAL", total),
    ]
    table = _titled(_memory_title(target), render_table(columns, rows))
    notes = ["*  toolchain objects (libc/libgcc)" if "lib (toolchain)*" in sizes else "",
             "**  RT: runtime objects (kernels + network infrastructure)"]
    notes = [note for note in notes if note]
    return [*table, *notes, "", *_memory_summary(target, runtime, total)]


def _memory_title(target: str) -> str:
    return f'Requested memory size by section - "{target}" target'


def _module_sizes(module: str, report: Report, figures: Mapping[str, int]) -> dict[str, int]:
    sizes = {section: int(figures.get(section, 0)) for section in SECTIONS}
    if module.rsplit("/", 1)[-1] == f"{report.name}_data_params.o":
        sizes["rodata"] = max(0, sizes["rodata"] - report.weights_bytes)
    return sizes


def _sum_sizes(all_sizes: Iterable[Mapping[str, int]]) -> dict[str, int]:
    all_sizes = list(all_sizes)
    return {section: sum(sizes.get(section, 0) for sizes in all_sizes) for section in SECTIONS}


def _size_row(name: str, sizes: Mapping[str, int]) -> tuple[str, ...]:
    return (_base_name(name), *(thousands(sizes.get(section, 0)) for section in SECTIONS))


def _flash(sizes: Mapping[str, int]) -> int:
    return sizes["text"] + sizes["rodata"] + sizes["data"]


def _ram(sizes: Mapping[str, int]) -> int:
    return sizes["data"] + sizes["bss"]


def _memory_summary(target: str, runtime: Mapping[str, int],
                    total: Mapping[str, int]) -> list[str]:
    columns = [Column(""), Column("FLASH (ro)", ">"), Column("%*", ">"), Column("RAM (rw)", ">"),
               Column("%", ">")]
    rows: list[Row] = [
        ("RT total", thousands(_flash(runtime)), percent(_flash(runtime), _flash(total)),
         thousands(_ram(runtime)), percent(_ram(runtime), _ram(total))),
        RULE,
        ("TOTAL", thousands(_flash(total)), "", thousands(_ram(total)), ""),
    ]
    return [f'Summary - "{target}" target', *render_table(columns, rows), "*  rt/total"]


def _generated_files(report: Report) -> list[str]:
    files = [pattern.format(name=report.name) for pattern in C_FILE_PATTERNS]
    return [f"Generated files ({len(files)})", _rule(files), *files]

