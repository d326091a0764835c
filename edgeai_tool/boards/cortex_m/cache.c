/* SPDX-License-Identifier: Apache-2.0 */
/* Cortex-M7 L1 caches. The F7 runs code and reads weights from flash over
 * AXI with wait states; without the caches every fetch pays for them.
 * Sequence from the ARMv7-M ARM (cache maintenance by set/way): invalidate,
 * then enable, with barriers so no stale line is ever used. */
#include "cortex_m.h"

void cortex_m7_enable_caches(void)
{
    if (SCB_CCR & SCB_CCR_IC)   /* already on (e.g. after a debugger reset) */
        return;

    dsb();
    isb();
    SCB_ICIALLU = 0;
    dsb();
    isb();
    SCB_CCR |= SCB_CCR_IC;
    dsb();
    isb();

    /* Level 1 data cache: invalidate every line by set and way. */
    SCB_CSSELR = 0;
    dsb();
    uint32_t ccsidr = SCB_CCSIDR;
    uint32_t sets = ((ccsidr >> 13) & 0x7FFFu) + 1;
    uint32_t ways = ((ccsidr >> 3) & 0x3FFu) + 1;
    uint32_t line_shift = (ccsidr & 7u) + 4;             /* log2(bytes per line) */
    uint32_t way_shift = ways > 1 ? (uint32_t)__builtin_clz(ways - 1) : 0; /* top bits */
    for (uint32_t set = 0; set < sets; set++)
        for (uint32_t way = 0; way < ways; way++)
            SCB_DCISW = (way << way_shift) | (set << line_shift);
    dsb();
    SCB_CCR |= SCB_CCR_DC;
    dsb();
    isb();
}
