/*
 * template_style.c: the structure of CubeMX's generated application template (I/O
 * pointer tables chosen by AI_NETWORK_*_IN_ACTIVATIONS, a bootstrap taking the activation
 * table, a brace-initialised ai_error, the report printed with ST's format macros, ST's
 * deprecated AI_NETWORK_IN), written for the tests: it must build with -Werror and run.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ai_datatypes_defines.h"
#include "network.h"
#include "network_data.h"

#if !defined(AI_NETWORK_INPUTS_IN_ACTIVATIONS)
AI_ALIGNED(4) static ai_i8 data_in_1[AI_NETWORK_IN_1_SIZE_BYTES];
static ai_i8 *data_ins[AI_NETWORK_IN_NUM] = { data_in_1 };
#else
static ai_i8 *data_ins[AI_NETWORK_IN_NUM] = { NULL };
#endif
#if !defined(AI_NETWORK_OUTPUTS_IN_ACTIVATIONS)
AI_ALIGNED(4) static ai_i8 data_out_1[AI_NETWORK_OUT_1_SIZE_BYTES];
static ai_i8 *data_outs[AI_NETWORK_OUT_NUM] = { data_out_1 };
#else
static ai_i8 *data_outs[AI_NETWORK_OUT_NUM] = { NULL };
#endif

AI_ALIGNED(32) static uint8_t pool0[AI_NETWORK_DATA_ACTIVATION_1_SIZE];
static ai_handle data_activations0[] = { pool0 };

static ai_handle network = AI_HANDLE_NULL;
static ai_buffer *ai_input;
static ai_buffer *ai_output;

static void log_error(const ai_error err, const char *where)
{
    printf("error (%s): type=0x%02x code=0x%02x\n", where, err.type, err.code);
}

static int bootstrap(ai_handle *act_addr)
{
    ai_network_report report;
    int idx;
    ai_error err = ai_network_create_and_init(&network, act_addr, NULL);

    if (err.type != AI_ERROR_NONE) {
        log_error(err, "ai_network_create_and_init");
        return -1;
    }
    ai_input = ai_network_inputs_get(network, NULL);
    ai_output = ai_network_outputs_get(network, NULL);
#if defined(AI_NETWORK_INPUTS_IN_ACTIVATIONS)
    for (idx = 0; idx < AI_NETWORK_IN_NUM; idx++) {
        data_ins[idx] = ai_input[idx].data;
    }
#else
    for (idx = 0; idx < AI_NETWORK_IN_NUM; idx++) {
        ai_input[idx].data = data_ins[idx];
    }
#endif
#if defined(AI_NETWORK_OUTPUTS_IN_ACTIVATIONS)
    for (idx = 0; idx < AI_NETWORK_OUT_NUM; idx++) {
        data_outs[idx] = ai_output[idx].data;
    }
#else
    for (idx = 0; idx < AI_NETWORK_OUT_NUM; idx++) {
        ai_output[idx].data = data_outs[idx];
    }
#endif
    if (!ai_network_get_report(network, &report)) {
        return -1;
    }
    printf("%s (%s): " AIU64_FMT " MACC, %d node(s), tool %d.%d.%d, weights %" PRIu32
           " B, activations %" PRIu32 " B, input %" PRIu32 "x%" PRIu32 "x%" PRIu32 "\n",
           report.model_name, AI_NETWORK_ORIGIN_MODEL_NAME, report.n_macc, (int)report.n_nodes,
           report.tool_version.major, report.tool_version.minor, report.tool_version.micro,
           AI_BUFFER_SIZE(&report.map_weights.buffer[0]),
           AI_BUFFER_SIZE(&report.map_activations.buffer[0]),
           AI_BUFFER_SHAPE_ELEM(&report.inputs[0], AI_SHAPE_HEIGHT),
           AI_BUFFER_SHAPE_ELEM(&report.inputs[0], AI_SHAPE_WIDTH),
           AI_BUFFER_SHAPE_ELEM(&report.inputs[0], AI_SHAPE_CHANNEL));
    return 0;
}

int main(void)
{
    ai_i32 batch;
    const ai_buffer *described = AI_NETWORK_IN;
    ai_error failed = { AI_ERROR_INVALID_STATE, AI_ERROR_CODE_NETWORK };

    if (described == NULL || AI_BUFFER_FORMAT(&described[0]) != AI_BUFFER_FORMAT_S8 ||
        bootstrap(data_activations0) != 0) {
        log_error(failed, "bootstrap");
        return 1;
    }
    memset(data_ins[0], 1, AI_NETWORK_IN_1_SIZE_BYTES);
    batch = ai_network_run(network, ai_input, ai_output);
    if (batch != 1) {
        log_error(ai_network_get_error(network), "ai_network_run");
        return 1;
    }
    printf("top score %d\n", data_outs[0][0]);
    network = ai_network_destroy(network);
    return network == AI_HANDLE_NULL ? 0 : 1;
}
