"""A network that needs no activation pool (one layer, I/O outside the activations) still
defines AI_<NAME>_DATA_ACTIVATION_1_SIZE and _SECTION, so one-pool application code (README,
the demo firmware's main.c, the header's own usage comment) compiles against it."""

import subprocess

from support.tflite_builder import ModelBuilder

from edgeai_tool.compiler import compile_model, write_files
from edgeai_tool.options import Options
from edgeai_tool.runtime import runtime_dir


def test_network_without_pools_builds_with_one_pool_code(tmp_path):
    b = ModelBuilder()
    x = b.input("x", (1, 8), scale=0.05, zero_point=-3)
    y = b.tensor("y", (1, 8), scale=0.05, zero_point=-3)
    b.op("RELU", [x], [y])
    b.output(y)
    model = tmp_path / "relu.tflite"
    model.write_bytes(b.build())
    compilation = compile_model(model, Options(name="tiny", allocate_inputs=False,
                                               allocate_outputs=False))
    assert not compilation.network.pools
    out = tmp_path / "out"
    write_files(compilation.files, out)
    assert "#define AI_TINY_DATA_ACTIVATIONS_COUNT 0" in (out / "tiny_data.h").read_text()
    main = tmp_path / "main.c"
    main.write_text(
        '#include <stdint.h>\n#include <string.h>\n#include "tiny.h"\n'
        "static uint8_t pool1[AI_TINY_DATA_ACTIVATION_1_SIZE]\n"
        "    __attribute__((aligned(4), section(AI_TINY_DATA_ACTIVATION_1_SECTION)));\n"
        "int main(void) {\n"
        "    static const int8_t in[8] = {-128, -4, -3, -2, 0, 5, 100, 127};\n"
        "    const int8_t *out;\n"
        "    if (tiny_init((void *const[]){pool1}) != 0) return 1;\n"
        "    memcpy(tiny_input(0), in, AI_TINY_IN_1_SIZE_BYTES);\n"
        "    if (tiny_run() != 0) return 2;\n"
        "    out = tiny_output(0);\n"
        "    return out[0] == -3 && out[1] == -3 && out[3] == -2 && out[7] == 127 ? 0 : 3;\n}\n")
    sources = [main, *out.glob("*.c"), *runtime_dir().glob("*.c")]
    command = ["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic",
               *map(str, sources), f"-I{out}", f"-I{runtime_dir()}", "-o", str(tmp_path / "app")]
    build = subprocess.run(command, capture_output=True, text=True, check=False)
    assert build.returncode == 0, build.stderr
    assert subprocess.run([tmp_path / "app"], check=False).returncode == 0
