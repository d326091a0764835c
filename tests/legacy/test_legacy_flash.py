"""What the legacy layer costs in flash on the demo network for Cortex-M7 (-O2, sections
garbage-collected, as the firmware is built): nothing when unused; at most 1 KiB more than
the native API for an application written against it (CubeMX's application template, and
the example, which also reads the report)."""

import shutil
import subprocess

import pytest
from support.legacy_app import CORTEX_M7, generate

# What the demo firmware uses of libc (memcpy and memset are in any firmware with stdio) and
# of the native API, and what an application written against the legacy API uses instead.
LIBC = ("memcpy", "memset")
NATIVE = (*LIBC, "network_init", "network_input", "network_output", "network_run")
TEMPLATE_APP = ("ai_network_create_and_init", "ai_network_inputs_get",
                "ai_network_outputs_get", "ai_network_run", "ai_network_get_error",
                "ai_network_destroy")
EXAMPLE_APP = (*TEMPLATE_APP, "ai_network_get_report")


def _flash(tmp_path, objects, roots: tuple[str, ...], name: str) -> int:
    """text + data (the flash image) of the objects linked with only `roots` kept."""
    elf = tmp_path / f"{name}.elf"
    command = ["arm-none-eabi-gcc", *CORTEX_M7, "-nostartfiles", "--specs=nano.specs",
               "-Wl,--gc-sections", "-Wl,--entry=0", *(f"-Wl,--undefined={r}" for r in roots),
               *map(str, objects), "-o", str(elf)]
    subprocess.run(command, check=True, capture_output=True)
    sizes = subprocess.run(["arm-none-eabi-size", str(elf)], check=True, capture_output=True,
                           text=True).stdout.splitlines()[1].split()
    return int(sizes[0]) + int(sizes[1])


def _objects(directory, c_api: str) -> list:
    generated, runtime = generate(directory, "--c-api", c_api)
    built = []
    for source in [*sorted(generated.glob("*.c")), *sorted(runtime.glob("*.c"))]:
        obj = directory / f"{source.parent.name}_{source.stem}.o"
        subprocess.run(["arm-none-eabi-gcc", *CORTEX_M7, "-std=c99", "-O2", "-Wall", "-Wextra",
                        "-Werror", "-ffunction-sections", "-fdata-sections", f"-I{generated}",
                        f"-I{runtime}", "-c", str(source), "-o", str(obj)], check=True)
        built.append(obj)
    return built


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    if shutil.which("arm-none-eabi-gcc") is None:
        pytest.skip("needs arm-none-eabi-gcc")
    return tmp_path_factory.mktemp("flash")


@pytest.fixture(scope="module")
def legacy_objects(directory):
    return _objects(directory / "legacy", "legacy")


def test_unused_legacy_layer_costs_nothing(directory, legacy_objects):
    native_objects = _objects(directory / "edgeai", "edgeai")
    assert (_flash(directory, legacy_objects, NATIVE, "unused")
            == _flash(directory, native_objects, NATIVE, "native"))


@pytest.mark.parametrize("app", [TEMPLATE_APP, EXAMPLE_APP], ids=["template-app", "example-app"])
def test_legacy_layer_costs_at_most_1_kib(directory, legacy_objects, app):
    native = _flash(directory, legacy_objects, NATIVE, "native")
    legacy = _flash(directory, legacy_objects, (*LIBC, *app), "legacy")
    assert 0 < legacy - native <= 1024, f"legacy layer: {legacy - native} B of flash"
