/* SPDX-License-Identifier: Apache-2.0 */
/*
 * QEMU validation harness: runs the network on the samples embedded in the image
 * (harness_samples, from samples.S) and prints each sample's outputs as one line of
 * hex, "O:<hex of output 1><hex of output 2>...", then "END <count>". Output and exit go
 * through Arm semihosting (QEMU -semihosting-config enable=on), no C library I/O.
 *
 * -DNET=<name> -DNET_HEADER="<name>.h" -DHARNESS_POOL_SIZES=a,b,...
 * -DHARNESS_INPUT_SIZES=... -DHARNESS_OUTPUT_SIZES=... as for the host harness.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CONCAT_(a, b) a##b
#define CONCAT(a, b) CONCAT_(a, b)
#define NET_FN(suffix) CONCAT(NET, suffix)

#include NET_HEADER

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN32(n) (((n) + 31u) & ~(size_t)31u)

static const size_t pool_sizes[] = {HARNESS_POOL_SIZES};
static const size_t input_sizes[] = {HARNESS_INPUT_SIZES};
static const size_t output_sizes[] = {HARNESS_OUTPUT_SIZES};

extern const uint8_t harness_samples[], harness_samples_end[];

static int semihost(int op, const void *arg)
{
    register int r0 __asm("r0") = op;
    register const void *r1 __asm("r1") = arg;
    __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void harness_write(const char *text)
{
    semihost(0x04, text); /* SYS_WRITE0 */
}

void harness_exit(int status)
{
    /* SYS_EXIT with ADP_Stopped_ApplicationExit: QEMU exits 0; any other reason: 1. */
    semihost(0x18, (const void *)(uintptr_t)(status == 0 ? 0x20026 : 0x20024));
    for (;;) {
    }
}

/* All pools in one arena, each 32-byte aligned. */
#define ARENA_BYTES (HARNESS_ARENA_BYTES)
static uint8_t arena[ARENA_BYTES ? ARENA_BYTES : 1] __attribute__((aligned(32)));

static char line[2 * (HARNESS_OUTPUT_BYTES) + 8];

static void put_hex(char *at, uint8_t byte)
{
    static const char digits[] = "0123456789abcdef";
    at[0] = digits[byte >> 4];
    at[1] = digits[byte & 15];
}

int main(void)
{
    void *bases[COUNT(pool_sizes)];
    size_t offset = 0;
    for (size_t i = 0; i < COUNT(pool_sizes); ++i) {
        bases[i] = arena + offset;
        offset += ALIGN32(pool_sizes[i]);
    }
    if (NET_FN(_init)(bases) != 0) {
        harness_write("ERROR init\n");
        return 2;
    }
    size_t sample_bytes = 0;
    for (size_t k = 0; k < COUNT(input_sizes); ++k)
        sample_bytes += input_sizes[k];
    size_t count = (size_t)(harness_samples_end - harness_samples) / sample_bytes;
    const uint8_t *in = harness_samples;
    for (size_t s = 0; s < count; ++s) {
        for (size_t k = 0; k < COUNT(input_sizes); ++k) {
            memcpy(NET_FN(_input)((int)k), in, input_sizes[k]);
            in += input_sizes[k];
        }
        if (NET_FN(_run)() != 0) {
            harness_write("ERROR run\n");
            return 2;
        }
        char *at = line;
        *at++ = 'O';
        *at++ = ':';
        for (size_t k = 0; k < COUNT(output_sizes); ++k) {
            const uint8_t *out = NET_FN(_output)((int)k);
            for (size_t i = 0; i < output_sizes[k]; ++i, at += 2)
                put_hex(at, out[i]);
        }
        *at++ = '\n';
        *at = '\0';
        harness_write(line);
    }
    harness_write("END\n");
    return 0;
}
