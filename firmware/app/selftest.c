/* Board-support self-test: exercises what the startup code and the board
 * must get right before any model runs on it. Prints one line per check and
 * returns the number of failures (0: QEMU and the host exit with 0). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"

static int initialised = 12345;     /* .data: copied from flash by the startup */
static int zeroed[64];              /* .bss: zeroed by the startup */
static volatile double operand = 3.0;  /* volatile: computed at run time */

static int failures;

static void check(const char *what, int ok)
{
    printf("%-28s %s\n", what, ok ? "ok" : "FAILED");
    failures += !ok;
}

int main(void)
{
    board_init();

    int all_zero = 1;
    for (unsigned i = 0; i < sizeof zeroed / sizeof zeroed[0]; i++)
        all_zero &= zeroed[i] == 0;
    check(".data initialised", initialised == 12345);
    check(".bss zeroed", all_zero);

    /* Hard-float code faults at once if the startup left the FPU off. */
    double root = operand;
    for (int i = 0; i < 20; i++)
        root = 0.5 * (root + operand / root);
    check("FPU (sqrt 3 by Newton)", root > 1.7320508 && root < 1.7320509);

    char *heap = malloc(4096);
    check("heap (malloc 4 KiB)", heap != NULL);
    if (heap)
        memset(heap, 0xA5, 4096);
    free(heap);

    char text[32];
    snprintf(text, sizeof text, "%d %s %x", -42, "ok", 0xbeef);
    check("snprintf", strcmp(text, "-42 ok beef") == 0);

    uint32_t c0 = board_cycles();
    bench_start();
    volatile int sum = 0;
    for (int i = 0; i < 100; i++)
        sum += i;
    bench_stop();
    uint32_t c1 = board_cycles();
    check("bench region", sum == 4950);
    if (board_cpu_hz())
        printf("cycles for 100 additions: %lu\n", (unsigned long)(c1 - c0));

    board_puts(failures ? "selftest: FAILED\n" : "selftest: all passed\n");
    return failures;
}
