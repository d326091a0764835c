/* SPDX-License-Identifier: Apache-2.0 */
/* Any STM32 NUCLEO board whose data file describes its console UART
 * (its file in boards/targets, `uart:`): the core runs at its reset clock
 * (BOARD_CPU_HZ), the console is a USART on two GPIO pins, 8N1, no flow
 * control. Setting up a PLL is per family and left to boards with their own
 * support (stm32f7); at the reset clock every family runs with no flash wait
 * states to configure.
 *
 * The register offsets below are the same on every STM32 GPIO port. The
 * USARTs come in two layouts: F1/F2/F4 (SR, DR, BRR, CR1 with UE at bit 13)
 * and the later ones, F0/F3/F7/G/H/L/U (CR1 with UE at bit 0, BRR, ISR, TDR);
 * BOARD_UART_ISR_TDR picks one. TXE, TC, TE and RE are the same bits in both. */
#include <stdio.h>
#include <stdlib.h>

#include "board.h"
#include "cortex_m.h"

#define GPIO_MODER   REG32(BOARD_GPIO_BASE + 0x00u)
#define GPIO_OSPEEDR REG32(BOARD_GPIO_BASE + 0x08u)
#define GPIO_PUPDR   REG32(BOARD_GPIO_BASE + 0x0Cu)
#define GPIO_AFR(n)  REG32(BOARD_GPIO_BASE + 0x20u + 4u * (n))
#define GPIO_MODE_AF 2u

#if BOARD_UART_ISR_TDR
#define UART_CR1     REG32(BOARD_UART_BASE + 0x00u)
#define UART_BRR     REG32(BOARD_UART_BASE + 0x0Cu)
#define UART_STATUS  REG32(BOARD_UART_BASE + 0x1Cu)
#define UART_TX      REG32(BOARD_UART_BASE + 0x28u)
#define UART_CR1_UE  (1u << 0)
#else
#define UART_STATUS  REG32(BOARD_UART_BASE + 0x00u)
#define UART_TX      REG32(BOARD_UART_BASE + 0x04u)
#define UART_BRR     REG32(BOARD_UART_BASE + 0x08u)
#define UART_CR1     REG32(BOARD_UART_BASE + 0x0Cu)
#define UART_CR1_UE  (1u << 13)
#endif
#define UART_CR1_RE  (1u << 2)
#define UART_CR1_TE  (1u << 3)
#define UART_TC      (1u << 6)
#define UART_TXE     (1u << 7)

static void pin_alternate(uint32_t pin, uint32_t pull_up)
{
    GPIO_MODER = (GPIO_MODER & ~(3u << 2 * pin)) | (GPIO_MODE_AF << 2 * pin);
    GPIO_OSPEEDR |= 3u << 2 * pin;
    GPIO_PUPDR = (GPIO_PUPDR & ~(3u << 2 * pin)) | (pull_up << 2 * pin);
    uint32_t shift = 4u * (pin % 8u);
    GPIO_AFR(pin / 8u) = (GPIO_AFR(pin / 8u) & ~(0xFu << shift)) | (BOARD_UART_AF << shift);
}

static void console_init(void)
{
    REG32(BOARD_GPIO_ENABLE_REG) |= 1u << BOARD_GPIO_ENABLE_BIT;
    REG32(BOARD_UART_ENABLE_REG) |= 1u << BOARD_UART_ENABLE_BIT;
    (void)REG32(BOARD_UART_ENABLE_REG);  /* the clock is on before its first access */

    pin_alternate(BOARD_UART_TX_PIN, 0);
    pin_alternate(BOARD_UART_RX_PIN, 1);  /* an unconnected RX reads idle */

    /* 16x oversampling: BRR = kernel clock / baud, rounded. After reset the
     * USART's kernel clock is its bus clock, which is the core clock. */
    UART_CR1 = 0;
    UART_BRR = (BOARD_CPU_HZ + BOARD_UART_BAUD / 2) / BOARD_UART_BAUD;
    UART_CR1 = UART_CR1_TE | UART_CR1_RE | UART_CR1_UE;
}

void board_init(void)
{
#ifdef BOARD_HAS_CACHES
    cortex_m7_enable_caches();
#endif
    cortex_m_cycles_start();
    console_init();
    printf("\n" BOARD_NAME ": %lu MHz (reset clock)\n", (unsigned long)(BOARD_CPU_HZ / 1000000u));
}

void board_putc(char c)
{
    if (c == '\n')  /* terminals on the virtual COM port expect CR LF */
        board_putc('\r');
    while (!(UART_STATUS & UART_TXE))
        ;
    UART_TX = (uint8_t)c;
}

void board_puts(const char *s)
{
    while (*s)
        board_putc(*s++);
}

uint32_t board_cycles(void) { return DWT_CYCCNT; }
uint32_t board_cpu_hz(void) { return BOARD_CPU_HZ; }

_Noreturn void board_exit(int status)
{
    exit(status);
}

/* The end of exit(): let the last bytes leave the UART, then stop. A
 * debugger can still attach; there is no operating system to return to. */
_Noreturn void _exit(int status)
{
    (void)status;
    while (!(UART_STATUS & UART_TC))
        ;
    for (;;)
        ;
}
