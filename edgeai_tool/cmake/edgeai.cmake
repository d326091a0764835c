# edgeai for CMake: C models generated from int8 TFLite files at build time, and the
# runtime they link with. Ships in the edgeai package; `edgeai cmake-dir` prints its folder.
#
#   find_package(edgeai REQUIRED)          # with -Dedgeai_DIR=$(edgeai cmake-dir)
#   edgeai_add_model(app MODEL model.tflite [NAME network] [MEMORY_POOL pools.json]
#                    [OUTPUT_DIRECTORY dir] [OPTIONS -O time --no-inputs-allocation ...])
#   edgeai_add_models(app MANIFEST edgeai.yaml)   # every model of the manifest
#
# Each model is generated into ${CMAKE_CURRENT_BINARY_DIR}/edgeai/<name>/ (or
# OUTPUT_DIRECTORY), its C files are added to <target> with their folder on the include
# path, and <target> links edgeai::runtime (the kernels, one static library per build).
# OPTIONS are further `edgeai generate` arguments; --target defaults to EDGEAI_TARGET.
# When <target> is an executable, a post-link step (`edgeai check-firmware`) fails its build
# if a section of it lies over a pool the network uses at a fixed address (a non-zero offset
# in the memory-pool file), deleting the firmware so the next build links it again. Set the
# target's EDGEAI_LINK_MAP property to the map file its link writes (-Wl,-Map=...) to also
# check that those pools lie in RAM regions of the linker script.
#
# Generation is a custom command with a depfile naming the model, the pool file and the
# generator's own sources and templates, so editing any of them regenerates. The generator
# leaves files whose bytes did not change untouched: a retrained model with the same
# architecture recompiles only the data files, and a touched but identical model nothing.
#
# Variables: EDGEAI_PYTHON, the Python interpreter edgeai is installed for (found in
# $VIRTUAL_ENV, else on PATH); EDGEAI_TARGET, the generator's default --target.
# Set by the module: EDGEAI_CMAKE_DIR, EDGEAI_RUNTIME_DIR and EDGEAI_BOARDS_DIR (board
# support for the demo boards).

if(CMAKE_VERSION VERSION_LESS 3.20)
  message(FATAL_ERROR "edgeai needs CMake 3.20 or newer (DEPFILE with Makefiles)")
endif()
cmake_policy(VERSION 3.20...3.31)  # this file's policy scope only

# In every directory that loads the module; the rest is defined once.
set(EDGEAI_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}")
get_filename_component(_edgeai_package "${CMAKE_CURRENT_LIST_DIR}" DIRECTORY)
set(EDGEAI_RUNTIME_DIR "${_edgeai_package}/runtime")
set(EDGEAI_BOARDS_DIR "${_edgeai_package}/boards")
include_guard(GLOBAL)

set(EDGEAI_TARGET "stm32f7" CACHE STRING
    "the generator's default --target (an ST series, qemu-m7 or host)")

# The interpreter must run the package this file belongs to: a module from one edgeai and
# a generator from another would disagree on file names and options.
if(NOT EDGEAI_PYTHON)
  if(DEFINED ENV{VIRTUAL_ENV})
    find_program(EDGEAI_PYTHON NAMES python3 python PATHS "$ENV{VIRTUAL_ENV}/bin"
                 NO_DEFAULT_PATH)
  endif()
  find_program(EDGEAI_PYTHON NAMES python3 python)
endif()
set(EDGEAI_PYTHON "${EDGEAI_PYTHON}" CACHE FILEPATH
    "the Python interpreter edgeai is installed for")
execute_process(COMMAND "${EDGEAI_PYTHON}" -m edgeai_tool cmake-dir
                OUTPUT_VARIABLE _edgeai_dir ERROR_VARIABLE _edgeai_error
                RESULT_VARIABLE _edgeai_status OUTPUT_STRIP_TRAILING_WHITESPACE)
file(REAL_PATH "${CMAKE_CURRENT_LIST_DIR}" _edgeai_here)
if(NOT _edgeai_status EQUAL 0 OR NOT _edgeai_dir STREQUAL _edgeai_here)
  message(FATAL_ERROR "edgeai: ${EDGEAI_PYTHON} does not run the edgeai package of this "
          "module (${_edgeai_here}): ${_edgeai_error}${_edgeai_dir}\n"
          "Set EDGEAI_PYTHON to the interpreter edgeai is installed for, e.g. "
          "-DEDGEAI_PYTHON=/path/to/venv/bin/python")
endif()

# The runtime: compiled in place, once, for every model of the build.
if(NOT TARGET edgeai_runtime)
  file(GLOB _edgeai_runtime_sources "${EDGEAI_RUNTIME_DIR}/*.c")
  add_library(edgeai_runtime STATIC ${_edgeai_runtime_sources})
  target_include_directories(edgeai_runtime PUBLIC "${EDGEAI_RUNTIME_DIR}")
  add_library(edgeai::runtime ALIAS edgeai_runtime)
endif()

function(_edgeai_existing_file variable path what caller)
  get_filename_component(absolute "${path}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${absolute}" OR IS_DIRECTORY "${absolute}")
    set(where "")
    if(NOT absolute STREQUAL path)
      set(where " (${absolute})")
    endif()
    message(FATAL_ERROR "${caller}: ${what} '${path}' not found${where}")
  endif()
  set(${variable} "${absolute}" PARENT_SCOPE)
endfunction()

function(edgeai_add_model target)
  set(caller "edgeai_add_model(${target})")
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "MODEL;NAME;MEMORY_POOL;OUTPUT_DIRECTORY"
                        "OPTIONS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${caller}: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET "${target}")
    message(FATAL_ERROR "${caller}: '${target}' is not a target")
  endif()
  if(NOT arg_MODEL)
    message(FATAL_ERROR "${caller}: MODEL is required")
  endif()
  _edgeai_existing_file(model "${arg_MODEL}" "model file" "${caller}")
  set(name network)
  if(arg_NAME)
    set(name "${arg_NAME}")
  endif()
  set(outdir "${CMAKE_CURRENT_BINARY_DIR}/edgeai/${name}")
  if(arg_OUTPUT_DIRECTORY)
    get_filename_component(outdir "${arg_OUTPUT_DIRECTORY}" ABSOLUTE
                           BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  endif()
  set(arguments -m "${model}" -n "${name}")
  set(depends "${model}")
  if(arg_MEMORY_POOL)
    _edgeai_existing_file(pools "${arg_MEMORY_POOL}" "memory-pool file" "${caller}")
    list(APPEND arguments --memory-pool "${pools}")
    list(APPEND depends "${pools}")
  endif()
  set(named_target ${arg_OPTIONS})
  list(FILTER named_target INCLUDE REGEX "^--target(=|$)")
  if(NOT named_target)
    list(APPEND arguments --target "${EDGEAI_TARGET}")
  endif()
  list(APPEND arguments ${arg_OPTIONS} -o "${outdir}")

  # The file names are the generator's: ask it (it checks the name and options too).
  set(edgeai "${EDGEAI_PYTHON}" -m edgeai_tool)
  execute_process(COMMAND ${edgeai} generate ${arguments} --list-outputs
                  OUTPUT_VARIABLE outputs ERROR_VARIABLE error RESULT_VARIABLE status
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_STRIP_TRAILING_WHITESPACE)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${caller}: ${error}")
  endif()
  string(REPLACE "\n" ";" outputs "${outputs}")
  set(c_files ${outputs})
  list(FILTER c_files INCLUDE REGEX "\\.[ch]$")

  # Make does not see a changed command line (Ninja does): a file holding the arguments,
  # rewritten only when they change, regenerates for both.
  string(REPLACE ";" "\n" argument_lines "${arguments}")
  file(CONFIGURE OUTPUT "${outdir}.arguments" CONTENT "${argument_lines}\n" @ONLY)
  list(APPEND depends "${outdir}.arguments")

  get_filename_component(model_name "${model}" NAME)
  # The stamp is the output, the generated files byproducts: they keep their mtime when
  # unchanged, and only Ninja would see that (restat), Make would regenerate every time.
  add_custom_command(
    OUTPUT "${outdir}.stamp"
    BYPRODUCTS ${outputs}
    COMMAND ${edgeai} generate ${arguments} --depfile "${outdir}.d"
            --stamp "${outdir}.stamp"
    DEPENDS ${depends}
    DEPFILE "${outdir}.d"
    COMMENT "Generating ${name}.c from ${model_name}"
    VERBATIM)
  target_sources("${target}" PRIVATE "${outdir}.stamp" ${c_files})
  target_include_directories("${target}" PRIVATE "${outdir}")
  target_link_libraries("${target}" PRIVATE edgeai::runtime)
  set(c_info ${outputs})
  list(FILTER c_info INCLUDE REGEX "_c_info\\.json$")
  _edgeai_check_after_link("${target}" "${c_info}")
endfunction()

# After linking an executable, `edgeai check-firmware` fails the build when a section lies
# over a fixed-address pool of its models (and deletes the firmware, so the next build links
# again); with the target's EDGEAI_LINK_MAP property (the map its link writes), the pools
# must also lie in the map's RAM regions. One check per target, for all of its models.
function(_edgeai_check_after_link target c_info)
  get_target_property(type "${target}" TYPE)
  # Fixed addresses exist in firmware images only: a host build (Mach-O, PE) has no ELF.
  if(NOT type STREQUAL "EXECUTABLE"
     OR NOT (CMAKE_CROSSCOMPILING OR CMAKE_EXECUTABLE_FORMAT STREQUAL "ELF"))
    return()
  endif()
  get_property(checked TARGET "${target}" PROPERTY EDGEAI_MODEL_INFOS SET)
  set_property(TARGET "${target}" APPEND PROPERTY EDGEAI_MODEL_INFOS "${c_info}")
  if(checked)
    return()
  endif()
  set(map "$<TARGET_GENEX_EVAL:${target},$<TARGET_PROPERTY:${target},EDGEAI_LINK_MAP>>")
  add_custom_command(TARGET "${target}" POST_BUILD
    COMMAND "${EDGEAI_PYTHON}" -m edgeai_tool check-firmware "$<TARGET_FILE:${target}>"
            --model-info "$<TARGET_PROPERTY:${target},EDGEAI_MODEL_INFOS>"
            "$<$<BOOL:${map}>:--map;${map}>" --delete-on-error
    COMMAND_EXPAND_LISTS
    VERBATIM)
endfunction()

function(edgeai_add_models target)
  set(caller "edgeai_add_models(${target})")
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "MANIFEST" "")
  if(arg_UNPARSED_ARGUMENTS OR NOT arg_MANIFEST)
    message(FATAL_ERROR "${caller}: expected MANIFEST <file>")
  endif()
  _edgeai_existing_file(manifest "${arg_MANIFEST}" "manifest" "${caller}")
  execute_process(COMMAND "${EDGEAI_PYTHON}" -m edgeai_tool manifest "${manifest}"
                  OUTPUT_VARIABLE json ERROR_VARIABLE error RESULT_VARIABLE status
                  ERROR_STRIP_TRAILING_WHITESPACE)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${caller}: ${error}")
  endif()
  # Editing the manifest configures again.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${manifest}")
  string(JSON count LENGTH "${json}" models)
  math(EXPR last "${count} - 1")
  foreach(index RANGE ${last})
    string(JSON entry GET "${json}" models ${index})
    foreach(field name model mempools optimization target allocate_inputs allocate_outputs)
      string(JSON model_${field} GET "${entry}" ${field})  # null: empty; true: ON
    endforeach()
    set(arguments NAME "${model_name}" OPTIONS -O "${model_optimization}")
    if(model_target)
      list(APPEND arguments --target "${model_target}")
    endif()
    if(NOT model_allocate_inputs)
      list(APPEND arguments --no-inputs-allocation)
    endif()
    if(NOT model_allocate_outputs)
      list(APPEND arguments --no-outputs-allocation)
    endif()
    if(model_mempools)
      list(PREPEND arguments MEMORY_POOL "${model_mempools}")
    endif()
    edgeai_add_model("${target}" MODEL "${model_model}" ${arguments})
  endforeach()
endfunction()
