"""Read ST Edge AI's memory-pool file (`--memory-pool mempools.json`).

Format (values are strings, decimal or 0x-hex; magnitudes BYTES, KBYTES, MBYTES):
    {"memory": {"mempools": [{"name": "DTCMRAM",
        "prop": {"throughput": "HIGH", "latency": "LOW"},
        "size": {"value": "120", "magnitude": "KBYTES"},
        "offset": {"value": "0", "magnitude": "BYTES"}}, ...]}}
Offset 0 means the application passes the pool's base address at run time; any other
offset is a fixed address compiled into the network.

In a firmware, the buffer the application supplies for pool NAME goes in the linker section
`.edgeai_pool_NAME` (the generated `AI_<NET>_DATA_ACTIVATION_<n>_SECTION`); the board's linker
script puts it in the RAM region of that name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edgeai_tool.errors import EdgeAIError

POOL_SECTION_PREFIX = ".edgeai_pool_"  # + pool name: the section of its buffer in a firmware
_UNBOUNDED = (1 << 31) - 1  # the default pool's size: whatever the plan needs
_MAGNITUDES = {"BYTES": 1, "KBYTES": 1024, "MBYTES": 1024 * 1024}
_THROUGHPUT_RANK = {"HIGH": 0, "MID": 1, "LOW": 2}
_LATENCY_RANK = {"LOW": 0, "MID": 1, "HIGH": 2}


@dataclass(frozen=True)
class MemoryPool:
    name: str
    size: int
    address: int = 0  # 0: supplied by the application at run time
    throughput: str = "MID"
    latency: str = "MID"

    @property
    def sized_to_fit(self) -> bool:
        """The default pool: no size given, the application's buffer is as large as the plan."""
        return self.size == _UNBOUNDED

    @property
    def speed_rank(self) -> tuple[int, int]:
        """Sort key: faster pools (high throughput, then low latency) first."""
        return _THROUGHPUT_RANK[self.throughput], _LATENCY_RANK[self.latency]


def default_pools() -> list[MemoryPool]:
    """Without a pool file: one pool the application supplies, as large as needed."""
    return [MemoryPool(name="POOL_0_RAM", size=_UNBOUNDED)]


def load_mempools(path: str | Path) -> list[MemoryPool]:
    """Parse a pool file; errors name the file, the pool and the field."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EdgeAIError(f"memory-pool file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EdgeAIError(f"cannot read memory-pool file {path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise EdgeAIError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    return parse_mempools(document, str(path))


def parse_mempools(document: Any, source: str = "<memory pools>") -> list[MemoryPool]:
    try:
        entries = document["memory"]["mempools"]
    except (KeyError, TypeError):
        raise EdgeAIError(f"{source}: expected {{\"memory\": {{\"mempools\": [...]}}}}") from None
    if not isinstance(entries, list) or not entries:
        raise EdgeAIError(f"{source}: \"mempools\" must be a non-empty list")
    pools = [_parse_pool(entry, f"{source}: mempools[{i}]") for i, entry in enumerate(entries)]
    names = [pool.name for pool in pools]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise EdgeAIError(f"{source}: pool name {duplicates[0]!r} is used twice")
    return pools


def _parse_pool(entry: Any, where: str) -> MemoryPool:
    if not isinstance(entry, dict):
        raise EdgeAIError(f"{where}: expected an object")
    name = entry.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        raise EdgeAIError(f"{where}: \"name\" must be a C identifier, got {name!r}")
    where = f"{where} ({name})"
    prop = entry.get("prop", {})
    if not isinstance(prop, dict):
        raise EdgeAIError(f"{where}: \"prop\" must be an object")
    size = _parse_quantity(entry.get("size"), f"{where}: size")
    if size <= 0:
        raise EdgeAIError(f"{where}: size must be positive")
    return MemoryPool(
        name=name,
        size=size,
        address=_parse_quantity(entry.get("offset", {"value": "0"}), f"{where}: offset"),
        throughput=_parse_rank(prop.get("throughput", "MID"), _THROUGHPUT_RANK,
                               f"{where}: prop.throughput"),
        latency=_parse_rank(prop.get("latency", "MID"), _LATENCY_RANK, f"{where}: prop.latency"),
    )


def _parse_quantity(field: Any, where: str) -> int:
    if not isinstance(field, dict) or "value" not in field:
        raise EdgeAIError(f"{where}: expected {{\"value\": \"...\", \"magnitude\": \"...\"}}")
    magnitude = field.get("magnitude", "BYTES")
    if magnitude not in _MAGNITUDES:
        raise EdgeAIError(
            f"{where}: magnitude {magnitude!r} is not one of {', '.join(_MAGNITUDES)}")
    raw = str(field["value"]).strip()
    try:
        value = int(raw, 0) if raw.lower().startswith("0x") else int(raw)
    except ValueError:
        raise EdgeAIError(f"{where}: value {raw!r} is not a decimal or 0x-hex integer") from None
    if value < 0:
        raise EdgeAIError(f"{where}: value must not be negative")
    return value * _MAGNITUDES[magnitude]


def _parse_rank(value: Any, ranks: dict[str, int], where: str) -> str:
    if value not in ranks:
        raise EdgeAIError(f"{where}: {value!r} is not one of {', '.join(ranks)}")
    return value
