"""Variable tensors (an op's state): imported as valid, planned in a region of their own,
reset by `<name>_init` and `<name>_reset`, shown on their own line in the report. And the
errors of valid models we cannot compile: the unsupported op named (custom ops by their
custom code), never "corrupt"."""

import json

import numpy as np
import pytest
import tflite
from support import tflite_builder
from support.bitexact import compile_bytes
from support.sequences import assert_sequence_bit_exact
from support.tflite_builder import ModelBuilder

from edgeai_tool.errors import EdgeAIError
from edgeai_tool.importer.tflite_import import import_model
from edgeai_tool.memory.planner import verify_plan

Q = {"scale": 0.05, "zero_point": -3}


def _add_state_model() -> bytes:
    """y = x + state: an int8 variable tensor that TFLM fills with its zero point."""
    b = ModelBuilder()
    x = b.input("x", (1, 6), **Q)
    state = b.variable("state", (1, 6), scale=0.02, zero_point=17)
    y = b.tensor("y", (1, 6), scale=0.07, zero_point=5)
    b.op("ADD", [x, state], [y])
    b.output(y)
    return b.build()


def test_a_variable_tensor_read_by_an_op_is_imported_as_valid():
    graph = import_model(_add_state_model(), name="m")
    state = graph.tensor(1)
    assert state.is_variable and not state.is_constant


def test_state_has_a_region_of_its_own_and_the_report_shows_it(tmp_path):
    compilation = compile_bytes(_add_state_model(), tmp_path)
    plan = compilation.plan
    assert plan.state == {1: 0} and plan.state_bytes == 8
    assert "t1" not in plan.allocations
    files = compilation.files
    assert "void network_reset(void);" in files["network.h"]
    assert "memset(network_state + 0, 17, 6); /* state */" in files["network.c"]
    info = json.loads(files["network_c_info.json"])
    assert info["state"]["bytes"] == 8
    assert info["state"]["tensors"][0]["name"] == "state"
    assert info["ram"]["total_bytes"] == plan.activations_bytes + 8
    assert "state (rw)" in compilation.report


def test_planner_check_refuses_overlapping_state(tmp_path):
    plan = compile_bytes(_add_state_model(), tmp_path).plan
    plan.state[99], plan.state_sizes[99] = 4, 4
    with pytest.raises(AssertionError, match="state of t1 and t99 overlap"):
        verify_plan(plan)


def test_state_reset_value_matches_tflite_micro_over_a_sequence(tmp_path):
    x = np.random.default_rng(3).integers(-128, 128, size=(5, 6), dtype=np.int8)
    assert_sequence_bit_exact(_add_state_model(), [x], tmp_path, state_matters=False)


def test_models_without_state_have_no_reset():
    b = ModelBuilder()
    x = b.input("x", (1, 4), **Q)
    y = b.tensor("y", (1, 4), **Q)
    b.op("RELU", [x], [y])
    b.output(y)
    assert not import_model(b.build()).tensor(0).is_variable


def test_a_valid_model_with_an_unsupported_op_is_told_so(tmp_path):
    b = ModelBuilder()
    x = b.input("x", (1, 4), **Q)
    y = b.tensor("y", (1, 4), **Q)
    b.op("CUMSUM", [x, b.const("axis", np.array(1, np.int32))], [y])
    b.output(y)
    with pytest.raises(EdgeAIError, match=r"op 0 \(CUMSUM\) is not supported") as error:
        compile_bytes(b.build(), tmp_path)
    assert "corrupt" not in str(error.value)


def test_a_custom_op_is_named_by_its_custom_code(tmp_path):
    b = ModelBuilder()
    x = b.input("x", (1, 4), **Q)
    y = b.tensor("y", (1, 4), **Q)
    b.custom_op("MyNoiseGate", [x], [y])
    b.output(y)
    with pytest.raises(EdgeAIError, match=r"op 0 \(CUSTOM\(MyNoiseGate\)\) is not supported"):
        compile_bytes(b.build(), tmp_path)


def _complex_model(monkeypatch, custom: bool) -> bytes:
    """x -> RFFT-like custom op (or RESHAPE) with a complex64 tensor, a type no kernel has."""
    monkeypatch.setitem(tflite_builder._NP_TO_TFLITE, np.dtype(np.complex64),
                        tflite.TensorType.COMPLEX64)
    b = ModelBuilder()
    x = b.input("x", (1, 4), dtype=np.complex64)
    y = b.tensor("y", (1, 4), dtype=np.complex64)
    if custom:
        b.custom_op("Rfft2d", [x], [y])
    else:
        b.op("RESHAPE", [x, b.const("shape", [1, 4])], [y])
    b.output(y)
    return b.build()


def test_an_unsupported_op_on_tensors_of_an_unknown_type_is_named(tmp_path, monkeypatch):
    with pytest.raises(EdgeAIError, match=r"op 0 \(CUSTOM\(Rfft2d\)\) is not supported"):
        compile_bytes(_complex_model(monkeypatch, custom=True), tmp_path)


def test_a_tensor_of_an_unknown_type_is_named(tmp_path, monkeypatch):
    with pytest.raises(EdgeAIError, match=r"tensor 0 \('x'\) has type COMPLEX64, which is not "
                                          r"supported"):
        compile_bytes(_complex_model(monkeypatch, custom=False), tmp_path)
