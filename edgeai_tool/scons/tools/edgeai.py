"""SCons tool for edgeai: C models from int8 TFLite files, their runtime, their reports.

    env.Tool('edgeai')                        # see edgeai_tool.scons for toolpath=
    nets = env.EdgeAIModels('edgeai.yaml')    # {name: generated nodes}, one per model
    net = env.EdgeAIModel('net', 'model.tflite', 'mempools.json', name='network')
    rt = env.EdgeAIRuntime('edgeai_runtime')  # the kernels as a static library
    board = env.EdgeAIBoard('board')          # edgeai's board support for $MCU_TARGET
    env.EdgeAIReport('firmware.network_report.txt', net, 'firmware.elf.map',
                     objects=net_objects, libraries=rt)
    env.EdgeAITestData('net_testdata.h', 'model.tflite', NAME='network')

EdgeAIModel is the EdgeAI builder with friendlier arguments: its target is DIR/NAME.c,
and the emitter adds every other file the generator writes, so SCons knows them all (for
-j, CacheDir, clean, dependents). The options are construction variables in the action's
varlist, so changing one regenerates: EDGEAI_TARGET (default: the series of
$MCU_TARGET's board), EDGEAI_OPTIMIZATION,
EDGEAI_ALLOCATE_INPUTS, EDGEAI_ALLOCATE_OUTPUTS; the name is the target's base name. The
generator's own sources and templates are implicit dependencies (a target scanner), so
editing them regenerates too. Generated files that come out identical recompile nothing.

EdgeAIModels reads the project's manifest (edgeai_tool.manifest) and calls EdgeAIModel
once per model, into DIR/NAME/. Errors in the manifest stop the build before anything
runs, with one line naming the file, the entry and the field.

Generated models also go through edgeai's content-addressed cache (edgeai_tool.cache):
EDGEAI_CACHE_DIR (default: $EDGEAI_CACHE_DIR, else ~/.cache/edgeai; 'off' disables) and
EDGEAI_CACHE_SIZE (default 256M) set it; neither is part of any build signature. SCons'
CacheDir works as well: the generator is deterministic.

EdgeAIBoard builds the package's board support (edgeai_tool/boards) for $MCU_TARGET in
the given variant dir and returns a dict: `env` (a clone with the board's include paths,
generated linker script and board_config.h, QEMU machine and flasher settings), `objects`,
`program(name, objects, **kw)` (the mcu_gcc Firmware nodes), `name` and `spec` (the
edgeai_tool.boards.Board). It needs the mcu_gcc tool; an unknown target stops the build
naming the known ones.

The generator runs in-process and reports errors like the CLI: one `edgeai: error: ...`
line, the build fails, and nothing half-written is taken as up to date.
"""

import os
from pathlib import Path

import SCons.Action
import SCons.Builder
import SCons.Scanner
import SCons.Script
import SCons.Util

from edgeai_tool.boards import BOARDS
from edgeai_tool.boards import sconscript as board_sconscript
from edgeai_tool.manifest import ManifestError, read_manifest
from edgeai_tool.options import DEFAULT_OPTIMIZATION
from edgeai_tool.scons import firmware_report, testdata
from edgeai_tool.scons.generation import (
    OPTION_VARS,
    SESSION_VAR,
    Session,
    emit_outputs,
    generate_message,
    generate_model,
    generator_files,
    name_of,
    report_error,
)

_generate_builder = SCons.Builder.Builder(
    action=SCons.Action.Action(generate_model, strfunction=generate_message,
                               varlist=OPTION_VARS),
    emitter=emit_outputs, suffix='.c', src_suffix='.tflite',
    target_scanner=SCons.Scanner.Scanner(generator_files, name='EdgeAIGenerator'))

_report_builder = SCons.Builder.Builder(action=SCons.Action.Action(
    firmware_report.write_report, '$EDGEAI_REPORTCOMSTR', varlist=[*OPTION_VARS, 'EDGEAI_NAME']))

_testdata_builder = SCons.Builder.Builder(action=SCons.Action.Action(
    testdata.write_testdata, '$EDGEAI_TESTDATACOMSTR', varlist=testdata.VARIABLES),
    suffix='.h')


def EdgeAIModel(env, outdir, model, pools=None, name='network', **overrides):
    """Generate NAME*.c/h (and report, c_info) into outdir; returns their nodes."""
    sources = [model] + ([pools] if pools else [])
    return env.EdgeAI(f'{outdir}/{name}.c', sources, **overrides)


def EdgeAIModels(env, manifest='edgeai.yaml', outdir='.'):
    """Every model of the manifest, generated into outdir/NAME/: {name: nodes}, in the
    manifest's order. A bad manifest stops the build with one line."""
    node = env.File(manifest).srcnode()
    try:
        entries = read_manifest(node.get_abspath(), node.path)
    except ManifestError as exc:
        report_error(exc)
        SCons.Script.Exit(2)
    models = {}
    for entry in entries:
        overrides = dict(EDGEAI_OPTIMIZATION=entry.optimization,
                         EDGEAI_ALLOCATE_INPUTS=entry.allocate_inputs,
                         EDGEAI_ALLOCATE_OUTPUTS=entry.allocate_outputs)
        if entry.target:
            overrides['EDGEAI_TARGET'] = entry.target
        pools = env.File(str(entry.mempools)) if entry.mempools else None
        models[entry.name] = env.EdgeAIModel(f'{outdir}/{entry.name}', env.File(str(entry.model)),
                                             pools, name=entry.name, **overrides)
    return models


def _write_runtime(target, source, env):
    from edgeai_tool.runtime import runtime_files

    files = runtime_files()
    for node in target:
        Path(node.get_abspath()).write_text(files[node.name], encoding='utf-8')
    return 0


def EdgeAIRuntime(env, outdir='edgeai_runtime', libname='edgeai_runtime', **overrides):
    """Copy the runtime into outdir (so objects carry no path outside the tree) and
    archive it as outdir/lib<libname>.a. Returns the library node; its headers are in
    outdir (add it to CPPPATH)."""
    from edgeai_tool.runtime import runtime_dir, runtime_files

    sources = [str(runtime_dir() / name) for name in runtime_files()]
    copies = env.Command([f'{outdir}/{Path(s).name}' for s in sources], sources,
                         SCons.Action.Action(_write_runtime, '$EDGEAI_RUNTIMECOMSTR'))
    lib_env = env.Clone(**overrides)
    lib_env.AppendUnique(CPPPATH=[copies[0].dir])
    return lib_env.StaticLibrary(f'{outdir}/{libname}',
                                 [n for n in copies if n.name.endswith('.c')])


def EdgeAIReport(env, target, model, map_file, objects=(), libraries=()):
    """The generate report of `model` (EdgeAIModel's nodes) with the "Requested memory
    size by section" table filled from the linked firmware: one row per object in
    `objects` and per library in `libraries`, sized from `map_file` (what was linked)."""
    generated = model[0]
    build_env = generated.get_build_env()
    options = {var: build_env.subst(f'${var}') for var in OPTION_VARS}
    sources = [map_file, *generated.sources, *SCons.Util.flatten([objects, libraries])]
    return env._EdgeAIReport(target, sources, EDGEAI_NAME=name_of([generated]), **options)


def EdgeAIBoard(env, variant_dir):
    """edgeai's board support for $MCU_TARGET, built in variant_dir (see above)."""
    return env.SConscript(str(board_sconscript()), exports={'env': env},
                          variant_dir=variant_dir, duplicate=False)


def generate(env):
    env.SetDefault(
        EDGEAI_TARGET='${_EDGEAI_SERIES(MCU_TARGET)}',
        EDGEAI_OPTIMIZATION=DEFAULT_OPTIMIZATION,
        EDGEAI_ALLOCATE_INPUTS=True,
        EDGEAI_ALLOCATE_OUTPUTS=True,
        # Where generated models are cached ('' = $EDGEAI_CACHE_DIR or ~/.cache/edgeai).
        EDGEAI_CACHE_DIR=os.environ.get('EDGEAI_CACHE_DIR', ''),
        EDGEAI_CACHE_SIZE=os.environ.get('EDGEAI_CACHE_SIZE', ''),
        EDGEAI_TESTDATA_COUNT=10,
        EDGEAI_TESTDATA_PER_CLASS=0,
        EDGEAI_TESTDATA_SEED=0,
    )
    # The generator's --target is a series (stm32f4), a board's target may be any name.
    env['_EDGEAI_SERIES'] = lambda target: BOARDS[target].series if target in BOARDS else target
    # One per environment and its clones: each model is hashed once per build.
    env.SetDefault(**{SESSION_VAR: Session()})
    if not env.get('VERBOSE'):
        env.SetDefault(
            EDGEAI_COMSTR='Generating ${TARGET.file} from ${SOURCE.file}',
            EDGEAI_CACHECOMSTR='Reusing ${TARGET.file} for ${SOURCE.file} from the edgeai cache',
            EDGEAI_RUNTIMECOMSTR='Writing edgeai runtime to ${TARGET.dir}',
            EDGEAI_REPORTCOMSTR='Writing $TARGET',
            EDGEAI_TESTDATACOMSTR='Writing $TARGET (TFLite Micro outputs for ${SOURCE.file})',
        )
    env['BUILDERS']['EdgeAI'] = _generate_builder
    env['BUILDERS']['_EdgeAIReport'] = _report_builder
    env['BUILDERS']['EdgeAITestData'] = _testdata_builder
    for method in (EdgeAIModel, EdgeAIModels, EdgeAIRuntime, EdgeAIReport, EdgeAIBoard):
        env.AddMethod(method)


def exists(env):
    return True  # the generator is the package this tool ships in
