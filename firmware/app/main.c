/* edgeai demo: runs the generated network on digits from the model's test
 * set (digits_data.h, generated at build time from models/digits_test.npz)
 * and prints each prediction with the expected label and the raw outputs,
 * so runs on the board, in QEMU and on the host can be compared byte for
 * byte. Returns 0 only when every prediction matches its label.
 *
 * Only the generated-C contract is used: network_init/input/output/run and
 * the AI_NETWORK_* size macros. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "digits_data.h"
#include "network.h"

_Static_assert(DIGITS_INPUT_BYTES == AI_NETWORK_IN_1_SIZE_BYTES,
               "the test digits do not fit the network's input");
#ifdef AI_NETWORK_OUT_1_SIZE
_Static_assert(AI_NETWORK_OUT_1_SIZE == AI_NETWORK_OUT_1_SIZE_BYTES,
               "the demo reads the output as int8 scores");
#endif

/* One buffer per memory pool of the plan, in pool order, each in the section
 * the generated header names: the board's linker script puts a pool named
 * like a RAM region (DTCM or DTCMRAM, SRAM1, SRAM2 on the F767) in that
 * region, any other pool in the fastest RAM. A pool at a fixed address needs
 * no buffer (the network ignores its entry). 32-byte alignment: a cache line. */
#define POOL_ATTR(n) \
    __attribute__((aligned(32), section(AI_NETWORK_DATA_ACTIVATION_##n##_SECTION)))
#ifdef AI_NETWORK_DATA_ACTIVATION_1_ADDRESS
#define POOL_1 NULL
#else
static uint8_t pool_1[AI_NETWORK_DATA_ACTIVATION_1_SIZE] POOL_ATTR(1);
#define POOL_1 pool_1
#endif
#if AI_NETWORK_DATA_ACTIVATIONS_COUNT > 1 && defined(AI_NETWORK_DATA_ACTIVATION_2_ADDRESS)
#define POOL_2 , NULL
#elif AI_NETWORK_DATA_ACTIVATIONS_COUNT > 1
static uint8_t pool_2[AI_NETWORK_DATA_ACTIVATION_2_SIZE] POOL_ATTR(2);
#define POOL_2 , pool_2
#else
#define POOL_2
#endif
#if AI_NETWORK_DATA_ACTIVATIONS_COUNT > 2 && defined(AI_NETWORK_DATA_ACTIVATION_3_ADDRESS)
#define POOL_3 , NULL
#elif AI_NETWORK_DATA_ACTIVATIONS_COUNT > 2
static uint8_t pool_3[AI_NETWORK_DATA_ACTIVATION_3_SIZE] POOL_ATTR(3);
#define POOL_3 , pool_3
#else
#define POOL_3
#endif
#if AI_NETWORK_DATA_ACTIVATIONS_COUNT > 3
#error "the demo places at most three activation pools"
#endif

static void *const activations[] = {POOL_1 POOL_2 POOL_3};

static int argmax(const int8_t *v, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

int main(void)
{
    board_init();

    if (network_init(activations) != 0) {
        printf("network_init failed\n");
        return 2;
    }
    int8_t *input = network_input(0);
    const int8_t *output = network_output(0);
    const int classes = AI_NETWORK_OUT_1_SIZE_BYTES;

    int correct = 0;
    for (int d = 0; d < DIGITS_COUNT; d++) {
        memcpy(input, digits_inputs[d], DIGITS_INPUT_BYTES);

        uint32_t c0 = board_cycles();
        bench_start();
        int status = network_run();
        bench_stop();
        uint32_t cycles = board_cycles() - c0;

        if (status < 0) {
            printf("digit %d: network_run failed (%d)\n", d, status);
            return 2;
        }
        int predicted = argmax(output, classes);
        int ok = predicted == digits_labels[d];
        correct += ok;
        printf("digit %2d (test #%u): expected %d, predicted %d %s  outputs", d,
               (unsigned)digits_index[d], digits_labels[d], predicted, ok ? "ok " : "BAD");
        for (int i = 0; i < classes; i++)
            printf(" %d", output[i]);
        if (board_cpu_hz())
            printf("  %lu cycles", (unsigned long)cycles);
        printf("\n");
    }
    printf("%d of %d digits correct\n", correct, DIGITS_COUNT);
    return correct == DIGITS_COUNT ? 0 : 1;
}
