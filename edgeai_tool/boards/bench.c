/* SPDX-License-Identifier: Apache-2.0 */
/* Benchmark markers: see board.h. The asm bodies differ so that the linker
 * cannot fold the two functions into one address (identical code folding). */
#include "board.h"

__attribute__((noinline)) void bench_start(void) { __asm volatile(""); }
__attribute__((noinline)) void bench_stop(void) { __asm volatile("nop"); }
