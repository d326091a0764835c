"""SCons tool: run a firmware (QEMU or natively) and flash it to a board.

    env.Tool('mcu_run')
    env.Alias('run', env.QemuRun(elf))     # or env.HostRun(program)
    env.Alias('flash', env.Flash(elf, bin))

All three return an always-built alias action, so `scons run` runs again
even when nothing was rebuilt; they fail the build when the program fails.

QemuRun counts the instructions between bench_start() and bench_stop() with
the qemu-insncount plugin, whose sources ship with edgeai (edgeai_tool/
qemu_insncount; $INSNCOUNT_DIR to use others, '' for no counting). The
plugin is built with the host's gcc into $INSNCOUNT_PLUGIN (under #build),
never beside its sources, which may be read-only (an installed package).
"""

import os
import shutil
from pathlib import Path

import SCons.Action

import edgeai_tool
from edgeai_tool.scons import running

INSNCOUNT_SOURCES = Path(edgeai_tool.__file__).resolve().parent / 'qemu_insncount'


def _silent(*args, **kw):
    return None


def QemuRun(env, elf):
    sources = [elf]
    plugin_dir = env.subst('$INSNCOUNT_DIR')
    if plugin_dir and os.path.isfile(os.path.join(plugin_dir, 'insncount.c')):
        # Built with the script that comes with the plugin, so its flags stay
        # the plugin's business.
        plugin = env.Command('$INSNCOUNT_PLUGIN',
                             [f'{plugin_dir}/build.sh', f'{plugin_dir}/insncount.c',
                              f'{plugin_dir}/qemu_plugin_api.h'],
                             SCons.Action.Action('sh ${SOURCES[0]} $TARGET > /dev/null',
                                                 '$PLUGINCOMSTR'))
        sources += plugin
    return _always(env, 'qemu-run', sources, running.qemu_run, '$QEMURUNCOMSTR')


def HostRun(env, program):
    return _always(env, 'host-run', [program], running.host_run, '$HOSTRUNCOMSTR')


def Flash(env, elf, image):
    return _always(env, 'flash-board', [elf, image], running.flash, None)


def _always(env, name, sources, func, comstr):
    action = SCons.Action.Action(func, comstr) if comstr else SCons.Action.Action(func, _silent)
    node = env.Alias(name, sources, action)
    env.AlwaysBuild(node)
    return node


def generate(env):
    env.SetDefault(
        QEMU='qemu-system-arm',
        QEMU_MACHINE='mps2-an500',
        INSNCOUNT_DIR=str(INSNCOUNT_SOURCES),
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
