/* SPDX-License-Identifier: Apache-2.0 */
/* DWT cycle counter: real cycle counts on hardware (QEMU reads 0). */
#include "cortex_m.h"

void cortex_m_cycles_start(void)
{
    DEMCR |= DEMCR_TRCENA;
    DWT_LAR = 0xC5ACCE55u;  /* unlock key; a no-op on cores without the lock */
    DWT_CYCCNT = 0;
    DWT_CTRL |= 1u;         /* CYCCNTENA */
}
