"""Stateful models: sequences of calls, compared with one tflite-micro interpreter.

A model with variable tensors (SVDF, LSTM state) computes each output from the current
input and everything before it. The generated C and a single TFLM interpreter therefore run
the same samples in the same order, each as one call; then both are reset
(`<name>_reset()`, `Interpreter.reset()`) and run the sequence again, which must give the
same outputs as the first time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from edgeai_tool.options import Options
from edgeai_tool.validate.host import HostNetwork
from edgeai_tool.validate.reference import run_reference

from .bitexact import assert_same_outputs, compile_bytes


def assert_sequence_bit_exact(model: bytes, inputs: list[np.ndarray], directory: Path,
                              options: Options | None = None, sanitize: bool = True,
                              state_matters: bool = True) -> list[np.ndarray]:
    """Run the N samples of `inputs` (input k: shape (N, *shape[1:])) as a sequence of N
    calls, reset, and run them again, on the generated C (under ASan/UBSan by default) and on
    one tflite-micro interpreter; assert identical outputs at every call and the same outputs
    after the reset. With `state_matters`, also assert that the state carries over: resetting
    before every call gives other outputs. Returns the outputs of the first sequence."""
    compilation = compile_bytes(model, directory, options)
    calls = len(inputs[0])
    twice = [np.concatenate([x, x]) for x in inputs]
    with HostNetwork(compilation, sanitize=sanitize) as network:
        outputs = network.run(twice, reset_every=calls)
        from_reset = network.run(inputs, reset_every=1)
    reference = run_reference(compilation.model_path, twice, len(outputs), reset_every=calls)
    assert_same_outputs(outputs, reference)
    for k, got in enumerate(outputs):
        assert np.array_equal(got[:calls], got[calls:]), \
            f"output {k}: the sequence after reset differs from the first one"
    if state_matters:
        assert any(not np.array_equal(got[:calls], fresh)
                   for got, fresh in zip(outputs, from_reset, strict=True)), \
            "the outputs do not depend on earlier calls: the state did not carry over"
    return [got[:calls] for got in outputs]
