"""The EdgeAI builder's parts: what one generation asks for, its action, its message, its
emitter and scanner, and the per-build memo that hashes each model once.

A generation is a `Request`: the model, its `Options` (from the construction variables
in `OPTION_VARS`) and the command line the report shows. The model and pool files are
hashed only for edgeai's model cache, once per build: the `Session` attached to the
environment keeps each request's key, and the compilations generated in this build for
the report written after linking.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from edgeai_tool.errors import EdgeAIError
from edgeai_tool.options import DEFAULT_TARGET, Options, output_files

if TYPE_CHECKING:  # the pipeline is imported only when a model is generated
    from edgeai_tool.cache import ModelCache
    from edgeai_tool.compilation import Compilation

# Construction variables that are generation options: the action's varlist, so changing
# one regenerates.
OPTION_VARS = ['EDGEAI_TARGET', 'EDGEAI_OPTIMIZATION', 'EDGEAI_ALLOCATE_INPUTS',
               'EDGEAI_ALLOCATE_OUTPUTS']
SESSION_VAR = '_EDGEAI_SESSION'


def report_error(message: object) -> None:
    """The CLI's one-line error."""
    sys.stderr.write('edgeai: error: ' + ' '.join(str(message).split()) + '\n')


@dataclass(frozen=True)
class Request:
    """One generation: model (absolute path), options, the report's command line."""

    model: str
    options: Options
    shown: str


class Session:
    """What one build computes once and reuses, shared by an environment and its clones."""

    def __init__(self) -> None:
        self._keys: dict[Request, str] = {}
        self._compilations: dict[Request, Compilation] = {}
        self._generator_files: list[str] = []

    def key(self, request: Request) -> str:
        """The model cache's key (hashes the model and pool files the first time)."""
        if request not in self._keys:
            from edgeai_tool.cache import cache_key

            self._keys[request] = cache_key(request.model, request.options, request.shown)
        return self._keys[request]

    def remember(self, request: Request, compilation: Compilation) -> None:
        self._compilations[request] = compilation

    def compilation(self, request: Request) -> Compilation:
        """This build's compilation of the request, compiled now if it came from a cache."""
        if request not in self._compilations:
            from edgeai_tool.compiler import compile_model

            self.remember(request, compile_model(request.model, request.options,
                                                 request.shown))
        return self._compilations[request]

    def generator_files(self) -> list[str]:
        """The generator's Python sources and templates."""
        if not self._generator_files:
            from edgeai_tool.cache import generator_sources

            self._generator_files = [str(path) for path in generator_sources()]
        return self._generator_files


def session(env) -> Session:
    return env[SESSION_VAR]


def name_of(target) -> str:
    """The network's name: the base name of the builder's target (NAME.c)."""
    return os.path.splitext(target[0].name)[0]


def model_sources(source) -> tuple:
    """(model, pools or None) among a builder's sources."""
    pools = next((s for s in source[1:] if s.name.endswith('.json')), None)
    return source[0], pools


def _flag(env, var: str) -> bool:
    return env.subst(f'${var}') not in ('', '0', 'False', 'false', 'no')


def _options(env, name: str, pools: str | None) -> Options:
    return Options(name=name,
                   target=env.subst('$EDGEAI_TARGET') or DEFAULT_TARGET,
                   optimization=env.subst('$EDGEAI_OPTIMIZATION'),
                   memory_pool=pools,
                   allocate_inputs=_flag(env, 'EDGEAI_ALLOCATE_INPUTS'),
                   allocate_outputs=_flag(env, 'EDGEAI_ALLOCATE_OUTPUTS'))


def request(env, name: str, source) -> Request:
    model, pools = model_sources(source)
    options = _options(env, name, pools.get_abspath() if pools else None)
    # Base names only: the report must not depend on where the tree is.
    arguments = options.generate_arguments(model.name, pools.name if pools else None)
    return Request(model.get_abspath(), options, ' '.join(arguments))


def model_cache(env) -> ModelCache | None:
    from edgeai_tool.cache import ModelCache

    return ModelCache.from_settings(env.subst('$EDGEAI_CACHE_DIR'),
                                    env.subst('$EDGEAI_CACHE_SIZE'))


def generate_model(target, source, env) -> int:
    """The action: the model's files, from edgeai's cache or the generator."""
    from edgeai_tool.cache import generate
    from edgeai_tool.compiler import write_files

    memo = session(env)
    try:
        wanted = request(env, name_of(target), source)
        cache = model_cache(env)
        key = memo.key(wanted) if cache is not None else None
        result = generate(wanted.model, wanted.options, wanted.shown, cache, key)
        missing = [t.name for t in target if t.name not in result.files]
        if missing:
            raise EdgeAIError(f"the generator wrote no {', '.join(missing)}")
        write_files(result.files, target[0].dir.get_abspath())
    except EdgeAIError as exc:
        report_error(exc)
        return 2
    if result.compilation is not None:
        memo.remember(wanted, result.compilation)
    return 0


def _in_cache(env, wanted: Request) -> bool:
    try:
        cache = model_cache(env)
        return cache is not None and session(env).key(wanted) in cache
    except EdgeAIError:  # a bad model or setting: the action reports it
        return False


def generate_message(target, source, env) -> str:
    """`Generating network.c from model.tflite`, or the equivalent `edgeai generate`
    command line when $EDGEAI_COMSTR is empty (VERBOSE)."""
    wanted = request(env, name_of(target), source)
    cached = _in_cache(env, wanted)
    comstr = env.subst('$EDGEAI_CACHECOMSTR' if cached else '$EDGEAI_COMSTR',
                       target=target, source=source)
    if comstr:
        return comstr
    model, pools = model_sources(source)
    arguments = wanted.options.generate_arguments(str(model), str(pools) if pools else None,
                                                  str(target[0].dir))
    return 'edgeai ' + ' '.join(arguments) + ('  # from the edgeai cache' if cached else '')


def emit_outputs(target, source, env) -> tuple:
    """Every file the generator writes, NAME.c (the builder's target) first."""
    name = name_of(target)
    others = [f for f in output_files(name) if f != target[0].name]
    return [target[0], *(target[0].dir.File(f) for f in others)], source


def generator_files(node, env, path) -> list:
    """The target scanner: the generator's sources and templates, so editing them
    regenerates. (The runtime's files are the runtime library's business.)"""
    return [env.File(p) for p in session(env).generator_files()]
