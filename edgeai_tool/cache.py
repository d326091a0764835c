"""Content-addressed cache of generated C models, shared by builds, projects and the CLI.

A build asks for the C files of (model, memory pools, options); when any build on this
machine (or any machine sharing the directory) generated them before, they come from the
cache instead of running the generator again, whatever path or project the model is in.

The key is the SHA-256 of everything the generated files depend on: the model's and the
pool file's bytes and base names (the report names them), the options, the command line
shown in the report, the tool version and a digest of the generator's own sources and
templates (`generator_sources`), so editing the generator never returns stale files.

Layout under the cache directory (default `~/.cache/edgeai`, or `$XDG_CACHE_HOME/edgeai`;
`EDGEAI_CACHE_DIR` overrides, `EDGEAI_CACHE_DIR=off` disables)::

    models-v1/<key>/NAME.c ... NAME_c_info.json  edgeai-cache.json
    tmp/                                         entries being written or removed

Safe with concurrent builds: an entry is written in `tmp/` and renamed into place in one
step (the first writer wins, later ones drop their copy); readers check every file against
the digests in `edgeai-cache.json`, so they see a whole entry or a miss, never a part.
Bounded: after each store, least recently used entries (by the entry directory's mtime,
refreshed on every hit) are removed until the cache is within its size
(`EDGEAI_CACHE_SIZE`, default 256 MiB). Removal is rename-then-delete, so a reader never
sees a half-removed entry either. The cache is an optimisation: any problem with it
(unwritable, full, corrupt) falls back to generating, it never fails a build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from edgeai_tool import __version__
from edgeai_tool.errors import EdgeAIError

if TYPE_CHECKING:  # the pipeline is imported only when something is generated
    from edgeai_tool.compilation import Compilation
    from edgeai_tool.options import Options

FORMAT = 1
ENTRIES = f"models-v{FORMAT}"
INDEX = "edgeai-cache.json"
DEFAULT_MAX_BYTES = 256 * 2**20
ENV_DIR = "EDGEAI_CACHE_DIR"
ENV_SIZE = "EDGEAI_CACHE_SIZE"
OFF = "off"
STALE_TMP_SECONDS = 3600  # a writer that crashed leaves its tmp/ directory behind

# Package parts that do not take part in generating C files: editing them must not
# invalidate cached models (the runtime and boards are compiled by the build, not generated;
# the build integrations and the manifest drive the generator without changing its output).
_NOT_GENERATOR = ("runtime", "validate", "boards", "scons", "cmake", "qemu_insncount",
                  "cli.py", "__main__.py", "cache.py", "manifest.py", "depfile.py")


def generator_sources() -> list[Path]:
    """The generator's Python sources and templates, sorted: what the generated files
    depend on besides the model, pools and options. The SCons tool makes them implicit
    dependencies of every generated model."""
    root = Path(__file__).resolve().parent
    return sorted(
        path for path in root.rglob("*")
        if path.suffix in (".py", ".j2") and "__pycache__" not in path.parts
        and path.relative_to(root).parts[0] not in _NOT_GENERATOR)


@lru_cache(maxsize=1)
def generator_digest() -> str:
    """SHA-256 over the generator's sources and templates (names and bytes)."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in generator_sources():
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _file_digest(path: str | Path, what: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as exc:
        raise EdgeAIError(f"cannot read {what} {path}: {exc.strerror}") from None


def cache_key(model_path: str | Path, options: Options, command_line: str = "") -> str:
    """The entry's key: SHA-256 of everything the generated files depend on."""
    pools = options.memory_pool
    fields = {
        "format": FORMAT,
        "version": __version__,
        "generator": generator_digest(),
        "model": [Path(model_path).name, _file_digest(model_path, "model")],
        "pools": [Path(pools).name, _file_digest(pools, "memory-pool file")] if pools else None,
        "options": {k: v for k, v in asdict(options).items() if k != "memory_pool"},
        "command_line": command_line,
    }
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def default_directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "edgeai"


_UNITS = {"": 1, "b": 1, "k": 2**10, "kb": 2**10, "kib": 2**10, "m": 2**20, "mb": 2**20,
          "mib": 2**20, "g": 2**30, "gb": 2**30, "gib": 2**30}


def parse_size(text: str | int) -> int:
    """'256M', '1G', '512KiB', '1000000' -> bytes."""
    if isinstance(text, int):
        return text
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(text))
    unit = match.group(2).lower() if match else None
    if unit not in _UNITS:
        raise EdgeAIError(f"cache size {text!r} is not a size like 256M, 1G or 500000 (bytes)")
    return int(float(match.group(1)) * _UNITS[unit])


@dataclass
class Generated:
    """C files of one model, from the cache or freshly generated."""

    files: dict[str, str]
    summary: str
    key: str | None = None
    hit: bool = False
    compilation: Compilation | None = None  # only when generated in this call


class ModelCache:
    """One cache directory of generated models."""

    def __init__(self, directory: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.directory = Path(directory).expanduser()
        self.max_bytes = max_bytes

    @classmethod
    def from_settings(cls, directory: str | Path | None = None,
                      max_size: str | int | None = None) -> ModelCache | None:
        """The cache the settings ask for (None when disabled). Unset arguments come from
        $EDGEAI_CACHE_DIR and $EDGEAI_CACHE_SIZE, then the defaults; 'off' disables."""
        if directory is None or str(directory) == "":
            directory = os.environ.get(ENV_DIR) or default_directory()
        if str(directory).strip().lower() == OFF:
            return None
        if max_size is None or str(max_size) == "":
            max_size = os.environ.get(ENV_SIZE) or DEFAULT_MAX_BYTES
        return cls(directory, parse_size(max_size))

    # ---- entries -------------------------------------------------------------------------

    def entry(self, key: str) -> Path:
        return self.directory / ENTRIES / key

    def __contains__(self, key: str) -> bool:
        return (self.entry(key) / INDEX).is_file()

    def get(self, key: str) -> Generated | None:
        """The entry's files (and marks it recently used), or None: missing or damaged."""
        entry = self.entry(key)
        try:
            index = json.loads((entry / INDEX).read_text(encoding="utf-8"))
            files = {}
            for name, digest in index["files"].items():
                data = (entry / name).read_bytes()
                if hashlib.sha256(data).hexdigest() != digest:
                    return None
                files[name] = data.decode("utf-8")
        except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
            return None
        # Recently used: pruned last. A read-only cache still serves its entries.
        with contextlib.suppress(OSError):
            os.utime(entry)
        return Generated(files, index.get("summary", ""), key, hit=True)

    def put(self, key: str, files: dict[str, str], summary: str = "") -> bool:
        """Store an entry (no-op when another build stored it first); then keep the cache
        within its size. False when the cache could not be written (not an error)."""
        if key in self:
            return True
        staging = None
        try:
            tmp = self.directory / "tmp"
            tmp.mkdir(parents=True, exist_ok=True)
            (self.directory / ENTRIES).mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f"{key[:16]}.", dir=tmp))
            digests = {}
            for name, text in sorted(files.items()):
                data = text.encode("utf-8")
                (staging / name).write_bytes(data)
                digests[name] = hashlib.sha256(data).hexdigest()
            index = {"format": FORMAT, "version": __version__, "files": digests,
                     "summary": summary}
            (staging / INDEX).write_text(json.dumps(index, indent=1) + "\n", encoding="utf-8")
            try:
                os.rename(staging, self.entry(key))
                staging = None
            except OSError:
                if key not in self:  # not a lost race: a real problem
                    raise
        except OSError:
            return False
        finally:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
        self.prune()
        return True

    # ---- size bound ----------------------------------------------------------------------

    def entries(self) -> list[tuple[float, int, Path]]:
        """(last use, bytes, path) of every entry, least recently used first."""
        found = []
        try:
            with os.scandir(self.directory / ENTRIES) as it:
                for item in it:
                    try:
                        used = item.stat().st_mtime
                        size = sum(f.stat().st_size for f in os.scandir(item.path))
                    except OSError:
                        continue  # removed meanwhile
                    found.append((used, size, Path(item.path)))
        except OSError:
            return []
        return sorted(found)

    def size(self) -> int:
        return sum(size for _, size, _ in self.entries())

    def prune(self, max_bytes: int | None = None) -> int:
        """Remove least recently used entries until the cache holds at most max_bytes
        (default: its size bound); also forgotten tmp/ directories. Returns how many
        entries went."""
        limit = self.max_bytes if max_bytes is None else max_bytes
        self._remove_stale_tmp()
        entries = self.entries()
        total = sum(size for _, size, _ in entries)
        removed = 0
        for _, size, path in entries:
            if total <= limit:
                break
            if self._remove(path):
                removed += 1
            total -= size
        return removed

    def _remove(self, path: Path) -> bool:
        """Rename out of sight first: readers see the whole entry or none of it."""
        try:
            trash = Path(tempfile.mkdtemp(prefix="removed.", dir=self.directory / "tmp"))
            os.rename(path, trash / path.name)
        except OSError:
            return False  # another build removed it, or the cache is read-only
        shutil.rmtree(trash, ignore_errors=True)
        return True

    def _remove_stale_tmp(self) -> None:
        now = time.time()
        try:
            with os.scandir(self.directory / "tmp") as it:
                stale = [item.path for item in it
                         if now - item.stat(follow_symlinks=False).st_mtime > STALE_TMP_SECONDS]
        except OSError:
            return
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)

    def clear(self) -> None:
        self.prune(0)


def generate(model_path: str | Path, options: Options, command_line: str = "",
             cache: ModelCache | None = None, key: str | None = None) -> Generated:
    """`compile_model`'s files through the cache: the same model, pools, options and
    generator give the stored files without generating. `key`, when the caller already
    has it, is `cache_key`'s for these arguments (spares hashing the model again). Raises
    `EdgeAIError` on bad input exactly like `compile_model` (errors are never cached)."""
    from edgeai_tool.compiler import compile_model

    if cache is None:
        compilation = compile_model(model_path, options, command_line)
        return Generated(compilation.files, compilation.summary(), compilation=compilation)
    options.validate()
    key = key or cache_key(model_path, options, command_line)
    found = cache.get(key)
    if found is not None:
        return found
    compilation = compile_model(model_path, options, command_line)
    cache.put(key, compilation.files, compilation.summary())
    return Generated(compilation.files, compilation.summary(), key, compilation=compilation)
