/* SPDX-License-Identifier: Apache-2.0 */
/* Vector table and reset handler of the QEMU validation harness (ARMv7-M).
 * Everything else (faults, interrupts) ends the run with a message: the
 * harness enables no interrupt. */
#include <stdint.h>

extern uint32_t __stack_top[];
extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];

int main(void);
void harness_exit(int status);
void harness_write(const char *text);

void Reset_Handler(void);
void Fault_Handler(void);

typedef void (*vector_t)(void);

__attribute__((section(".isr_vector"), used))
const vector_t vector_table[16] = {
    [0] = (vector_t)__stack_top,
    [1] = Reset_Handler,
    [2 ... 15] = Fault_Handler,
};

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)

/* Plain loops: gcc must not turn them into library calls before .data/.bss exist. */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
void Reset_Handler(void)
{
#if defined(__ARM_FP)
    SCB_CPACR |= 0xFu << 20; /* CP10/CP11 full access: the FPU */
    __asm volatile("dsb\n isb" ::: "memory");
#endif
    for (uint32_t *src = __data_load, *dst = __data_start; dst < __data_end;)
        *dst++ = *src++;
    for (uint32_t *dst = __bss_start; dst < __bss_end;)
        *dst++ = 0;
    harness_exit(main());
}

void Fault_Handler(void)
{
    harness_write("\nFAULT\n");
    harness_exit(3);
}
