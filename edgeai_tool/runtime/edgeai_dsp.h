/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgeai runtime: the Cortex-M DSP instructions the kernels use, and their C stand-ins.
 *
 * One condition decides every kernel's path. EDGEAI_USE_DSP is 1 on a core with the DSP
 * extension (__ARM_FEATURE_DSP: M4, M7, M33), where the instructions are the real ones, and
 * on any compiler when EDGEAI_EMULATE_DSP is defined, where portable C computes the same
 * integers so that host tests run the DSP loops; EDGEAI_NO_DSP forces the portable paths.
 * Not part of the API: kernels include it, generated code does not.
 */
#ifndef EDGEAI_DSP_H
#define EDGEAI_DSP_H

#include <stdint.h>
#include <string.h>

#include "edgeai_common.h"

#if defined(EDGEAI_NO_DSP)
#define EDGEAI_USE_DSP 0
#define EDGEAI_DSP_NATIVE 0
#elif defined(EDGEAI_EMULATE_DSP)
#define EDGEAI_USE_DSP 1
#define EDGEAI_DSP_NATIVE 0
#elif defined(__ARM_FEATURE_DSP)
#define EDGEAI_USE_DSP 1
#define EDGEAI_DSP_NATIVE 1
#else
#define EDGEAI_USE_DSP 0
#define EDGEAI_DSP_NATIVE 0
#endif

/** Four bytes from any address (one unaligned LDR on Cortex-M4/M7/M33). */
static inline uint32_t edgeai_read_u32(const void *p)
{
    uint32_t value;
    memcpy(&value, p, sizeof value);
    return value;
}

/** (a * b + 2^31) >> 32: SMMULR (the requantization's fast form uses it on every path). */
#if EDGEAI_DSP_NATIVE
static inline int32_t edgeai_smmulr(int32_t a, int32_t b)
{
    int32_t result;
    __asm("smmulr %0, %1, %2" : "=r"(result) : "r"(a), "r"(b));
    return result;
}
#else
static inline int32_t edgeai_smmulr(int32_t a, int32_t b)
{
    return (int32_t)(((int64_t)a * b + (INT64_C(1) << 31)) >> 32);
}
#endif

#if EDGEAI_DSP_NATIVE
#include <arm_acle.h>
/** Bytes 0 and 2 of x, sign-extended into two int16 halves (SXTB16). */
#define EDGEAI_SXTB16(x) ((int32_t)__sxtb16((int32_t)(x)))
/** Bytes 1 and 3 of x, sign-extended into two int16 halves (one SXTB16 x, ROR #8). */
static inline int32_t edgeai_sxtb16_ror8(uint32_t x)
{
    int32_t result;
    __asm("sxtb16 %0, %1, ror #8" : "=r"(result) : "r"(x));
    return result;
}
#define EDGEAI_SXTB16_ROR8(x) edgeai_sxtb16_ror8((uint32_t)(x))
/** acc + lo(a) * lo(b) + hi(a) * hi(b) on int16 halves (SMLAD). */
#define EDGEAI_SMLAD(a, b, acc) __smlad((a), (b), (acc))
/** acc + lo(a) * lo(b) (SMLABB) and acc + hi(a) * hi(b) (SMLATT). */
#define EDGEAI_SMLABB(a, b, acc) __smlabb((a), (b), (acc))
#define EDGEAI_SMLATT(a, b, acc) __smlatt((a), (b), (acc))
/** Halfwise a - b (SSUB16). */
#define EDGEAI_SSUB16(a, b) ((int32_t)__ssub16((a), (b)))
/** acc + bytes 0 and 2 (or 1 and 3) of x sign-extended, halfwise (SXTAB16). */
#define EDGEAI_SXTAB16(acc, x) ((int32_t)__sxtab16((acc), (int32_t)(x)))
static inline int32_t edgeai_sxtab16_ror8(int32_t acc, uint32_t x)
{
    int32_t result;
    __asm("sxtab16 %0, %1, %2, ror #8" : "=r"(result) : "r"(acc), "r"(x));
    return result;
}
#define EDGEAI_SXTAB16_ROR8(acc, x) edgeai_sxtab16_ror8((acc), (uint32_t)(x))
/** Bytewise max and min of signed bytes (SSUB8 sets GE, SEL picks). */
static inline uint32_t edgeai_max8(uint32_t a, uint32_t b)
{
    (void)__ssub8((int8x4_t)a, (int8x4_t)b);
    return __sel(a, b);
}
static inline uint32_t edgeai_min8(uint32_t a, uint32_t b)
{
    (void)__ssub8((int8x4_t)a, (int8x4_t)b);
    return __sel(b, a);
}
/** Saturate to int8 (SSAT #8). */
#define EDGEAI_SSAT8(x) __ssat((x), 8)
#elif EDGEAI_USE_DSP
static inline int32_t edgeai_emu_sxtb16(uint32_t x)
{
    const uint32_t lo = (uint32_t)(int32_t)(int8_t)(uint8_t)(x & 0xFFU) & 0xFFFFU;
    const uint32_t hi = (uint32_t)(int32_t)(int8_t)(uint8_t)((x >> 16) & 0xFFU) << 16;
    return (int32_t)(hi | lo);
}
static inline int32_t edgeai_emu_lo(int32_t x) { return (int32_t)(int16_t)(uint16_t)((uint32_t)x & 0xFFFFU); }
static inline int32_t edgeai_emu_hi(int32_t x) { return (int32_t)(int16_t)(uint16_t)((uint32_t)x >> 16); }
static inline int32_t edgeai_emu_smlad(int32_t a, int32_t b, int32_t acc)
{
    const uint32_t sum = (uint32_t)acc + (uint32_t)(edgeai_emu_lo(a) * edgeai_emu_lo(b)) +
                         (uint32_t)(edgeai_emu_hi(a) * edgeai_emu_hi(b));
    return (int32_t)sum;
}
static inline int32_t edgeai_emu_ssub16(int32_t a, int32_t b)
{
    const uint32_t lo = (uint32_t)(edgeai_emu_lo(a) - edgeai_emu_lo(b)) & 0xFFFFU;
    const uint32_t hi = (uint32_t)(edgeai_emu_hi(a) - edgeai_emu_hi(b)) << 16;
    return (int32_t)(hi | lo);
}
static inline int32_t edgeai_emu_sxtab16(int32_t acc, uint32_t x)
{
    const int32_t b = edgeai_emu_sxtb16(x);
    const uint32_t lo = (uint32_t)(edgeai_emu_lo(acc) + edgeai_emu_lo(b)) & 0xFFFFU;
    const uint32_t hi = (uint32_t)(edgeai_emu_hi(acc) + edgeai_emu_hi(b)) << 16;
    return (int32_t)(hi | lo);
}
static inline uint32_t edgeai_emu_select8(uint32_t a, uint32_t b, int want_max)
{
    uint32_t result = 0;
    for (int i = 0; i < 32; i += 8) {
        const int32_t x = (int8_t)(uint8_t)(a >> i);
        const int32_t y = (int8_t)(uint8_t)(b >> i);
        const int32_t pick = want_max ? (x >= y ? x : y) : (x >= y ? y : x);
        result |= (uint32_t)(uint8_t)pick << i;
    }
    return result;
}
#define EDGEAI_SXTB16(x) edgeai_emu_sxtb16((uint32_t)(x))
#define EDGEAI_SXTB16_ROR8(x) edgeai_emu_sxtb16((uint32_t)(x) >> 8)
#define EDGEAI_SMLAD(a, b, acc) edgeai_emu_smlad((a), (b), (acc))
#define EDGEAI_SMLABB(a, b, acc) \
    ((int32_t)((uint32_t)(acc) + (uint32_t)(edgeai_emu_lo(a) * edgeai_emu_lo(b))))
#define EDGEAI_SMLATT(a, b, acc) \
    ((int32_t)((uint32_t)(acc) + (uint32_t)(edgeai_emu_hi(a) * edgeai_emu_hi(b))))
#define EDGEAI_SSUB16(a, b) edgeai_emu_ssub16((a), (b))
#define EDGEAI_SXTAB16(acc, x) edgeai_emu_sxtab16((acc), (uint32_t)(x))
#define EDGEAI_SXTAB16_ROR8(acc, x) edgeai_emu_sxtab16((acc), (uint32_t)(x) >> 8)
#define edgeai_max8(a, b) edgeai_emu_select8((a), (b), 1)
#define edgeai_min8(a, b) edgeai_emu_select8((a), (b), 0)
#define EDGEAI_SSAT8(x) EDGEAI_CLAMP((x), -128, 127)
#endif

#if EDGEAI_USE_DSP
/**
 * Four values (consecutive channels c..c+3 of one pixel) saturated to int8, packed
 * little-endian and clamped bytewise to [lo, hi] (each given as the byte repeated four times).
 */
static inline uint32_t edgeai_pack4(int32_t v0, int32_t v1, int32_t v2, int32_t v3,
                                    uint32_t lo4, uint32_t hi4)
{
    const uint32_t packed = ((uint32_t)EDGEAI_SSAT8(v0) & 0xFFU) |
                            (((uint32_t)EDGEAI_SSAT8(v1) & 0xFFU) << 8) |
                            (((uint32_t)EDGEAI_SSAT8(v2) & 0xFFU) << 16) |
                            ((uint32_t)EDGEAI_SSAT8(v3) << 24);
    return edgeai_min8(edgeai_max8(packed, lo4), hi4);
}
#endif

#endif /* EDGEAI_DSP_H */
