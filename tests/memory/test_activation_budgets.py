"""Activations (I/O included) of the shipped models stay within the budgets of issue 14:
the live-tensor bound or below, where in-place execution takes them."""

from pathlib import Path

import pytest

from edgeai_tool.compiler import compile_model
from edgeai_tool.options import Options

MODELS = Path(__file__).resolve().parents[2] / "models"
BUDGETS = {  # model -> bytes (ST Edge AI Core needs 7,616 B for the demo)
    "quantized_model.tflite": 1_600,
    "mlperf_tiny/kws_ref_model.tflite": 16_000,
    "mlperf_tiny/vww_96_int8.tflite": 55_296,
    "mlperf_tiny/pretrainedResnet_quant.tflite": 49_152,
    "mlperf_tiny/ad01_int8.tflite": 768,
}


@pytest.mark.parametrize("model", sorted(BUDGETS))
def test_activations_within_budget(model: str) -> None:
    plan = compile_model(MODELS / model, Options()).plan
    assert plan.activations_bytes <= BUDGETS[model]
