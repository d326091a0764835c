/* SPDX-License-Identifier: Apache-2.0 */
/* The few ARMv7-M system registers the boards use (addresses from the ARMv7-M
 * Architecture Reference Manual, "System Control Space"). */
#ifndef CORTEX_M_H
#define CORTEX_M_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))

/* System Control Block */
#define SCB_CCR      REG32(0xE000ED14u) /* configuration and control */
#define SCB_CCR_DC   (1u << 16)         /* data cache enable (M7) */
#define SCB_CCR_IC   (1u << 17)         /* instruction cache enable (M7) */
#define SCB_CCSIDR   REG32(0xE000ED80u) /* cache size id of the level CSSELR selects */
#define SCB_CSSELR   REG32(0xE000ED84u)
#define SCB_CPACR    REG32(0xE000ED88u) /* coprocessor access control */
#define SCB_ICIALLU  REG32(0xE000EF50u) /* invalidate all of the I-cache */
#define SCB_DCISW    REG32(0xE000EF60u) /* invalidate D-cache line by set/way */

/* Debug: cycle counter */
#define DEMCR        REG32(0xE000EDFCu)
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL     REG32(0xE0001000u)
#define DWT_CYCCNT   REG32(0xE0001004u)
#define DWT_LAR      REG32(0xE0001FB0u) /* lock access: the M7's DWT is locked at reset */

static inline void dsb(void) { __asm volatile("dsb 0xF" ::: "memory"); }
static inline void isb(void) { __asm volatile("isb 0xF" ::: "memory"); }

/* Implemented in cortex_m/cache.c and cycles.c. */
void cortex_m7_enable_caches(void);
void cortex_m_cycles_start(void);

#endif
