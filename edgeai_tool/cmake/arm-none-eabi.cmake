# CMake toolchain file: the Arm GNU toolchain (arm-none-eabi-gcc) for Cortex-M firmware.
#
#   cmake -DCMAKE_TOOLCHAIN_FILE=$(edgeai cmake-dir)/arm-none-eabi.cmake ...
#
# EDGEAI_MCU_FLAGS are the machine flags; they go unchanged to the compiler, the
# assembler and the linker (a hard-float object linked against soft-float libraries
# fails only at run time, so one list feeds all three). The default is a Cortex-M7 with
# its double-precision FPU (STM32F7, STM32H7, QEMU mps2-an500); for an STM32F4 say
# -DEDGEAI_MCU_FLAGS="-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard".
# EDGEAI_TOOLCHAIN_PREFIX may hold a directory: /opt/arm/bin/arm-none-eabi-.
# Board support (startup code, linker script, specs) is the firmware's business.

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(EDGEAI_TOOLCHAIN_PREFIX "arm-none-eabi-" CACHE STRING "the Arm GNU toolchain's prefix")
set(EDGEAI_MCU_FLAGS "-mcpu=cortex-m7 -mthumb -mfpu=fpv5-d16 -mfloat-abi=hard"
    CACHE STRING "machine flags for compiling and linking")
# try_compile projects read this file again: give them the same flags.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES EDGEAI_TOOLCHAIN_PREFIX EDGEAI_MCU_FLAGS)

set(CMAKE_C_COMPILER "${EDGEAI_TOOLCHAIN_PREFIX}gcc")
set(CMAKE_CXX_COMPILER "${EDGEAI_TOOLCHAIN_PREFIX}g++")
set(CMAKE_ASM_COMPILER "${EDGEAI_TOOLCHAIN_PREFIX}gcc")
# A test program cannot link without a board's startup code and linker script.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# Every function and object in its own section, so the link drops what is unused.
set(CMAKE_C_FLAGS_INIT "${EDGEAI_MCU_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${EDGEAI_MCU_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${EDGEAI_MCU_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${EDGEAI_MCU_FLAGS} -Wl,--gc-sections")
set(CMAKE_EXECUTABLE_SUFFIX_C .elf)
set(CMAKE_EXECUTABLE_SUFFIX_CXX .elf)

# Programs (python, qemu) come from the host; headers and libraries from the toolchain.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
