"""SCons tool for edgeai: C models from int8 TFLite files, their runtime, their reports.

    env.Tool('edgeai')                        # or Tool('edgeai', toolpath=[...])
    nets = env.EdgeAIModels('edgeai.yaml')    # {name: generated nodes}, one per model
    net = env.EdgeAIModel('net', 'model.tflite', 'mempools.json', name='network')
    rt = env.EdgeAIRuntime('edgeai_runtime')  # the kernels as a static library
    env.EdgeAIReport('firmware.network_report.txt', net, 'firmware.elf.map',
                     objects=net_objects, libraries=rt)
    env.EdgeAITestData('net_testdata.h', 'model.tflite', NAME='network')

EdgeAIModel is the EdgeAI builder with friendlier arguments: its target is DIR/NAME.c,
and the emitter adds every other file the generator writes, so SCons knows them all (for
-j, CacheDir, clean, dependents). The options are construction variables listed in the
action's varlist, so changing one regenerates: EDGEAI_TARGET (default $MCU_TARGET, else
stm32f7), EDGEAI_OPTIMIZATION, EDGEAI_ALLOCATE_INPUTS, EDGEAI_ALLOCATE_OUTPUTS; the name
is the target's file name. The generator's own Python sources and templates are implicit
dependencies (a target scanner), so editing them regenerates too. Generated files that
come out identical recompile nothing: SCons compares contents.

EdgeAIModels reads the project's manifest (see manifest.py) and calls EdgeAIModel once
per model, into DIR/NAME/. Errors in the manifest stop the build before anything runs,
with one line naming the file, the entry and the field.

Generated models also go through edgeai's content-addressed cache (edgeai_tool.cache):
the same model, pools, options and generator give the stored files without generating,
whatever the path or project. EDGEAI_CACHE_DIR (default: $EDGEAI_CACHE_DIR, else
~/.cache/edgeai; 'off' disables) and EDGEAI_CACHE_SIZE (default 256M) set it; neither is
part of any build signature. SCons' own CacheDir works as well: the generator is
deterministic, so generated files and objects are shared between clones.

The tool is a thin shell: it runs the library in-process (no subprocess per model) and
reports errors exactly like the CLI: one `edgeai: error: ...` line, the build fails, and
the targets SCons removed before running the generator stay absent, so nothing is taken
as up to date afterwards (the library writes files via a staging directory and rename).
"""

import os
import re
import sys
from pathlib import Path

import SCons.Action
import SCons.Builder
import SCons.Node
import SCons.Scanner
import SCons.Script
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


def _error(message):
    """The CLI's one-line error."""
    sys.stderr.write('edgeai: error: ' + ' '.join(str(message).split()) + '\n')


# ---- options and the generator's signature ----

def _flag(env, var):
    return env.subst(f'${var}') not in ('', '0', 'False', 'false', 'no')


def _options(env, name, pools):
    from edgeai_tool.options import Options

    return Options(
        name=name,
        target=env.subst('$EDGEAI_TARGET') or 'stm32f7',
        optimization=env.subst('$EDGEAI_OPTIMIZATION'),
        memory_pool=str(pools) if pools else None,
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


def _model_sources(source):
    """(model, pools or None) among a builder's sources."""
    model = source[0]
    pools = next((s for s in source[1:] if s.name.endswith('.json')), None)
    return model, pools


def _request(env, name, source):
    """Everything one generation needs: (model path, Options, report's command line)."""
    model, pools = _model_sources(source)
    options = _options(env, name, pools.get_abspath() if pools else None)
    # Base names only: the report must not depend on where the tree is.
    shown = ' '.join(_cli_args(options, model.name, pools.name if pools else None, None))
    return model.get_abspath(), options, shown


def _cache(env):
    from edgeai_tool.cache import ModelCache

    return ModelCache.from_settings(env.subst('$EDGEAI_CACHE_DIR'),
                                    env.subst('$EDGEAI_CACHE_SIZE'))


# Compilations generated in this run, by cache key: the report after linking reuses them
# instead of compiling the model a second time.
_compilations = {}


def _generate(target, source, env):
    from edgeai_tool.cache import cache_key, generate
    from edgeai_tool.compiler import write_files
    from edgeai_tool.errors import EdgeAIError

    name = _name(target)
    try:
        model, options, shown = _request(env, name, source)
        result = generate(model, options, shown, _cache(env))
        missing = [t.name for t in target if t.name not in result.files]
        if missing:
            raise EdgeAIError(f"the generator wrote no {', '.join(missing)}")
        write_files(result.files, target[0].dir.get_abspath())
        if result.compilation is not None:
            _compilations[result.key or cache_key(model, options, shown)] = result.compilation
    except EdgeAIError as exc:
        _error(exc)
        return 2
    return 0


def _cached(env, name, source):
    """True when the content cache holds this generation (for the message only)."""
    try:
        from edgeai_tool.cache import cache_key

        cache = _cache(env)
        return cache is not None and cache_key(*_request(env, name, source)) in cache
    except Exception:  # a bad model or option: the action reports it
        return False


def _generate_str(target, source, env):
    name = _name(target)
    cached = _cached(env, name, source)
    comstr = env.subst('$EDGEAI_CACHECOMSTR' if cached else '$EDGEAI_COMSTR',
                       target=target, source=source)
    if comstr:
        return comstr
    model, pools = _model_sources(source)
    options = _options(env, name, pools)
    line = 'edgeai ' + ' '.join(_cli_args(options, str(model), str(pools) if pools else None,
                                          str(target[0].dir)))
    return line + ('  # from the edgeai cache' if cached else '')


def _name(target):
    return os.path.splitext(target[0].name)[0]


def _emitter(target, source, env):
    name = _name(target)
    outdir = target[0].dir
    return [outdir.File(pattern.format(name)) for pattern in OUTPUTS], source


_generator_paths = []


def _generator_files(node, env, path):
    """The generator's Python sources and templates: editing them regenerates.
    (The runtime's files are the runtime library's business.)"""
    if not _generator_paths:
        _import_edgeai()
        from edgeai_tool.cache import generator_sources

        _generator_paths.extend(str(p) for p in generator_sources())
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


# ---- the manifest ----

def _targets():
    from edgeai_tool.options import TARGETS

    return TARGETS


def EdgeAIModels(env, manifest='edgeai.yaml', outdir='.'):
    """Every model of the manifest, generated into outdir/NAME/: {name: nodes}, in the
    manifest's order. A bad manifest stops the build with one line."""
    from .manifest import ManifestError, read_manifest

    node = env.File(manifest).srcnode()
    try:
        entries = read_manifest(node.get_abspath(), node.path, _targets)
    except ManifestError as exc:
        _error(exc)
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


# ---- the report after linking: "Requested memory size by section" ----

def _report(target, source, env):
    from edgeai_tool.cache import cache_key
    from edgeai_tool.compiler import compile_model
    from edgeai_tool.errors import EdgeAIError
    from edgeai_tool.report import render_report

    from .mapfile import module_sizes

    name = env.subst('$EDGEAI_NAME')
    map_file, model_sources = source[0], source[1:]
    built = [s for s in model_sources if s.name.endswith(('.o', '.obj', '.a'))]
    try:
        model, options, shown = _request(env, name, [s for s in model_sources
                                                     if s not in built])
        compilation = _compilations.get(cache_key(model, options, shown))
        if compilation is None:
            compilation = compile_model(model, options, shown)
        rows = {node.name: [node.path, node.get_abspath()] for node in built}
        sizes = module_sizes(map_file.get_abspath(), rows)
        text = render_report(compilation, shown, sizes)
    except EdgeAIError as exc:
        _error(exc)
        return 2
    with open(target[0].get_abspath(), 'w', encoding='utf-8') as f:
        f.write(text)
    summary = _summary_line(text)
    if summary:
        print(f'{name}: {summary} (see {target[0].path})')
    return 0


def _summary_line(report):
    """'runtime 12,345 B flash, 1,234 B RAM; with weights and activations ...' from
    the report's Summary (ST's "RT total" and "TOTAL" rows)."""
    tail = report.split('Summary', 1)[-1]
    rt = re.search(r'^\s*RT total\s+([\d,]+)\s+\S+\s+([\d,]+)', tail, re.M)
    total = re.search(r'^\s*TOTAL\s+([\d,]+)\s+([\d,]+)', tail, re.M)
    if not (rt and total):
        return ''
    return (f'runtime {rt.group(1)} B flash, {rt.group(2)} B RAM; with weights and '
            f'activations {total.group(1)} B flash, {total.group(2)} B RAM')


_report_builder = SCons.Builder.Builder(action=SCons.Action.Action(
    _report, '$EDGEAI_REPORTCOMSTR', varlist=[*OPTION_VARS, 'EDGEAI_NAME']))


def EdgeAIReport(env, target, model, map_file, objects=(), libraries=()):
    """The generate report of `model` (EdgeAIModel's nodes) with the "Requested memory
    size by section" table filled from the linked firmware: one row per object in
    `objects` and per library in `libraries`, sized from `map_file` (what was linked)."""
    generated = model[0]
    build_env = generated.get_build_env()
    options = {var: build_env.subst(f'${var}') for var in OPTION_VARS}
    sources = [map_file, *generated.sources, *SCons.Util.flatten([objects, libraries])]
    return env._EdgeAIReport(target, sources, EDGEAI_NAME=_name([generated]), **options)


# ---- test data: inputs and TFLite Micro's outputs as a C header ----

def _testdata(target, source, env):
    import numpy as np

    from edgeai_tool.errors import EdgeAIError
    from edgeai_tool.importer import load_model
    from edgeai_tool.validate.reference import run_reference

    name = env.subst('$NAME')
    try:
        graph = load_model(source[0].get_abspath())
        if len(graph.inputs) != 1 or len(graph.outputs) != 1:
            raise EdgeAIError(f'{source[0].name}: EdgeAITestData needs one input and one output')
        x, y = graph.tensor(graph.inputs[0]), graph.tensor(graph.outputs[0])
        for tensor in (x, y):
            if tensor.dtype not in ('int8', 'uint8'):
                raise EdgeAIError(f'{source[0].name}: EdgeAITestData handles int8/uint8 '
                                  f'inputs and outputs, not {tensor.dtype}')
        shape = tuple(x.shape[1:])
        count = int(env.subst('$EDGEAI_TESTDATA_COUNT'))
        labels = None
        if len(source) > 1:
            with np.load(source[1].get_abspath()) as data:
                keys = list(data.keys())
                inputs = data['inputs' if 'inputs' in keys else 'x' if 'x' in keys else keys[0]]
                label_key = next((k for k in ('labels', 'y') if k in keys), None)
                labels = data[label_key] if label_key else None
            per_class = int(env.subst('$EDGEAI_TESTDATA_PER_CLASS') or 0)
            if labels is not None and per_class:
                picked = sorted(i for c in np.unique(labels)
                                for i in np.flatnonzero(labels == c)[:per_class])
            else:
                picked = list(range(min(count, len(inputs))))
            inputs = inputs[picked].reshape(len(picked), *shape).astype(x.dtype)
            labels = labels[picked] if labels is not None else None
        else:
            rng = np.random.default_rng(int(env.subst('$EDGEAI_TESTDATA_SEED')))
            info = np.iinfo(x.dtype)
            inputs = rng.integers(info.min, info.max + 1, size=(count, *shape), dtype=x.dtype)
        expected = run_reference(source[0].get_abspath(), [inputs], 1)[0]
    except (EdgeAIError, OSError, KeyError, ValueError) as exc:
        _error(exc)
        return 2
    ctype = {'int8': 'int8_t', 'uint8': 'uint8_t'}
    upper = name.upper()
    n = len(inputs)

    def rows(values):
        return [f"    {{{','.join(str(int(v)) for v in row.reshape(-1))}}}," for row in values]

    lines = [
        f'/* {n} samples for {source[0].name} with the outputs of the TFLite Micro interpreter:',
        ' * generated by the edgeai SCons tool (EdgeAITestData), do not edit. */',
        f'#ifndef {upper}_TESTDATA_H', f'#define {upper}_TESTDATA_H', '', '#include <stdint.h>',
        '', f'#define {upper}_TEST_COUNT {n}',
        f'#define {upper}_TEST_INPUT_BYTES {inputs[0].size}',
        f'#define {upper}_TEST_OUTPUT_BYTES {expected[0].size}', '',
        f'static const {ctype[x.dtype]} {name}_test_inputs[{n}][{inputs[0].size}] = {{',
        *rows(inputs), '};',
        f'static const {ctype[y.dtype]} {name}_test_expected[{n}][{expected[0].size}] = {{',
        *rows(expected), '};']
    if labels is not None:
        lines += [f'#define {upper}_TEST_HAS_LABELS 1',
                  f'static const int16_t {name}_test_labels[{n}] = {{'
                  + ', '.join(str(int(v)) for v in labels) + '};']
    lines += ['', '#endif', '']
    with open(target[0].get_abspath(), 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines))
    return 0


_testdata_builder = SCons.Builder.Builder(action=SCons.Action.Action(
    _testdata, '$EDGEAI_TESTDATACOMSTR',
    varlist=['NAME', 'EDGEAI_TESTDATA_COUNT', 'EDGEAI_TESTDATA_PER_CLASS',
             'EDGEAI_TESTDATA_SEED']), suffix='.h')


def generate(env):
    _import_edgeai()
    env.SetDefault(
        EDGEAI_TARGET='$MCU_TARGET',
        EDGEAI_OPTIMIZATION='balanced',
        EDGEAI_ALLOCATE_INPUTS=True,
        EDGEAI_ALLOCATE_OUTPUTS=True,
        # Where generated models are cached ('' = $EDGEAI_CACHE_DIR or ~/.cache/edgeai).
        EDGEAI_CACHE_DIR=os.environ.get('EDGEAI_CACHE_DIR', ''),
        EDGEAI_CACHE_SIZE=os.environ.get('EDGEAI_CACHE_SIZE', ''),
        EDGEAI_TESTDATA_COUNT=10,
        EDGEAI_TESTDATA_PER_CLASS=0,
        EDGEAI_TESTDATA_SEED=0,
    )
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
    env.AddMethod(EdgeAIModel)
    env.AddMethod(EdgeAIModels)
    env.AddMethod(EdgeAIRuntime)
    env.AddMethod(EdgeAIReport)


def exists(env):
    try:
        _import_edgeai()
    except ImportError:
        return False
    return True
