"""SCons tool for edgeai: C models from int8 TFLite files, and their runtime.

    env.Tool('edgeai')                       # or Tool('edgeai', toolpath=[...])
    net = env.EdgeAIModel('net', 'model.tflite', 'mempools.json', name='network')
    rt = env.EdgeAIRuntime('edgeai_runtime')  # the kernels as a static library
    # net: [net/network.c, network.h, network_data.c, ... report, c_info.json]

EdgeAIModel is the EdgeAI builder with friendlier arguments: its target is
DIR/NAME.c, and the emitter adds every other file the generator writes, so
SCons knows them all (for -j, CacheDir, clean, dependents). The options are
construction variables listed in the action's varlist, so changing one
regenerates: EDGEAI_TARGET (default $MCU_TARGET, else stm32f7),
EDGEAI_OPTIMIZATION, EDGEAI_ALLOCATE_INPUTS, EDGEAI_ALLOCATE_OUTPUTS; the
name is the target's file name. The generator's own Python sources and
templates are implicit dependencies (a target scanner), so editing them
regenerates too. Generated files that come out identical recompile nothing:
SCons compares contents.

The tool is a thin shell: it runs the generator in-process through the
edgeai_tool API (no subprocess per model) and reports errors exactly like the
CLI: one `edgeai: error: ...` line.
"""

import os
import sys
from pathlib import Path

import SCons.Action
import SCons.Builder
import SCons.Scanner
import SCons.Util

# The generator writes these for a network called NAME.
OUTPUTS = ('{}.c', '{}.h', '{}_data.c', '{}_data.h', '{}_data_params.c', '{}_data_params.h',
           '{}_config.h', '{}_generate_report.txt', '{}_c_info.json')

OPTION_VARS = ['EDGEAI_TARGET', 'EDGEAI_OPTIMIZATION', 'EDGEAI_ALLOCATE_INPUTS',
               'EDGEAI_ALLOCATE_OUTPUTS']


def _import_edgeai():
    """edgeai_tool from the tree this tool ships in (tool and generator are
    versioned together), else the installed package."""
    tree = Path(__file__).resolve().parents[3]
    if (tree / 'edgeai_tool' / '__init__.py').is_file() and str(tree) not in sys.path:
        sys.path.insert(0, str(tree))
    import edgeai_tool

    return edgeai_tool


def _name(target):
    return os.path.splitext(target[0].name)[0]


def _emitter(target, source, env):
    name = _name(target)
    outdir = target[0].dir
    return [outdir.File(pattern.format(name)) for pattern in OUTPUTS], source


def _flag(env, var):
    return env.subst(f'${var}') not in ('', '0', 'False', 'false', 'no')


def _options(target, source, env):
    from edgeai_tool.compiler import Options

    return Options(
        name=_name(target),
        target=env.subst('$EDGEAI_TARGET') or 'stm32f7',
        optimization=env.subst('$EDGEAI_OPTIMIZATION'),
        memory_pool=str(source[1]) if len(source) > 1 else None,
        allocate_inputs=_flag(env, 'EDGEAI_ALLOCATE_INPUTS'),
        allocate_outputs=_flag(env, 'EDGEAI_ALLOCATE_OUTPUTS'),
    )


def _cli_args(options, model, pools, outdir):
    """The equivalent `edgeai generate` arguments (shown with VERBOSE=1; with
    base names only, the command line recorded in the report)."""
    args = ['generate', '--model', model, '--name', options.name, '--target', options.target]
    if pools:
        args += ['--memory-pool', pools]
    args += ['-O', options.optimization]
    args += [] if options.allocate_inputs else ['--no-inputs-allocation']
    args += [] if options.allocate_outputs else ['--no-outputs-allocation']
    return args + (['-o', outdir] if outdir else [])


def _generate(target, source, env):
    from edgeai_tool.compiler import compile_model, write_files
    from edgeai_tool.errors import EdgeAIError

    try:
        options = _options(target, source, env)
        pools = source[1].name if len(source) > 1 else None
        # Base names only: the report must not depend on where the tree is.
        shown = ' '.join(_cli_args(options, source[0].name, pools, None))
        compilation = compile_model(str(source[0]), options, shown)
        write_files(compilation.files, target[0].dir.get_abspath())
    except EdgeAIError as exc:
        message = ' '.join(str(exc).split())
        sys.stderr.write(f'edgeai: error: {message}\n')
        return 2
    return 0


def _generate_str(target, source, env):
    comstr = env.subst('$EDGEAI_COMSTR', target=target, source=source)
    if comstr:
        return comstr
    options = _options(target, source, env)
    pools = str(source[1]) if len(source) > 1 else None
    return 'edgeai ' + ' '.join(_cli_args(options, str(source[0]), pools, str(target[0].dir)))


_generator_paths = []


def _generator_files(node, env, path):
    """The generator's Python sources and templates: editing them regenerates.
    (The runtime's files are the runtime library's business.)"""
    if not _generator_paths:
        root = Path(_import_edgeai().__file__).parent
        _generator_paths.extend(sorted(
            str(p) for p in root.rglob('*')
            if p.suffix in ('.py', '.j2') and '__pycache__' not in p.parts
            and p.relative_to(root).parts[0] != 'runtime'))
    return [env.File(p) for p in _generator_paths]


_generate_action = SCons.Action.Action(_generate, strfunction=_generate_str,
                                       varlist=OPTION_VARS)
_generate_builder = SCons.Builder.Builder(
    action=_generate_action, emitter=_emitter, suffix='.c', src_suffix='.tflite',
    target_scanner=SCons.Scanner.Scanner(_generator_files, name='EdgeAIGenerator'))


def EdgeAIModel(env, outdir, model, pools=None, name='network', **overrides):
    """Generate NAME*.c/h (and report, c_info) into outdir; returns their nodes."""
    sources = [model] + ([pools] if pools else [])
    return env.EdgeAI(f'{outdir}/{name}.c', sources, **overrides)


# ---- the runtime: kernel sources copied into the build, then archived ----

def _runtime_sources():
    from edgeai_tool.runtime import runtime_dir, runtime_files

    return [str(runtime_dir() / name) for name in runtime_files()]


def _write_runtime(target, source, env):
    from edgeai_tool.runtime import runtime_files

    files = runtime_files()
    for node in target:
        with open(node.get_abspath(), 'w', encoding='utf-8') as f:
            f.write(files[node.name])
    return 0


def EdgeAIRuntime(env, outdir='edgeai_runtime', libname='edgeai_runtime', **overrides):
    """Copy the runtime into outdir (so objects carry no path outside the
    tree) and archive it as outdir/lib<libname>.a. Returns the library node;
    its headers are in outdir (add it to CPPPATH)."""
    sources = _runtime_sources()
    copies = env.Command([f'{outdir}/{Path(s).name}' for s in sources], sources,
                         SCons.Action.Action(_write_runtime, '$EDGEAI_RUNTIMECOMSTR'))
    c_files = [n for n in copies if n.name.endswith('.c')]
    lib_env = env.Clone(**overrides)
    lib_env.AppendUnique(CPPPATH=[copies[0].dir])
    return lib_env.StaticLibrary(f'{outdir}/{libname}', c_files)


def generate(env):
    _import_edgeai()
    env.SetDefault(
        EDGEAI_TARGET='$MCU_TARGET',
        EDGEAI_OPTIMIZATION='balanced',
        EDGEAI_ALLOCATE_INPUTS=True,
        EDGEAI_ALLOCATE_OUTPUTS=True,
    )
    if not env.get('VERBOSE'):
        env.SetDefault(
            EDGEAI_COMSTR='Generating ${TARGET.file} from ${SOURCE.file}',
            EDGEAI_RUNTIMECOMSTR='Writing edgeai runtime to ${TARGET.dir}',
        )
    env['BUILDERS']['EdgeAI'] = _generate_builder
    env.AddMethod(EdgeAIModel)
    env.AddMethod(EdgeAIRuntime)


def exists(env):
    try:
        _import_edgeai()
    except ImportError:
        return False
    return True
