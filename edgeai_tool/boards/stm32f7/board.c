/* SPDX-License-Identifier: Apache-2.0 */
/* NUCLEO-F767ZI: 216 MHz core clock, console on USART3 (PD8 TX, PD9 RX),
 * which the board routes to the ST-LINK's virtual COM port.
 *
 * Clock: the PLL at its maximum, 216 MHz, because the firmware exists to
 * measure inference speed and ST's own figures for this board are at 216
 * MHz. Its input is HSE in bypass mode: the ST-LINK's 8 MHz MCO output,
 * wired to OSC_IN on NUCLEO-144 boards, which is crystal-accurate (HSI is a
 * 1% RC, enough for a UART but not for timing). Boards without that link
 * (solder bridge open) do not get stuck: if HSE is not ready in time the
 * same 216 MHz comes from HSI. */
#include <stdio.h>
#include <stdlib.h>

#include "board.h"
#include "stm32f7_regs.h"

#define HSE_HZ 8000000u
#define HSI_HZ 16000000u
#define SYSCLK_HZ BOARD_CPU_HZ  /* 216 MHz: what clock_init sets up */
#define APB1_HZ (SYSCLK_HZ / 4)
#define BAUD 115200u

static const char *clock_source = "HSI";

static int wait_set(volatile uint32_t *reg, uint32_t mask, uint32_t tries)
{
    while (tries--)
        if (*reg & mask)
            return 1;
    return 0;
}

static void clock_init(void)
{
    /* Power interface clock, then voltage scale 1 (only writable with the
     * PLL off, as it is at reset). The read back lets the clock enable take
     * effect before PWR is written. */
    RCC_APB1ENR |= RCC_APB1ENR_PWREN;
    (void)RCC_APB1ENR;
    PWR_CR1 |= PWR_CR1_VOS_SCALE1;

    /* PLL input divided to 2 MHz (RM0410 recommends 2 MHz to limit jitter),
     * VCO 2 MHz * 216 = 432 MHz, SYSCLK = VCO / 2 = 216 MHz, and
     * VCO / 9 = 48 MHz for USB. */
    uint32_t pll = RCC_PLLCFGR_N(216) | RCC_PLLCFGR_P(2) | RCC_PLLCFGR_Q(9) | RCC_PLLCFGR_R(2);
    RCC_CR |= RCC_CR_HSEBYP;  /* writable only while HSE is off: before HSEON */
    RCC_CR |= RCC_CR_HSEON;
    if (wait_set(&RCC_CR, RCC_CR_HSERDY, 200000u)) {
        pll |= RCC_PLLCFGR_SRC_HSE | RCC_PLLCFGR_M(HSE_HZ / 2000000u);
        clock_source = "HSE 8 MHz from ST-LINK";
    } else {
        RCC_CR &= ~(RCC_CR_HSEON | RCC_CR_HSEBYP);
        pll |= RCC_PLLCFGR_M(HSI_HZ / 2000000u);
    }
    RCC_PLLCFGR = pll;
    RCC_CR |= RCC_CR_PLLON;

    /* Over-drive mode, required above 180 MHz (RM0410 "Entering Over-drive
     * mode": after PLLON, before switching SYSCLK). */
    PWR_CR1 |= PWR_CR1_ODEN;
    wait_set(&PWR_CSR1, PWR_CSR1_ODRDY, 1000000u);
    PWR_CR1 |= PWR_CR1_ODSWEN;
    wait_set(&PWR_CSR1, PWR_CSR1_ODSWRDY, 1000000u);

    /* 7 wait states for 210-216 MHz at 2.7-3.6 V; read back until the new
     * latency is in effect before raising the clock. ART and prefetch speed
     * up code fetched over the ITCM path. */
    FLASH_ACR = FLASH_ACR_LATENCY(7) | FLASH_ACR_PRFTEN | FLASH_ACR_ARTEN;
    while ((FLASH_ACR & FLASH_ACR_LATENCY_MASK) != 7)
        ;
    /* AHB = SYSCLK; APB1 at its 54 MHz maximum, APB2 at its 108 MHz. */
    RCC_CFGR = (RCC_CFGR & ~(0x7u << 10 | 0x7u << 13 | 0xFu << 4))
               | RCC_CFGR_PPRE1_DIV4 | RCC_CFGR_PPRE2_DIV2;

    while (!(RCC_CR & RCC_CR_PLLRDY))
        ;
    RCC_CFGR = (RCC_CFGR & ~RCC_CFGR_SW_MASK) | RCC_CFGR_SW_PLL;
    while ((RCC_CFGR & RCC_CFGR_SWS_MASK) != RCC_CFGR_SWS_PLL)
        ;
}

static void console_init(void)
{
    RCC_AHB1ENR |= RCC_AHB1ENR_GPIODEN;
    RCC_APB1ENR |= RCC_APB1ENR_USART3EN;
    (void)RCC_APB1ENR;

    /* PD8, PD9: alternate function 7 (USART3), high speed, pull-up on RX. */
    GPIOD_MODER = (GPIOD_MODER & ~(0xFu << 16)) | (GPIO_MODE_AF << 16) | (GPIO_MODE_AF << 18);
    GPIOD_OSPEEDR |= 0xFu << 16;
    GPIOD_PUPDR = (GPIOD_PUPDR & ~(0xFu << 16)) | (1u << 18);
    GPIOD_AFRH = (GPIOD_AFRH & ~0xFFu) | (7u << 0) | (7u << 4);

    /* 16x oversampling: BRR = f_ck / baud, rounded (54 MHz: 469, 0.05% off).
     * USART3's kernel clock is APB1 after reset (RCC_DCKCFGR2). */
    USART3_CR1 = 0;
    USART3_BRR = (APB1_HZ + BAUD / 2) / BAUD;
    USART3_CR1 = USART_CR1_TE | USART_CR1_RE | USART_CR1_UE;
}

void board_init(void)
{
    clock_init();
    cortex_m7_enable_caches();
    cortex_m_cycles_start();
    console_init();
    printf("\n" BOARD_NAME ": %lu MHz from %s\n", (unsigned long)(SYSCLK_HZ / 1000000u),
           clock_source);
}

void board_putc(char c)
{
    if (c == '\n')  /* terminals on the virtual COM port expect CR LF */
        board_putc('\r');
    while (!(USART3_ISR & USART_ISR_TXE))
        ;
    USART3_TDR = (uint8_t)c;
}

void board_puts(const char *s)
{
    while (*s)
        board_putc(*s++);
}

uint32_t board_cycles(void) { return DWT_CYCCNT; }
uint32_t board_cpu_hz(void) { return SYSCLK_HZ; }

_Noreturn void board_exit(int status)
{
    exit(status);
}

/* The end of exit(): let the last bytes leave the UART, then stop. A
 * debugger can still attach; there is no operating system to return to. */
_Noreturn void _exit(int status)
{
    (void)status;
    while (!(USART3_ISR & USART_ISR_TC))
        ;
    for (;;)
        ;
}
