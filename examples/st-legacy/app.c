/*
 * app.c: an application written against X-CUBE-AI's legacy client API, the way ST's
 * documentation and CubeMX's app_x-cube-ai.c write one. It builds unchanged against
 * `edgeai generate` (+ `edgeai runtime`) output.
 *
 * For each sample of app_samples.h (float data, as a sensor would give it) it fills the
 * input (quantizing with the scale and zero point the input buffer carries, or copying
 * floats when the model takes floats), runs the network and prints the input and output
 * bytes as hex, one line each ("in: ..." / "out: ..."), then "done".
 *
 * Build options:
 *   APP_OWN_BUFFERS  point ai_input[0].data / ai_output[0].data at the application's own
 *                    arrays instead of using the buffers inside the activations (what a
 *                    model generated with --no-inputs/outputs-allocation requires anyway).
 */
#include <stdio.h>
#include <string.h>

#include "network.h"
#include "network_data.h"
#include "ai_datatypes_defines.h"
#include "ai_platform.h"

#include "app_samples.h" /* APP_SAMPLES_COUNT, app_samples[][AI_NETWORK_IN_1_SIZE] */

#if !defined(AI_NETWORK_INPUTS_IN_ACTIVATIONS) || !defined(AI_NETWORK_OUTPUTS_IN_ACTIVATIONS)
#define APP_OWN_BUFFERS
#endif

/* Global handle to reference the instantiated C-model */
static ai_handle network = AI_HANDLE_NULL;

/* Global c-array to handle the activations buffer */
AI_ALIGNED(32)
static ai_u8 activations[AI_NETWORK_DATA_ACTIVATION_1_SIZE];

#if defined(APP_OWN_BUFFERS)
/* Data payload for the input and output tensors */
AI_ALIGNED(32)
static ai_u8 in_data[AI_NETWORK_IN_1_SIZE_BYTES];
AI_ALIGNED(32)
static ai_u8 out_data[AI_NETWORK_OUT_1_SIZE_BYTES];
#endif

/* Array of pointers to manage the model's input/output tensors */
static ai_buffer *ai_input;
static ai_buffer *ai_output;

static void app_error(const char *what, ai_error err)
{
    printf("E: AI %s error - type=0x%02x code=0x%02x\n", what, (unsigned)err.type,
           (unsigned)err.code);
}

static int ai_bootstrap(void)
{
    ai_error err;
    ai_network_report report;
    const ai_handle acts[] = { activations };

    /* Create and initialize an instance of the model */
    err = ai_network_create_and_init(&network, acts, NULL);
    if (err.type != AI_ERROR_NONE) {
        app_error("ai_network_create_and_init", err);
        return -1;
    }

    /* Retrieve pointers to the model's input/output tensors */
    ai_input = ai_network_inputs_get(network, NULL);
    ai_output = ai_network_outputs_get(network, NULL);
#if defined(APP_OWN_BUFFERS)
    ai_input[0].data = AI_HANDLE_PTR(in_data);
    ai_output[0].data = AI_HANDLE_PTR(out_data);
#endif

    if (ai_network_get_report(network, &report)) {
        printf("model: %s, %u MACC, %u input(s), %u output(s), %u nodes\n", report.model_name,
               (unsigned)report.n_macc, (unsigned)report.n_inputs, (unsigned)report.n_outputs,
               (unsigned)report.n_nodes);
    }
    return 0;
}

/* Float samples -> the input buffer: quantized (real = scale * (q - zero_point)) for an
 * integer input, copied for a float one. */
static void fill_input(const ai_float *sample)
{
    const ai_buffer_format fmt = AI_BUFFER_FORMAT(&ai_input[0]);
    const ai_size count = AI_BUFFER_SIZE(&ai_input[0]);
    ai_size i;

    if (AI_BUFFER_FMT_GET_TYPE(fmt) == AI_BUFFER_FMT_TYPE_FLOAT) {
        memcpy(ai_input[0].data, sample, count * sizeof(ai_float));
        return;
    }
    {
        const ai_float scale = AI_BUFFER_META_INFO_INTQ_GET_SCALE(ai_input[0].meta_info, 0);
        const ai_i32 zero_point = AI_BUFFER_META_INFO_INTQ_GET_ZEROPOINT(ai_input[0].meta_info, 0);
        const ai_i32 low = AI_BUFFER_FMT_GET_SIGN(fmt) ? -128 : 0;
        const ai_i32 high = AI_BUFFER_FMT_GET_SIGN(fmt) ? 127 : 255;

        for (i = 0; i < count; i++) {
            const ai_float scaled = sample[i] / scale;
            ai_i32 q = (ai_i32)(scaled >= 0.0f ? scaled + 0.5f : scaled - 0.5f) + zero_point;

            q = q < low ? low : (q > high ? high : q);
            if (AI_BUFFER_FMT_GET_SIGN(fmt)) {
                ((ai_i8 *)ai_input[0].data)[i] = (ai_i8)q;
            } else {
                ((ai_u8 *)ai_input[0].data)[i] = (ai_u8)q;
            }
        }
    }
}

static void print_hex(const char *label, const ai_buffer *buffer)
{
    const ai_u8 *bytes = (const ai_u8 *)buffer->data;
    const ai_size n = AI_BUFFER_BYTE_SIZE(AI_BUFFER_SIZE(buffer), AI_BUFFER_FORMAT(buffer));
    ai_size i;

    printf("%s: ", label);
    for (i = 0; i < n; i++) {
        printf("%02x", (unsigned)bytes[i]);
    }
    printf("\n");
}

static int ai_run(void)
{
    ai_i32 n_batch = ai_network_run(network, &ai_input[0], &ai_output[0]);

    if (n_batch != 1) {
        app_error("ai_network_run", ai_network_get_error(network));
        return -1;
    }
    return 0;
}

int main(void)
{
    int s;

    if (ai_bootstrap() != 0) {
        return 1;
    }
    for (s = 0; s < APP_SAMPLES_COUNT; s++) {
        fill_input(app_samples[s]);
        /* Before the run: an input inside the activations is overwritten by it. */
        print_hex("in", &ai_input[0]);
        if (ai_run() != 0) {
            return 1;
        }
        print_hex("out", &ai_output[0]);
    }
    if (ai_network_destroy(network) != AI_HANDLE_NULL) {
        printf("E: AI ai_network_destroy failed\n");
        return 1;
    }
    printf("done\n");
    return 0;
}
