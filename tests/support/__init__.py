"""Test support: build int8 TFLite models without TensorFlow and run them in tflite-micro.

Importable as ``support`` from any test because ``tests/conftest.py`` puts ``tests/`` on
``sys.path`` (``tests/`` itself is deliberately not a package).
"""
