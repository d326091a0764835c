"""Board support that ships with edgeai: startup code, linker scripts, clocks and console
for each board target, built by the `SConscript` beside this file (the SCons tool's
`env.EdgeAIBoard(variant_dir)`)."""

from __future__ import annotations

from pathlib import Path

# What each target's board needs; the machine flags are the toolchain tool's (mcu_gcc).
# dir: the board's folder; script: its linker script (none: a hosted program); irqs sizes
# the vector table (device interrupts after the 16 core entries); sources: the common
# Cortex-M files it links besides startup and sbrk.
BOARDS = {
    'stm32f7': dict(
        name='NUCLEO-F767ZI', dir='stm32f7', script='stm32f767zi.ld', irqs=110,
        sources=['cortex_m/console_syscalls.c', 'cortex_m/cache.c', 'cortex_m/cycles.c']),
    'qemu-m7': dict(
        name='QEMU mps2-an500', dir='qemu_m7', script='mps2_an500.ld', irqs=32, sources=[]),
    'host': dict(name='host', dir='host', sources=[]),
}


def sconscript() -> Path:
    """The SConscript that builds a board's support for $MCU_TARGET."""
    return Path(__file__).resolve().parent / 'SConscript'
