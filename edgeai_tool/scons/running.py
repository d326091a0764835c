"""Running a firmware: in QEMU (counting instructions with the qemu-insncount plugin),
natively, or on a board through a flashing program. The actions of the mcu_run tool."""

from __future__ import annotations

import os
import re
import subprocess


def _symbol_addresses(env, elf: str, names: tuple[str, ...]) -> dict[str, int]:
    out = subprocess.run([env.subst('$NM'), elf], check=True, capture_output=True,
                         text=True).stdout
    found = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] in names:
            # Thumb function symbols carry bit 0; instructions start one lower.
            found[parts[2]] = int(parts[0], 16) & ~1
    return found


def _report_counts(path: str) -> None:
    with open(path) as f:
        counts = [int(n) for n in re.findall(r'^region \d+: (\d+) insns', f.read(), re.M)]
    if not counts:
        print('run: no bench_start/bench_stop region was executed')
    elif min(counts) == max(counts):
        print(f'instructions per inference: {counts[0]}')
    else:
        print(f'instructions per inference: {sum(counts) // len(counts)} '
              f'(mean of {len(counts)}, min {min(counts)}, max {max(counts)})')


def _run_program(cmd: list[str], env, what: str, report_status: bool = True) -> int:
    """Runs cmd with stdout/stderr passed through; returns its status."""
    timeout = int(env.subst('$RUN_TIMEOUT') or 0) or None
    if env.get('VERBOSE'):
        print(' '.join(cmd))
    try:
        status = subprocess.run(cmd, env=env['ENV'], timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        print(f'run: {what} still running after {timeout} s, stopped (RUN_TIMEOUT)')
        return 1
    if status and report_status:
        print(f'run: {what} exited with status {status}')
    return status


def qemu_run(target, source, env) -> int:
    """Run source[0] in QEMU; with the plugin (source[1]), print the instructions counted
    between bench_start and bench_stop."""
    elf = source[0].get_abspath()
    cmd = [env.subst('$QEMU'), '-M', env.subst('$QEMU_MACHINE'), '-nographic',
           '-semihosting-config', 'enable=on,target=native', '-kernel', elf]
    counts = None
    if len(source) == 1:
        print(f"run: no qemu-insncount sources in {env.subst('$INSNCOUNT_DIR')!r} "
              '(INSNCOUNT_DIR); not counting instructions')
    else:
        marks = _symbol_addresses(env, elf, ('bench_start', 'bench_stop'))
        if len(marks) == 2:
            counts = os.path.join(os.path.dirname(elf), 'insncount.txt')
            if os.path.exists(counts):
                os.remove(counts)
            cmd += ['-plugin', f"{source[1].get_abspath()},start={marks['bench_start']:#x},"
                               f"stop={marks['bench_stop']:#x},out={counts}"]
        else:
            print('run: no bench_start/bench_stop in the firmware; not counting instructions')
    status = _run_program(cmd, env, 'QEMU', report_status=False)
    if counts and os.path.exists(counts):
        _report_counts(counts)
    if status:
        print(f'run: QEMU exited with status {status}')
    return status


def host_run(target, source, env) -> int:
    """Run the program natively."""
    return _run_program([source[0].get_abspath()], env, str(source[0]))


# (program, command) in order of preference; the sources are [elf, bin].
# st-flash needs the raw image and its address; openocd and pyocd read the
# addresses from the ELF.
FLASHERS = [
    ('st-flash', '$FLASH_STFLASH --reset write ${SOURCES[1]} $FLASH_ADDRESS'),
    ('openocd', '$FLASH_OPENOCD -f $OPENOCD_CONFIG -c "program ${SOURCES[0]} verify reset exit"'),
    ('pyocd', '$FLASH_PYOCD flash -t $PYOCD_TARGET ${SOURCES[0]}'),
]


def flash(target, source, env) -> int:
    """Write the firmware to the board with $FLASHER, else the first flasher installed."""
    wanted = env.subst('$FLASHER')
    for name, command in FLASHERS:
        if wanted and name != wanted:
            continue
        program = env.WhereIs(env.subst(f'$FLASH_{name.upper().replace("-", "")}'))
        if not program:
            continue
        cmd = env.subst(command, target=target, source=source)
        print(f'Flashing {source[0]} with {name}')
        status = subprocess.run(cmd, shell=True, env=env['ENV']).returncode
        if status:
            print(f'flash: {name} failed (status {status}); is the {env.subst("$BOARD_NAME")} '
                  'connected by USB, and is no other program using its ST-LINK?')
        return status
    print(f'flash: no flashing program found{" (FLASHER=" + wanted + ")" if wanted else ""}; '
          'install one of: st-flash (Debian/Ubuntu: apt install stlink-tools), '
          'openocd (apt install openocd), pyocd (pip install pyocd)')
    return 1
