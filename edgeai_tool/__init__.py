"""edgeai: compile quantized int8 TensorFlow Lite models into plain C for microcontrollers."""

__version__ = "0.1.0"
