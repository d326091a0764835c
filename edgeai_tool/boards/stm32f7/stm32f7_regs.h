/* SPDX-License-Identifier: Apache-2.0 */
/* The STM32F76x/77x registers this board support uses, written from the
 * reference manual RM0410 (register map tables of the RCC, PWR, FLASH, GPIO
 * and USART chapters). Only what board.c needs. */
#ifndef STM32F7_REGS_H
#define STM32F7_REGS_H

#include "cortex_m.h"

/* Reset and clock control */
#define RCC_BASE        0x40023800u
#define RCC_CR          REG32(RCC_BASE + 0x00)
#define RCC_CR_HSION    (1u << 0)
#define RCC_CR_HSIRDY   (1u << 1)
#define RCC_CR_HSEON    (1u << 16)
#define RCC_CR_HSERDY   (1u << 17)
#define RCC_CR_HSEBYP   (1u << 18)
#define RCC_CR_PLLON    (1u << 24)
#define RCC_CR_PLLRDY   (1u << 25)
#define RCC_PLLCFGR     REG32(RCC_BASE + 0x04)
#define RCC_PLLCFGR_M(m)   ((uint32_t)(m) << 0)            /* 2..63 */
#define RCC_PLLCFGR_N(n)   ((uint32_t)(n) << 6)            /* 50..432 */
#define RCC_PLLCFGR_P(p)   ((uint32_t)((p) / 2 - 1) << 16) /* 2, 4, 6, 8 */
#define RCC_PLLCFGR_SRC_HSE (1u << 22)
#define RCC_PLLCFGR_Q(q)   ((uint32_t)(q) << 24)           /* 2..15 */
#define RCC_PLLCFGR_R(r)   ((uint32_t)(r) << 28)           /* 2..7 */
#define RCC_CFGR        REG32(RCC_BASE + 0x08)
#define RCC_CFGR_SW_PLL     (2u << 0)
#define RCC_CFGR_SW_MASK    (3u << 0)
#define RCC_CFGR_SWS_PLL    (2u << 2)
#define RCC_CFGR_SWS_MASK   (3u << 2)
#define RCC_CFGR_PPRE1_DIV4 (5u << 10)                     /* APB1 = HCLK / 4 */
#define RCC_CFGR_PPRE2_DIV2 (4u << 13)                     /* APB2 = HCLK / 2 */
#define RCC_AHB1ENR     REG32(RCC_BASE + 0x30)
#define RCC_AHB1ENR_GPIODEN (1u << 3)
#define RCC_APB1ENR     REG32(RCC_BASE + 0x40)
#define RCC_APB1ENR_USART3EN (1u << 18)
#define RCC_APB1ENR_PWREN    (1u << 28)

/* Power control: voltage scale 1 and over-drive are needed above 180 MHz. */
#define PWR_BASE        0x40007000u
#define PWR_CR1         REG32(PWR_BASE + 0x00)
#define PWR_CR1_VOS_SCALE1 (3u << 14)
#define PWR_CR1_ODEN    (1u << 16)
#define PWR_CR1_ODSWEN  (1u << 17)
#define PWR_CSR1        REG32(PWR_BASE + 0x04)
#define PWR_CSR1_ODRDY  (1u << 16)
#define PWR_CSR1_ODSWRDY (1u << 17)

/* Flash interface */
#define FLASH_ACR       REG32(0x40023C00u)
#define FLASH_ACR_LATENCY(ws) ((uint32_t)(ws) << 0)
#define FLASH_ACR_LATENCY_MASK 0xFu
#define FLASH_ACR_PRFTEN (1u << 8)
#define FLASH_ACR_ARTEN (1u << 9)

/* GPIO port D */
#define GPIOD_BASE      0x40020C00u
#define GPIOD_MODER     REG32(GPIOD_BASE + 0x00)
#define GPIOD_OSPEEDR   REG32(GPIOD_BASE + 0x08)
#define GPIOD_PUPDR     REG32(GPIOD_BASE + 0x0C)
#define GPIOD_AFRH      REG32(GPIOD_BASE + 0x24)   /* alternate function, pins 8..15 */
#define GPIO_MODE_AF    2u

/* USART3 (the F7's USART with separate ISR/TDR registers) */
#define USART3_BASE     0x40004800u
#define USART3_CR1      REG32(USART3_BASE + 0x00)
#define USART_CR1_UE    (1u << 0)
#define USART_CR1_RE    (1u << 2)
#define USART_CR1_TE    (1u << 3)
#define USART3_BRR      REG32(USART3_BASE + 0x0C)
#define USART3_ISR      REG32(USART3_BASE + 0x1C)
#define USART_ISR_TC    (1u << 6)
#define USART_ISR_TXE   (1u << 7)
#define USART3_TDR      REG32(USART3_BASE + 0x28)

#endif
