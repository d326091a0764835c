/*
 * legacy_vs_native.c: for any network with one activation pool, runs the same inputs
 * through the legacy API (the application's own buffers) and through the native API, and
 * prints whether every output byte matches ("match=1"). Inputs are a fixed byte pattern.
 */
#include <stdio.h>
#include <string.h>

#include "network.h"

#define ROOM 65536

AI_ALIGNED(32) static ai_u8 pool[AI_NETWORK_DATA_ACTIVATION_1_SIZE];
AI_ALIGNED(32) static ai_u8 own_in[ROOM];
AI_ALIGNED(32) static ai_u8 own_out[ROOM];
static const ai_u32 in_bytes[] = AI_NETWORK_IN_SIZE_BYTES;
static const ai_u32 out_bytes[] = AI_NETWORK_OUT_SIZE_BYTES;

int main(void)
{
    ai_handle h = AI_HANDLE_NULL;
    const ai_handle acts[] = { pool };
    ai_buffer *in;
    ai_buffer *out;
    ai_u16 n_in = 0, n_out = 0;
    ai_u32 k, i, offset;
    int match = 1;

    if (ai_network_create_and_init(&h, acts, NULL).type != AI_ERROR_NONE) {
        printf("create=failed\n");
        return 1;
    }
    in = ai_network_inputs_get(h, &n_in);
    out = ai_network_outputs_get(h, &n_out);
    for (i = 0; i < ROOM; i++) {
        own_in[i] = (ai_u8)(i * 37u + 11u);
    }
    for (k = 0, offset = 0; k < n_in; offset += in_bytes[k], k++) {
        in[k].data = own_in + offset;
    }
    for (k = 0, offset = 0; k < n_out; offset += out_bytes[k], k++) {
        out[k].data = own_out + offset;
    }
    printf("counts=%u/%u\n", (unsigned)n_in, (unsigned)n_out);
    printf("run=%d\n", (int)ai_network_run(h, in, out));

    for (k = 0, offset = 0; k < n_in; offset += in_bytes[k], k++) {
        memcpy(network_input((int)k), own_in + offset, in_bytes[k]);
    }
    if (network_run() != 0) {
        printf("native=failed\n");
        return 1;
    }
    for (k = 0, offset = 0; k < n_out; offset += out_bytes[k], k++) {
        match &= memcmp(network_output((int)k), own_out + offset, out_bytes[k]) == 0;
    }
    printf("match=%d\n", match);
    ai_network_destroy(h);
    return 0;
}
