/* SPDX-License-Identifier: Apache-2.0 */
/* Board support API shared by every target (one data file each in boards/targets). The
 * application needs nothing else: stdio's printf reaches the board's console
 * through newlib's _write. */
#ifndef BOARD_H
#define BOARD_H

#include <stdint.h>

/* Generated from the board's data file: BOARD_NAME, BOARD_CPU_HZ,
 * BOARD_IRQ_COUNT (Cortex-M), BOARD_HAS_CACHES, BOARD_UART_* and
 * BOARD_GPIO_* (boards with a UART console). */
#include "board_config.h"

/* Clocks, console, caches. Call first in main. */
void board_init(void);

/* Raw console output, unbuffered (safe from fault handlers). board_puts
 * writes s as is: unlike puts() it adds no newline. */
void board_putc(char c);
void board_puts(const char *s);

/* Flushes stdio and stops: on QEMU and the host, status becomes the process'
 * exit status; on a board, the CPU halts (there is nobody to return to). */
_Noreturn void board_exit(int status);

/* Free-running CPU cycle counter (DWT CYCCNT) where the board has one that
 * counts; 0 otherwise (QEMU does not model it). */
uint32_t board_cycles(void);

/* Core clock in Hz, 0 when unknown (host). */
uint32_t board_cpu_hz(void);

/* Markers for the qemu-insncount plugin (edgeai_tool/qemu_insncount): it
 * counts the instructions executed from bench_start to bench_stop. Defined out of line
 * (bench.c) so that they can be neither inlined nor merged. */
void bench_start(void);
void bench_stop(void);

#endif
