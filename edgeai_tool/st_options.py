"""ST Edge AI Core's command-line options, so scripts written for `stedgeai` run as they are.

Each option ST users type either has a meaning here or is refused with one line that names
it; none is silently ignored. The CLI calls `add_model_options`, `add_validate_options` and
`apply`; the meanings reach `Options` (and from there the C and the report).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from edgeai_tool.errors import EdgeAIError

COMPRESSIONS = ("none", "lossless", "low", "medium", "high")
EXACT_COMPRESSIONS = ("none", "lossless")  # weights stored as they are in the model
DATA_TYPES = ("float32", "int8", "uint8")

# ST options with no edgeai counterpart: refused by name rather than "unrecognized".
UNSUPPORTED = {
    "--relocatable": "edgeai links the network into the firmware; there is no relocatable binary",
    "-r": "edgeai links the network into the firmware; there is no relocatable binary",
    "--binary": "weights are compiled into <name>_data_params.c; there is no separate binary",
    "--address": "weights are placed by the linker script, not at a fixed address",
    "--copy-weights-at": "weights are placed by the linker script, not copied at run time",
    "--dll": "validate builds and runs the C model itself (--mode host|qemu-m7)",
    "--lib": "the runtime is C source (edgeai runtime -o DIR), not a prebuilt library",
    "--quantize": "quantize the model to int8 TFLite before edgeai (e.g. with the TFLite "
                  "converter)",
    "--st-neural-art": "there is no NPU target; edgeai generates C for the Cortex-M cores",
    "--inputs-ch-position": "inputs stay in the model's layout (NHWC)",
    "--outputs-ch-position": "outputs stay in the model's layout (NHWC)",
    "--use-onnx-simplifier": "edgeai reads TFLite models only",
    "--fix-parametric-shapes": "edgeai reads TFLite models with fixed shapes only",
}


class _Refuse(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None) -> None:
        raise EdgeAIError(f"{option_string} (ST Edge AI Core option) is not supported: "
                          f"{UNSUPPORTED[option_string]}")


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """ST's generate/analyze/validate options, beside edgeai's own."""
    parser.add_argument("-c", "--compression", default="none", choices=COMPRESSIONS,
                        help="none and lossless: weights stored exactly (edgeai's only "
                        "form); low, medium, high: not supported yet, weights stay exact")
    parser.add_argument("--split-weights", action="store_true",
                        help="one C array per weight tensor (what edgeai always generates)")
    parser.add_argument("--allocate-inputs", action="store_true",
                        help="inputs inside the activations: ST's older spelling of the default")
    parser.add_argument("--allocate-outputs", action="store_true",
                        help="outputs inside the activations: ST's older spelling of the default")
    parser.add_argument("-w", "--workspace", metavar="DIR",
                        help="directory for temporary files (builds of validate)")
    parser.add_argument("--input-data-type", choices=DATA_TYPES, default="",
                        help="type of the C model's inputs; float32 adds a QUANTIZE at the "
                        "inputs in C (default: the model's)")
    parser.add_argument("--output-data-type", choices=DATA_TYPES, default="",
                        help="type of the C model's outputs; float32 adds a DEQUANTIZE at the "
                        "outputs in C (default: the model's)")
    for option in UNSUPPORTED:
        parser.add_argument(option, nargs="?", action=_Refuse, help=argparse.SUPPRESS)


def add_validate_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-b", "--batches", type=int, default=None, metavar="N",
                        help="validate on N samples: the first N of -vi, else N random ones")
    parser.add_argument("--classifier", action="store_true",
                        help="the model is a classifier: also print the confusion matrix of "
                        "the C model's top-1 classes")


def apply(args: argparse.Namespace) -> None:
    """Check the ST options against each other and carry out those acting on the process."""
    for role in ("inputs", "outputs"):
        if getattr(args, f"allocate_{role}", False) and getattr(args, f"no_{role}_allocation"):
            raise EdgeAIError(f"--allocate-{role} and --no-{role}-allocation contradict each "
                              "other")
    compression = getattr(args, "compression", "none")
    if compression not in EXACT_COMPRESSIONS:
        print(f"edgeai: note: --compression {compression} is not supported yet: weights are "
              "generated exact, as with lossless", file=sys.stderr)
    if getattr(args, "batches", None) is not None and args.batches < 1:
        raise EdgeAIError(f"--batches {args.batches}: at least one sample is needed")
    workspace = getattr(args, "workspace", None)
    if workspace:
        try:
            Path(workspace).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EdgeAIError(f"cannot use workspace {workspace}: {exc.strerror}") from None
        tempfile.tempdir = str(Path(workspace).resolve())
