/* SPDX-License-Identifier: Apache-2.0 */
/* QEMU mps2-an500 (Cortex-M7). Console and exit go through semihosting
 * (librdimon): printf reaches QEMU's stdout and exit(status) ends QEMU with
 * that status, which is what `scons target=qemu-m7 run` and the tests need.
 * No clocks or caches to set up: QEMU models neither. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board.h"
#include "cortex_m.h"

void initialise_monitor_handles(void);

void board_init(void)
{
    initialise_monitor_handles();  /* opens stdin/stdout/stderr on the host */
}

void board_putc(char c)
{
    write(1, &c, 1);
}

void board_puts(const char *s)
{
    write(1, s, strlen(s));
}

uint32_t board_cycles(void) { return 0; }  /* QEMU has no DWT cycle counter */
uint32_t board_cpu_hz(void) { return 0; }

_Noreturn void board_exit(int status)
{
    exit(status);
}
