"""SCons tool: GCC for a microcontroller target (arm-none-eabi) or for the host.

    env = Environment(tools=['mcu_gcc'], MCU_TARGET='stm32f7')
    elf, map_, bin_, hex_, usage = env.Firmware('firmware', sources, LINKER_SCRIPT='board.ld')

$MCU_TARGET picks a preset from PRESETS (one per board of edgeai_tool.boards):
the machine flags, which go unchanged
to the compiler, the assembler and the linker (a hard-float object linked
against soft-float libraries fails only at run time, so one list feeds all
three). Every setting is an ordinary construction variable set with
SetDefault, so values given to Environment() win and anything can be changed
after loading: OPTFLAGS, DEBUGFLAGS, WARNFLAGS, MCU_FLAGS, SPECSFLAGS,
TOOLCHAIN_PREFIX (a directory may be part of it), CC_LAUNCHER (e.g. ccache).

Output is one line per step (`Compiling firmware/app/main.c`); set VERBOSE
in the environment before loading the tool to see full command lines.
"""

import SCons.Action
import SCons.Builder
import SCons.Errors
import SCons.Util

from edgeai_tool.boards import BOARDS
from edgeai_tool.options import DEFAULT_TARGET
from edgeai_tool.scons import memory

# One preset per board (edgeai_tool/boards/targets/*.yaml): the machine flags
# of its core and FPU, newlib's specs, whether it is an ARM target. Thumb-2 is
# the only instruction set of M-profile cores but gcc still needs -mthumb.
PRESETS = {
    target: dict(description=f'{board.name}: {board.description}',
                 machine=board.machine_flags(), specs=board.specs_flags(), arm=board.arm)
    for target, board in BOARDS.items()
}

# One concise line per step. A source file is shown where it lives in the
# source tree (firmware/app/main.c, not its variant-dir twin under build/),
# a generated one where it is generated (build/stm32f7/network/network.c).
COMSTRS = {
    'CCCOMSTR': 'Compiling ${_SOURCE_SHOWN(SOURCE)}',
    'SHCCCOMSTR': 'Compiling ${_SOURCE_SHOWN(SOURCE)}',
    'ASCOMSTR': 'Assembling ${_SOURCE_SHOWN(SOURCE)}',
    'ASPPCOMSTR': 'Assembling ${_SOURCE_SHOWN(SOURCE)}',
    'LINKCOMSTR': 'Linking $TARGET',
    'ARCOMSTR': 'Archiving $TARGET',
    'OBJCOPYCOMSTR': 'Writing $TARGET',
}


def _source_shown(node):
    return node.path if node.is_derived() else node.srcnode().path


def preset(env):
    """The preset dict of $MCU_TARGET; a clear error for unknown names."""
    name = env.subst('$MCU_TARGET')
    try:
        return PRESETS[name]
    except KeyError:
        raise SCons.Errors.UserError(
            f"mcu_gcc: unknown MCU_TARGET '{name}'; known: {', '.join(PRESETS)}") from None


def _firmware(env, target, source, **kw):
    """Link target(.elf) with a map file; on ARM also write .bin and .hex and
    print the memory summary, and check that no section overlaps a fixed-address pool of
    the models linked (memory.check_fixed_pools). Returns [elf, map, bin, hex, memory
    summary] (host: [program])."""
    if not preset(env)['arm']:
        return env.Program(target, source, **kw)
    base = str(target)
    script = kw.pop('LINKER_SCRIPT', env.get('LINKER_SCRIPT'))
    # The map is a real target (not a SideEffect) so CacheDir stores it too.
    elf, map_ = env.Program([base, base + '.map'], source,
                            MAPFLAGS='-Wl,-Map=${TARGETS[1]}', SPAWN=memory.link_spawn,
                            _LINKSCRIPT=['-T', script] if script else [], **kw)
    if script:
        env.Depends(elf, script)
    # Models with a pool at a fixed address: the link must have left that range free.
    infos = memory.model_infos(elf.sources)
    if infos:
        env.Depends(elf, infos)
        env.AddPostAction(elf, SCons.Action.Action(memory.check_fixed_pools, None))
    bin_ = env.ObjCopy(base + '.bin', elf, OBJCOPYFORMAT='binary')
    hex_ = env.ObjCopy(base + '.hex', elf, OBJCOPYFORMAT='ihex')
    usage = env.MemoryUsage(base + '.memory.txt', [elf, map_])
    return [elf, map_, bin_[0], hex_[0], usage[0]]


def generate(env):
    env.SetDefault(MCU_TARGET=DEFAULT_TARGET)
    p = preset(env)

    env.SetDefault(
        TOOLCHAIN_PREFIX='arm-none-eabi-' if p['arm'] else '',
        MCU_FLAGS=list(p['machine']),
        SPECSFLAGS=list(p['specs']),
        OPTFLAGS=['-O2'],
        DEBUGFLAGS=['-g'],
        # Strict for our own code; a clone with other WARNFLAGS builds code we
        # do not control (e.g. generated files) without -Werror.
        WARNFLAGS=['-Wall', '-Wextra', '-Werror'],
        CC_LAUNCHER='',
        LINKER_SCRIPT='',
        MAPFLAGS='',
        _LINKSCRIPT='',
    )
    # The ARM compiler always comes from the prefix: a default-tools
    # environment's CC='gcc' must not silently build ARM code natively.
    if p['arm'] or 'CC' not in env:
        env['CC'] = '${TOOLCHAIN_PREFIX}gcc'
    for tool in ('gcc', 'gnulink', 'ar', 'gas'):
        env.Tool(tool)
    env['AR'] = '${TOOLCHAIN_PREFIX}ar'
    env['RANLIB'] = '${TOOLCHAIN_PREFIX}ranlib'
    # gcc drives the assembler so .S files get the preprocessor and the same
    # machine flags as C.
    env['AS'] = '$CC'
    # 'ar rcs' writes the index itself, so the separate ranlib step goes.
    env['ARFLAGS'] = SCons.Util.CLVar('rcs')
    env['BUILDERS']['StaticLibrary'].action = SCons.Action.Action('$ARCOM', '$ARCOMSTR')
    env['OBJCOPY'] = '${TOOLCHAIN_PREFIX}objcopy'
    env['OBJDUMP'] = '${TOOLCHAIN_PREFIX}objdump'
    env['NM'] = '${TOOLCHAIN_PREFIX}nm'
    env['SIZE'] = '${TOOLCHAIN_PREFIX}size'

    # The launcher is wrapped in $( $) so it is left out of the build
    # signature: turning ccache on or off must not rebuild anything.
    # Same for the prefix map, which keeps absolute paths out of the objects
    # (byte-identical objects from any checkout, so CacheDir hits across clones).
    env['CCCOM'] = '$( $CC_LAUNCHER $) ' + env['CCCOM'] + ' $( $_PREFIXMAP $)'
    env['_PREFIXMAP'] = '-ffile-prefix-map=${Dir("#").abspath}=.'

    section_gc = ['-ffunction-sections', '-fdata-sections']
    env.Append(
        CCFLAGS=['$MCU_FLAGS', '$OPTFLAGS', '$DEBUGFLAGS', '$WARNFLAGS', *section_gc],
        ASFLAGS=['$MCU_FLAGS', '$DEBUGFLAGS'],
        LINKFLAGS=['$MCU_FLAGS', '$SPECSFLAGS', '-Wl,--gc-sections', '$MAPFLAGS'],
    )
    if p['arm']:
        # Our startup code (edgeai_tool/boards/cortex_m) replaces crt0 and calls
        # main itself; -T puts the board's memory map in the link.
        env.Append(LINKFLAGS=['-nostartfiles', '$_LINKSCRIPT'])
        env['PROGSUFFIX'] = '.elf'

    env['_SOURCE_SHOWN'] = _source_shown
    if not env.get('VERBOSE'):
        for k, v in COMSTRS.items():
            env.SetDefault(**{k: v})

    env.SetDefault(OBJCOPYCOM='$OBJCOPY -O $OBJCOPYFORMAT $SOURCE $TARGET')
    env['BUILDERS']['ObjCopy'] = SCons.Builder.Builder(
        action=SCons.Action.Action('$OBJCOPYCOM', '$OBJCOPYCOMSTR'), single_source=True)
    env['BUILDERS']['MemoryUsage'] = memory.builder
    env.AddMethod(_firmware, 'Firmware')


def exists(env):
    return env.Detect(env.subst('${TOOLCHAIN_PREFIX}gcc') or 'arm-none-eabi-gcc')
