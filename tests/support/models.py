"""Where the tests find the models the repository ships."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MODELS = REPO / "models"
DEMO_MODEL = MODELS / "quantized_model.tflite"
MLPERF = MODELS / "mlperf_tiny"
KERAS_LSTM = MODELS / "keras_lstm"
S16_MODELS = MODELS / "s16"  # converter-made 16x8 fixtures (make_s16_models.py)
