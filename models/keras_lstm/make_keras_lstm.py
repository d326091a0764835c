"""Write the converter-made Keras LSTM test models of this folder (see README.md).

Untrained Keras LSTMs (seeded), batch 1, converted by TFLiteConverter to full-integer int8
with a representative dataset: what the converter emits for an LSTM (a fused
UNIDIRECTIONAL_SEQUENCE_LSTM with variable hidden and cell state tensors). The fused op
needs the Keras 2 API (tf_keras); Keras 3 LSTMs convert to a WHILE loop instead.
"""

import os
import sys
from pathlib import Path

os.environ["TF_USE_LEGACY_KERAS"] = "1"
import numpy as np
import tensorflow as tf

# name -> (time steps, input size, units, stacked LSTM layers)
MODELS = {
    "lstm_stacked_int8": (6, 4, 8, 2),
    "lstm_seq20_int8": (20, 10, 32, 1),
}


def convert(steps: int, inputs: int, units: int, layers: int) -> bytes:
    tf.random.set_seed(0)
    x = inp = tf.keras.Input(shape=(steps, inputs), batch_size=1)
    for _ in range(layers):
        x = tf.keras.layers.LSTM(units, return_sequences=True)(x)
    model = tf.keras.Model(inp, tf.keras.layers.Dense(4)(x))
    rng = np.random.default_rng(0)

    def representative():
        for _ in range(100):
            yield [rng.normal(size=(1, steps, inputs)).astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = converter.inference_output_type = tf.int8
    return converter.convert()


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    for name, shape in MODELS.items():
        (folder / f"{name}.tflite").write_bytes(convert(*shape))
