/* SPDX-License-Identifier: Apache-2.0 */
/* The build machine: the same application as a native program, for
 * comparing its outputs with the target's and for debugging. */
#include <stdio.h>
#include <stdlib.h>

#include "board.h"

void board_init(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);  /* line by line even into a pipe */
}

void board_putc(char c)
{
    fputc(c, stdout);
}

void board_puts(const char *s)
{
    fputs(s, stdout);
}

uint32_t board_cycles(void) { return 0; }
uint32_t board_cpu_hz(void) { return 0; }

_Noreturn void board_exit(int status)
{
    exit(status);
}
