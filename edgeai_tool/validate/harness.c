/*
 * Host validation harness: reads samples from stdin, runs the network on each and
 * writes the outputs to stdout, all as raw bytes (inputs then outputs in order).
 * The network name is given by -DNET=<name>; pools are allocated once, so the samples
 * form one sequence of runs. A network with state (-DHARNESS_HAS_STATE) takes an optional
 * argument N: reset the state before every N-th sample, to run several sequences.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CONCAT_(a, b) a##b
#define CONCAT(a, b) CONCAT_(a, b)
#define NET_FN(suffix) CONCAT(NET, suffix)

#include NET_HEADER

/* Pools come from malloc, each exactly its planned size, so that AddressSanitizer
 * reports any access past a pool's end. */
static const size_t pool_sizes[] = {HARNESS_POOL_SIZES};
static const size_t input_sizes[] = {HARNESS_INPUT_SIZES};
static const size_t output_sizes[] = {HARNESS_OUTPUT_SIZES};

int main(int argc, char **argv)
{
#ifdef HARNESS_HAS_STATE
    const long reset_every = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
#else
    (void)argc;
    (void)argv;
#endif
    void *bases[sizeof(pool_sizes) / sizeof(pool_sizes[0])];
    for (size_t i = 0; i < sizeof(pool_sizes) / sizeof(pool_sizes[0]); ++i) {
        bases[i] = malloc(pool_sizes[i] ? pool_sizes[i] : 1);
        if (bases[i] == NULL) {
            return 2;
        }
    }
    if (NET_FN(_init)(bases) != 0) {
        fprintf(stderr, "init failed\n");
        return 3;
    }
    for (long sample = 0;; ++sample) {
#ifdef HARNESS_HAS_STATE
        if (reset_every > 0 && sample > 0 && sample % reset_every == 0) {
            NET_FN(_reset)();
        }
#endif
        for (size_t k = 0; k < sizeof(input_sizes) / sizeof(input_sizes[0]); ++k) {
            size_t got = fread(NET_FN(_input)((int)k), 1, input_sizes[k], stdin);
            if (got == 0 && k == 0 && feof(stdin)) {
                return 0;
            }
            if (got != input_sizes[k]) {
                fprintf(stderr, "short input\n");
                return 4;
            }
        }
        int status = NET_FN(_run)();
        if (status != 0) {
            fprintf(stderr, "run failed: %d\n", status);
            return 5;
        }
        for (size_t k = 0; k < sizeof(output_sizes) / sizeof(output_sizes[0]); ++k) {
            fwrite(NET_FN(_output)((int)k), 1, output_sizes[k], stdout);
        }
    }
}
