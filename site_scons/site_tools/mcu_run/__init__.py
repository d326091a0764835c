"""SCons tool: run a firmware (QEMU or natively) and flash it to a board.

    env.Tool('mcu_run')
    env.Alias('run', env.QemuRun(elf))     # or env.HostRun(program)
    env.Alias('flash', env.Flash(elf, bin))

All three return an always-built alias action, so `scons run` runs again
even when nothing was rebuilt; they fail the build when the program fails.

QemuRun counts the instructions between bench_start() and bench_stop() with
the qemu-insncount plugin (../shared/tools/qemu-insncount) when
$INSNCOUNT_DIR holds its sources: the plugin is built into the variant dir,
never into the (possibly read-only) shared tree.
"""

import os
import re
import shutil
import subprocess

import SCons.Action
import SCons.Script


def _symbol_addresses(env, elf, names):
    out = subprocess.run([env.subst('$NM'), elf], check=True, capture_output=True,
                         text=True).stdout
    found = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] in names:
            # Thumb function symbols carry bit 0; instructions start one lower.
            found[parts[2]] = int(parts[0], 16) & ~1
    return found


def _report_counts(path):
    with open(path) as f:
        counts = [int(n) for n in re.findall(r'^region \d+: (\d+) insns', f.read(), re.M)]
    if not counts:
        print('run: no bench_start/bench_stop region was executed')
    elif min(counts) == max(counts):
        print(f'instructions per inference: {counts[0]}')
    else:
        print(f'instructions per inference: {sum(counts) // len(counts)} '
              f'(mean of {len(counts)}, min {min(counts)}, max {max(counts)})')


def _run(cmd, env, what, report_status=True):
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


def _qemu_run(target, source, env):
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
    status = _run(cmd, env, 'QEMU', report_status=False)
    if counts and os.path.exists(counts):
        _report_counts(counts)
    if status:
        print(f'run: QEMU exited with status {status}')
    return status


def _host_run(target, source, env):
    return _run([source[0].get_abspath()], env, str(source[0]))


# (program, command) in order of preference; the sources are [elf, bin].
# st-flash needs the raw image and its address; openocd and pyocd read the
# addresses from the ELF.
FLASHERS = [
    ('st-flash', '$FLASH_STFLASH --reset write ${SOURCES[1]} $FLASH_ADDRESS'),
    ('openocd', '$FLASH_OPENOCD -f $OPENOCD_CONFIG -c "program ${SOURCES[0]} verify reset exit"'),
    ('pyocd', '$FLASH_PYOCD flash -t $PYOCD_TARGET ${SOURCES[0]}'),
]


def _flash(target, source, env):
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


def _silent(*args, **kw):
    return None


def QemuRun(env, elf):
    sources = [elf]
    plugin_dir = env.subst('$INSNCOUNT_DIR')
    if plugin_dir and os.path.isfile(os.path.join(plugin_dir, 'insncount.c')):
        # Built with the script that comes with the plugin, so its flags stay
        # the plugin's business; into our variant dir, not the shared tree.
        plugin = env.Command('$INSNCOUNT_PLUGIN',
                             [f'{plugin_dir}/build.sh', f'{plugin_dir}/insncount.c',
                              f'{plugin_dir}/qemu_plugin_api.h'],
                             SCons.Action.Action('sh ${SOURCES[0]} $TARGET > /dev/null',
                                                 '$PLUGINCOMSTR'))
        sources += plugin
    return _always(env, 'qemu-run', sources, _qemu_run, '$QEMURUNCOMSTR')


def HostRun(env, program):
    return _always(env, 'host-run', [program], _host_run, '$HOSTRUNCOMSTR')


def Flash(env, elf, image):
    return _always(env, 'flash-board', [elf, image], _flash, None)


def _always(env, name, sources, func, comstr):
    action = SCons.Action.Action(func, comstr) if comstr else SCons.Action.Action(func, _silent)
    node = env.Alias(name, sources, action)
    env.AlwaysBuild(node)
    return node


def generate(env):
    env.SetDefault(
        QEMU='qemu-system-arm',
        QEMU_MACHINE='mps2-an500',
        INSNCOUNT_DIR='',
        INSNCOUNT_PLUGIN='#build/qemu-insncount/libinsncount.so',
        RUN_TIMEOUT=600,
        FLASHER='',
        FLASH_STFLASH='st-flash',
        FLASH_OPENOCD='openocd',
        FLASH_PYOCD='pyocd',
        FLASH_ADDRESS='0x08000000',
        OPENOCD_CONFIG='board/st_nucleo_f7.cfg',
        PYOCD_TARGET='stm32f767zi',
        BOARD_NAME='board',
    )
    # The run actions print their command themselves under VERBOSE.
    env.SetDefault(
        QEMURUNCOMSTR='Running ${SOURCE} in QEMU $QEMU_MACHINE',
        HOSTRUNCOMSTR='Running $SOURCE',
    )
    if not env.get('VERBOSE'):
        env.SetDefault(PLUGINCOMSTR='Building $TARGET')
    env.AddMethod(QemuRun)
    env.AddMethod(HostRun)
    env.AddMethod(Flash)


def exists(env):
    return bool(shutil.which('qemu-system-arm'))
