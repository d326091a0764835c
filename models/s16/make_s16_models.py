"""Make the two 16x8 fixtures with TensorFlow's converter (not needed to run the tests).

    python3 -m venv /tmp/tf && /tmp/tf/bin/pip install tensorflow
    /tmp/tf/bin/python models/s16/make_s16_models.py models/s16

A small untrained Keras CNN (fixed seeds) exercising most ops edgeai supports in 16x8:
conv + ReLU, max pool, depthwise + ReLU6, 1x1 conv, ADD, LEAKY_RELU, average pool, MUL,
CONCATENATION (the converter requantizes its inputs with int16 QUANTIZEs), flatten,
dense + tanh, dense, then SOFTMAX or LOGISTIC. Quantized with
EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8:

- cnn16x8_int16.tflite: int16 input and output, softmax head;
- cnn16x8_float.tflite: float input and output (QUANTIZE / DEQUANTIZE), sigmoid head.
"""

import sys
from pathlib import Path

import numpy as np
import tensorflow as tf


def keras_model(head: str) -> tf.keras.Model:
    tf.random.set_seed(0)
    inputs = tf.keras.Input((20, 20, 3), batch_size=1)
    x = tf.keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    x = tf.keras.layers.MaxPool2D(2)(x)
    x = tf.keras.layers.DepthwiseConv2D(3, padding="same", activation="relu6")(x)
    x = tf.keras.layers.Add()([x, tf.keras.layers.Conv2D(8, 1)(x)])
    x = tf.keras.layers.LeakyReLU(0.1)(x)
    x = tf.keras.layers.AveragePooling2D(2)(x)
    x = tf.keras.layers.Concatenate()([x, tf.keras.layers.Multiply()([x, x])])
    x = tf.keras.layers.Flatten()(x)
    x = tf.keras.layers.Dense(16, activation="tanh")(x)
    x = tf.keras.layers.Dense(10)(x)
    x = tf.keras.layers.Softmax()(x) if head == "softmax" else tf.keras.layers.Activation(
        "sigmoid")(x)
    return tf.keras.Model(inputs, x)


def convert(model: tf.keras.Model, int16_io: bool) -> bytes:
    rng = np.random.default_rng(0)

    def representative():
        for _ in range(50):
            yield [rng.normal(size=(1, 20, 20, 3)).astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [
        tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
    if int16_io:
        converter.inference_input_type = tf.int16
        converter.inference_output_type = tf.int16
    return converter.convert()


if __name__ == "__main__":
    out = Path(sys.argv[1])
    (out / "cnn16x8_int16.tflite").write_bytes(convert(keras_model("softmax"), True))
    (out / "cnn16x8_float.tflite").write_bytes(convert(keras_model("sigmoid"), False))
