"""The `edgeai` command line: generate, analyze, runtime, validate, supported-ops, manifest,
diff, board-info, cmake-dir, check-firmware.

Bad input never shows a traceback: every `EdgeAIError` (and argument error) becomes one
line `edgeai: error: ...` on stderr with exit status 2, and nothing is left half-written.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from edgeai_tool import __version__, st_options
from edgeai_tool.compiler import compile_model, write_files
from edgeai_tool.errors import EdgeAIError
from edgeai_tool.options import (
    DEFAULT_NAME,
    DEFAULT_OPTIMIZATION,
    DEFAULT_TARGET,
    OPTIMIZATIONS,
    TARGETS,
    Options,
    output_files,
)

EXIT_USAGE = 2
EXIT_MISMATCH = 1  # validate ran, but the C model is not bit-exact
EXIT_CHECK_FAILED = 1  # check-firmware found a section over a fixed-address pool


class _Parser(argparse.ArgumentParser):
    """argparse, but its errors are one line like every other error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise EdgeAIError(message)


def _model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-m", "--model", required=True, help="int8 or 16x8 .tflite model")
    parser.add_argument("-n", "--name", default=DEFAULT_NAME,
                        help="C name of the network: files NAME*.c/h, symbols NAME_* "
                        f"(default: {DEFAULT_NAME})")
    parser.add_argument("--target", default=DEFAULT_TARGET, choices=TARGETS, metavar="SERIES",
                        help=f"ST series ({DEFAULT_TARGET} default, stm32f4, stm32h7, ...), "
                        "qemu-m7, qemu-m4, host")
    parser.add_argument("--memory-pool", metavar="FILE",
                        help="memory pools in ST's mempools JSON format (default: one pool)")
    parser.add_argument("-O", "--optimization", default=DEFAULT_OPTIMIZATION,
                        choices=OPTIMIZATIONS,
                        help="ram: run the first layers in row bands when that lowers the "
                             "activations (recomputation shown in the report)")
    parser.add_argument("--no-inputs-allocation", action="store_true",
                        help="keep input buffers outside the activations")
    parser.add_argument("--no-outputs-allocation", action="store_true",
                        help="keep output buffers outside the activations")
    parser.add_argument("--c-api", default="", metavar="API",
                        help="legacy: add X-CUBE-AI's ai_<name>_* API (default for stm32*); "
                        "edgeai: <name>_init/_run only (default for qemu-m7, host)")
    st_options.add_model_options(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="edgeai", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"edgeai {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    generate = commands.add_parser("generate", help="write the C model and its report")
    _model_options(generate)
    generate.add_argument("-o", "--output", required=True, metavar="OUTDIR")
    generate.add_argument("--cache", action="store_true",
                          help="reuse C generated before for the same model, pools, options and "
                               "edgeai version (EDGEAI_CACHE_DIR, default ~/.cache/edgeai)")
    generate.add_argument("--report-sizes", action="store_true",
                          help="compile the C with arm-none-eabi-gcc to fill the report's "
                               "'Requested memory size by section' and 'Summary' tables (the "
                               "report then names that compiler; without this option it depends "
                               "on nothing but the model and options, and analyze always "
                               "measures)")
    generate.add_argument("--depfile", metavar="FILE",
                          help="also write FILE, a Makefile-syntax depfile: the outputs depend on "
                               "the model, the pool file and the generator's own sources")
    generate.add_argument("--stamp", metavar="FILE",
                          help="touch FILE after each successful run, even when no output "
                               "changed, and name it first in the depfile (for Make)")
    generate.add_argument("--list-outputs", action="store_true",
                          help="only print the paths of the files generate would write")

    analyze = commands.add_parser("analyze", help="print the report without writing C")
    _model_options(analyze)
    analyze.add_argument("--memory-map", action="store_true",
                         help="print the memory plan instead: each buffer's pool, offset, size "
                         "and lifetime (the text form of NAME_memory.svg)")

    runtime = commands.add_parser("runtime", help="write the C runtime (kernels) to a folder")
    runtime.add_argument("-o", "--output", required=True, metavar="DIR")

    validate = commands.add_parser("validate", help="run the C model against TFLite Micro")
    _model_options(validate)
    validate.add_argument("--mode", default="host", choices=("host", "qemu-m7"))
    validate.add_argument("-vi", "--valinput", metavar="INPUTS",
                          help="inputs (.npy, or .npz with key 'x'/'inputs' and optional 'y')")
    validate.add_argument("-vo", "--valoutput", metavar="EXPECTED",
                          help="expected outputs or labels (.npy) for the accuracy figure")
    validate.add_argument("--random", type=int, default=None, metavar="N",
                          help="add N uniform random int8 samples "
                          "(default: 1000 without -vi, else 0)")
    validate.add_argument("--seed", type=int, default=0, help="seed of the random samples")
    validate.add_argument("--save-outputs", metavar="OUT.npy", help="save the C model's outputs")
    st_options.add_validate_options(validate)

    commands.add_parser("supported-ops", help="list the operators and their constraints")

    manifest = commands.add_parser("manifest", help="check a manifest (edgeai.yaml) and print "
                                   "its models as JSON, paths absolute")
    manifest.add_argument("manifest", metavar="FILE")

    diff = commands.add_parser("diff", help="what changed between two models: ops, weights, "
                               "macc and memory; --textconv MODEL: the model as text for git")
    diff.add_argument("models", nargs="+", metavar="MODEL", help="OLD NEW, or one with "
                      "--textconv")
    diff.add_argument("--json", action="store_true", help="print the differences as JSON")
    diff.add_argument("--textconv", action="store_true",
                      help="print one model as stable text (git's diff.<driver>.textconv)")

    board_info = commands.add_parser("board-info", help="describe a board target; with -o, "
                                     "write its linker script, board_config.h and board.cmake")
    board_info.add_argument("target", metavar="TARGET")
    board_info.add_argument("-o", "--output", metavar="DIR")

    commands.add_parser("cmake-dir", help="print the folder of edgeai's CMake package "
                        "(edgeaiConfig.cmake, edgeai.cmake, arm-none-eabi.cmake)")

    check = commands.add_parser("check-firmware", help="after linking: fail when a section "
                                "of the firmware overlaps a fixed-address pool of its models")
    check.add_argument("elf", metavar="ELF", help="the linked firmware")
    check.add_argument("--model-info", nargs="+", required=True, metavar="C_INFO",
                       help="the <name>_c_info.json of each model linked")
    check.add_argument("--map", metavar="MAP", help="the link's map file: the pools must "
                       "also lie in its RAM regions (a warning when in no region at all)")
    check.add_argument("--delete-on-error", action="store_true",
                       help="delete the firmware when the check fails, so that the build "
                       "system links it again")
    return parser


def _options(args: argparse.Namespace) -> Options:
    return Options(
        name=args.name,
        target=args.target,
        optimization=args.optimization,
        memory_pool=args.memory_pool,
        allocate_inputs=not args.no_inputs_allocation,
        allocate_outputs=not args.no_outputs_allocation,
        c_api=args.c_api,
        compression=args.compression,
        split_weights=args.split_weights,
        input_data_type=args.input_data_type,
        output_data_type=args.output_data_type,
    )


def _command_line(argv: Sequence[str]) -> str:
    """The command as the report shows it: file arguments reduced to their base names."""
    shown = [Path(arg).name if "/" in arg else arg for arg in argv]
    return shlex.join(shown)


def _generate(args: argparse.Namespace, argv: Sequence[str]) -> int | None:
    from edgeai_tool.cache import ModelCache, generate
    outputs = [Path(args.output) / name for name in output_files(args.name)]
    if args.list_outputs:
        _options(args).validate()
        print("\n".join(map(str, outputs)))
        return None
    cache = ModelCache.from_settings() if args.cache else None
    result = generate(args.model, _options(args), _command_line(argv), cache)
    files = dict(result.files)
    if args.report_sizes:
        from edgeai_tool.target_sizes import report_with_sizes

        compilation = result.compilation or compile_model(args.model, _options(args),
                                                          _command_line(argv))
        files[f"{args.name}_generate_report.txt"] = report_with_sizes(compilation)
    write_files(files, args.output)
    if args.depfile or args.stamp:
        from edgeai_tool.depfile import record_generation

        inputs = [args.model, *([args.memory_pool] if args.memory_pool else [])]
        record_generation(outputs, inputs, args.depfile, args.stamp)
    print(result.summary)
    if result.hit:
        print(f"reused entry {result.key[:12]} from the edgeai cache ({cache.directory}): "
              f"{Path(args.model).name} was not generated again")


def _analyze(args: argparse.Namespace, argv: Sequence[str]) -> int | None:
    from edgeai_tool.target_sizes import report_with_sizes

    compilation = compile_model(args.model, _options(args), _command_line(argv))
    if args.memory_map:
        from edgeai_tool.report import render_memory_map

        print(render_memory_map(compilation), end="")
    else:
        print(report_with_sizes(compilation), end="")


def _runtime(args: argparse.Namespace, _argv: Sequence[str]) -> int | None:
    from edgeai_tool.runtime import runtime_files

    files = runtime_files()
    write_files(files, args.output)
    print(f"wrote {len(files)} runtime files to {args.output}")


def _validate(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from edgeai_tool.validate.command import run_validation

    compilation = compile_model(args.model, _options(args), _command_line(argv))
    text, exact = run_validation(compilation, args)
    print(text, end="")
    return 0 if exact else EXIT_MISMATCH


def _supported_ops(_args: argparse.Namespace, _argv: Sequence[str]) -> int | None:
    from edgeai_tool.ops import supported_ops_table

    print(supported_ops_table(), end="")


def _manifest(args: argparse.Namespace, _argv: Sequence[str]) -> int | None:
    import json

    from edgeai_tool.manifest import read_manifest

    entries = read_manifest(args.manifest)
    models = [{**vars(entry), "model": str(entry.model.resolve()),
               "mempools": str(entry.mempools.resolve()) if entry.mempools else None}
              for entry in entries]
    print(json.dumps({"models": models}, indent=2))


def _diff(args: argparse.Namespace, _argv: Sequence[str]) -> int | None:
    from edgeai_tool.diff import describe, diff_models, render_diff

    wanted = 1 if args.textconv else 2
    if len(args.models) != wanted:
        raise EdgeAIError("diff takes OLD NEW, or one MODEL with --textconv")
    if args.textconv:
        print(describe(args.models[0]), end="")
        return None
    result = diff_models(*args.models)
    if args.json:
        import json

        print(json.dumps(result, indent=2))
    else:
        print(render_diff(result), end="")


def _board_info(args: argparse.Namespace, _argv: Sequence[str]) -> int | None:
    from edgeai_tool.boards import board
    from edgeai_tool.boards.info import describe, write_board_files

    chosen = board(args.target)
    if args.output:
        write_board_files(chosen, Path(args.output))
    else:
        print(describe(chosen), end="")


def _cmake_dir(_args: argparse.Namespace, _argv: Sequence[str]) -> int | None:
    print(Path(__file__).resolve().parent / "cmake")


def _check_firmware(args: argparse.Namespace, _argv: Sequence[str]) -> int:
    from edgeai_tool.memory.firmware import report_firmware

    passed = report_firmware(args.elf, args.model_info, args.map,
                             delete_on_error=args.delete_on_error)
    return 0 if passed else EXIT_CHECK_FAILED


_COMMANDS = {"generate": _generate, "analyze": _analyze, "runtime": _runtime,
             "validate": _validate, "supported-ops": _supported_ops, "manifest": _manifest,
             "diff": _diff, "board-info": _board_info, "cmake-dir": _cmake_dir,
             "check-firmware": _check_firmware}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
        st_options.apply(args)
        status = _COMMANDS[args.command](args, argv)
    except EdgeAIError as exc:
        message = " ".join(str(exc).split())
        print(f"edgeai: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("edgeai: error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug of ours: still one line; EDGEAI_DEBUG=1 shows the trace
        if os.environ.get("EDGEAI_DEBUG"):
            raise
        message = " ".join(str(exc).split())
        print(f"edgeai: error: internal error ({type(exc).__name__}: {message}); please report "
              "it with the model (EDGEAI_DEBUG=1 shows the traceback)", file=sys.stderr)
        return EXIT_USAGE
    return status or 0
