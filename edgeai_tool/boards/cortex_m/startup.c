/* SPDX-License-Identifier: Apache-2.0 */
/* Vector table and reset handler for any Cortex-M board; the board's linker
 * script (with sections.ld) provides the symbols used here.
 *
 * Nothing from a vendor: the layout of the first 16 entries is the ARMv7-M
 * architecture's; the device's interrupts all go to Default_Handler because
 * the firmware enables none (interrupts would also be counted by the QEMU
 * instruction-count plugin). BOARD_IRQ_COUNT sizes the table per device. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "board.h"
#include "cortex_m.h"

#ifndef BOARD_IRQ_COUNT
#error "BOARD_IRQ_COUNT must come from the board's board_config.h"
#endif

extern uint32_t __stack_top[];
extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];

int main(void);
void __libc_init_array(void);

void Reset_Handler(void);
void Default_Handler(void);

/* Weak, so that a board (or an application) can supply its own handler. */
void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
void HardFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void MemManage_Handler(void) __attribute__((weak, alias("Default_Handler")));
void BusFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));

typedef void (*vector_t)(void);

__attribute__((section(".isr_vector"), used))
const vector_t vector_table[16 + BOARD_IRQ_COUNT] = {
    [0] = (vector_t)__stack_top,   /* initial stack pointer, loaded by the core */
    [1] = Reset_Handler,
    [2] = NMI_Handler,
    [3] = HardFault_Handler,
    [4] = MemManage_Handler,
    [5] = BusFault_Handler,
    [6] = UsageFault_Handler,
    [11] = SVC_Handler,
    [12] = DebugMon_Handler,
    [14] = PendSV_Handler,
    [15] = SysTick_Handler,
    [16 ... 16 + BOARD_IRQ_COUNT - 1] = Default_Handler,
};

/* gcc may compile the copy loops below into library calls or vector code;
 * neither is safe before .data and .bss exist, so keep them plain loops. */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
void Reset_Handler(void)
{
#if defined(__ARM_FP)
    /* Full access to CP10/CP11 (the FPU) before any floating-point
     * instruction: compiled with -mfloat-abi=hard, even libc may use it. */
    SCB_CPACR |= 0xFu << 20;
    dsb();
    isb();
#endif
    for (uint32_t *src = __data_load, *dst = __data_start; dst < __data_end;)
        *dst++ = *src++;
    for (uint32_t *dst = __bss_start; dst < __bss_end;)
        *dst++ = 0;

    __libc_init_array();  /* C constructors, if any */
    exit(main());         /* flushes stdio, then _exit: see board_exit */
}

/* A fault or unexpected interrupt: say so on the console and stop with
 * status 134 (what QEMU itself reports for a fault it cannot handle). */
void Default_Handler(void)
{
    board_puts("\nboard: unexpected exception or fault\n");
    _exit(134);
}

/* newlib's __libc_init_array calls _init; crti.o would provide it but we
 * link with -nostartfiles. */
void _init(void) {}
