"""`edgeai supported-ops` and the README show the table the importer checks against."""

import subprocess
import sys
from pathlib import Path

ISSUE_OPS = {
    "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "MAX_POOL_2D", "AVERAGE_POOL_2D", "MEAN",
    "ADD", "SUB", "MUL", "CONCATENATION", "PAD", "PADV2", "RESHAPE", "SQUEEZE", "EXPAND_DIMS",
    "SOFTMAX", "LOGISTIC", "TANH", "RELU", "RELU6", "LEAKY_RELU", "HARD_SWISH", "QUANTIZE",
    "DEQUANTIZE", "MAXIMUM", "MINIMUM", "TRANSPOSE", "STRIDED_SLICE",
}


def _table() -> str:
    result = subprocess.run([sys.executable, "-m", "edgeai_tool", "supported-ops"],
                            capture_output=True, text=True, check=True)
    return result.stdout


def test_every_operator_of_the_common_int8_set_is_listed():
    listed = {line.split()[0] for line in _table().splitlines()[2:]}
    assert listed >= ISSUE_OPS


def test_readme_shows_the_same_table():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert _table() in readme
