"""The content-addressed model cache: keys, hits across paths, atomic entries, size bound."""

from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from support.tflite_builder import ModelBuilder

from edgeai_tool import cache as cache_mod
from edgeai_tool.cache import ModelCache, cache_key, generate, parse_size
from edgeai_tool.errors import EdgeAIError
from edgeai_tool.options import Options

REPO = Path(__file__).resolve().parents[2]
POOLS = REPO / "models" / "mempools-board.json"


def small_model(seed: int = 0, units: int = 4) -> bytes:
    """One FULLY_CONNECTED layer with random int8 weights."""
    rng = np.random.default_rng(seed)
    b = ModelBuilder()
    x = b.input("x", (1, 8), scale=0.05, zero_point=0)
    w = b.const("w", rng.integers(-127, 128, (units, 8), dtype=np.int8), scale=0.01,
                zero_point=0)
    bias = b.const("b", rng.integers(-500, 500, units, dtype=np.int32), scale=0.05 * 0.01)
    y = b.tensor("y", (1, units), scale=0.1, zero_point=3)
    b.op("FULLY_CONNECTED", [x, w, bias], [y], fused_activation_function="NONE")
    b.output(y)
    return b.build()


@pytest.fixture
def model(tmp_path: Path) -> Path:
    path = tmp_path / "a" / "model.tflite"
    path.parent.mkdir()
    path.write_bytes(small_model())
    return path


def test_same_model_elsewhere_is_a_hit_and_identical(model, tmp_path):
    cache = ModelCache(tmp_path / "cache")
    first = generate(model, Options(), "cmd", cache)
    assert not first.hit and first.compilation is not None
    other = tmp_path / "b" / "deeper" / "model.tflite"
    other.parent.mkdir(parents=True)
    shutil.copy(model, other)
    second = generate(other, Options(), "cmd", cache)
    assert second.hit and second.compilation is None
    assert second.files == first.files
    assert second.summary == first.summary


@pytest.mark.parametrize("change", ["weights", "name", "optimization", "inputs", "pools",
                                    "command_line", "basename", "generator"])
def test_everything_the_files_depend_on_is_in_the_key(model, tmp_path, change, monkeypatch):
    options = Options()
    base = cache_key(model, options, "cmd")
    line = "cmd"
    if change == "weights":
        model.write_bytes(small_model(seed=1))
    elif change == "name":
        options = Options(name="other")
    elif change == "optimization":
        options = Options(optimization="time")
    elif change == "inputs":
        options = Options(allocate_inputs=False)
    elif change == "pools":
        options = Options(memory_pool=str(POOLS))
    elif change == "command_line":
        line = "cmd -O time"
    elif change == "basename":
        renamed = model.with_name("renamed.tflite")
        shutil.copy(model, renamed)
        model = renamed
    elif change == "generator":
        monkeypatch.setattr(cache_mod, "generator_digest", lambda: "edited")
    assert cache_key(model, options, line) != base


def test_generator_sources_are_the_codegen_not_the_runtime():
    names = {p.relative_to(REPO / "edgeai_tool").as_posix() for p in cache_mod.generator_sources()}
    assert "compiler.py" in names
    assert "codegen/templates/network.c.j2" in names
    assert not any(n.startswith(("runtime/", "validate/")) for n in names)


def test_bad_model_is_an_error_and_not_cached(tmp_path):
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"not a flatbuffer")
    cache = ModelCache(tmp_path / "cache")
    for _ in range(2):
        with pytest.raises(EdgeAIError):
            generate(bad, Options(), "", cache)
    assert cache.entries() == []


def test_damaged_entry_is_a_miss(model, tmp_path):
    cache = ModelCache(tmp_path / "cache")
    key = generate(model, Options(), "", cache).key
    victim = cache.entry(key) / "network_data_params.c"
    victim.write_text("/* truncated */")
    again = generate(model, Options(), "", cache)
    assert not again.hit
    assert "truncated" not in again.files["network_data_params.c"]


def test_size_bound_removes_least_recently_used(tmp_path):
    cache = ModelCache(tmp_path / "cache")
    keys = []
    for seed in range(3):
        path = tmp_path / f"m{seed}.tflite"
        path.write_bytes(small_model(seed))
        keys.append(generate(path, Options(), "", cache).key)
        os.utime(cache.entry(keys[-1]), (1000 + seed, 1000 + seed))
    one = max(size for _, size, _ in cache.entries())
    assert cache.get(keys[0]) is not None  # used now: the most recent
    cache.prune(2 * one)
    assert keys[0] in cache and keys[2] in cache and keys[1] not in cache
    cache.max_bytes = 0
    cache.prune()
    assert cache.entries() == []


def test_settings_directory_size_and_off(tmp_path, monkeypatch):
    monkeypatch.setenv("EDGEAI_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("EDGEAI_CACHE_SIZE", "1M")
    cache = ModelCache.from_settings()
    assert cache.directory == tmp_path / "c" and cache.max_bytes == 2**20
    assert ModelCache.from_settings(tmp_path / "d", "2G").max_bytes == 2 * 2**30
    assert ModelCache.from_settings("off") is None
    monkeypatch.setenv("EDGEAI_CACHE_DIR", "OFF")
    assert ModelCache.from_settings() is None
    monkeypatch.delenv("EDGEAI_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert ModelCache.from_settings().directory == tmp_path / "xdg" / "edgeai"
    assert parse_size("512KiB") == 512 * 1024 and parse_size("1000") == 1000
    with pytest.raises(EdgeAIError, match="cache size"):
        parse_size("lots")


def test_unwritable_cache_still_generates(model, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    result = generate(model, Options(), "", ModelCache(blocker / "cache"))
    assert not result.hit and result.files


def _store(args):
    directory, model, _index = args
    result = generate(model, Options(), "", ModelCache(directory))
    return result.key, result.files


def test_concurrent_writers_and_readers_agree(model, tmp_path):
    directory = tmp_path / "cache"
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = pool.map(_store, [(directory, model, i) for i in range(8)])
    assert len({key for key, _ in results}) == 1
    assert all(files == results[0][1] for _, files in results)
    cache = ModelCache(directory)
    assert len(cache.entries()) == 1
    assert not list((directory / "tmp").iterdir())
