/*
 * misuse.c: drives the legacy API of the demo network (`ai_network_*`) through what
 * applications get wrong, and a few things they get right (batches, forward). Prints
 * one `case=value` line per check; tests/legacy/test_legacy_api.py holds the expected
 * values (ST's error types and codes).
 */
#include <stdio.h>
#include <string.h>

#include "network.h"

AI_ALIGNED(32) static ai_u8 pool[AI_NETWORK_DATA_ACTIVATION_1_SIZE + 32];
static ai_i8 own_in[2][AI_NETWORK_IN_1_SIZE_BYTES];
static ai_i8 own_out[2][AI_NETWORK_OUT_1_SIZE_BYTES];
static ai_i8 single_out[2][AI_NETWORK_OUT_1_SIZE_BYTES];

static void show_error(const char *name, ai_error err)
{
    printf("%s=%02x/%02x\n", name, (unsigned)err.type, (unsigned)err.code);
}

/* A fresh, initialised instance (errors are sticky: one instance per misuse). */
static ai_handle fresh(void)
{
    ai_handle h = AI_HANDLE_NULL;
    const ai_handle acts[] = { pool };

    if (ai_network_create_and_init(&h, acts, NULL).type != AI_ERROR_NONE) {
        printf("fresh=failed\n");
    }
    return h;
}

/* Run once with input[0]/output[0] replaced by `in`/`out` and show the error. */
static void run_with(const char *name, const ai_buffer *in, ai_buffer *out)
{
    ai_handle h = fresh();
    ai_buffer input = ai_network_inputs_get(h, NULL)[0];
    ai_buffer output = ai_network_outputs_get(h, NULL)[0];

    if (in != NULL) {
        input = *in;
    }
    if (out != NULL) {
        output = *out;
    }
    printf("%s_returns=%d\n", name, (int)ai_network_run(h, &input, &output));
    show_error(name, ai_network_get_error(h));
    ai_network_destroy(h);
}

static void init_failures(void)
{
    ai_handle h = AI_HANDLE_NULL;
    const ai_handle misaligned[] = { pool + 1 };
    const ai_handle acts[] = { pool };
    const ai_handle weights[] = { pool };

    show_error("null_activations", ai_network_create_and_init(&h, NULL, NULL));
    ai_network_destroy(h);
    show_error("misaligned_activations", ai_network_create_and_init(&h, misaligned, NULL));
    ai_network_destroy(h);
    show_error("foreign_weights", ai_network_create_and_init(&h, acts, weights));
    ai_network_destroy(h);
    show_error("unknown_handle", ai_network_get_error(AI_HANDLE_NULL));
    printf("inputs_get_unknown_handle=%d\n", ai_network_inputs_get(pool, NULL) == NULL);
    printf("inputs_described_without_network=%u\n",
           (unsigned)AI_BUFFER_SIZE(&AI_NETWORK_IN[0]));

    ai_network_create(&h, AI_NETWORK_DATA_CONFIG);
    printf("run_before_init_returns=%d\n", (int)ai_network_run(h, NULL, NULL));
    show_error("run_before_init", ai_network_get_error(h));
    show_error("error_read_twice", ai_network_get_error(h));
    {
        ai_handle second = AI_HANDLE_NULL;
        show_error("second_instance", ai_network_create(&second, NULL));
    }
    printf("destroy_unknown_returns_it=%d\n", ai_network_destroy(pool) == (ai_handle)pool);
    printf("destroy=%d\n", ai_network_destroy(h) == AI_HANDLE_NULL);
}

static void run_failures(void)
{
    ai_handle h = fresh();
    ai_buffer good_in = ai_network_inputs_get(h, NULL)[0];
    ai_buffer good_out = ai_network_outputs_get(h, NULL)[0];
    ai_buffer wrong;
    ai_shape_dimension no_batch[4] = { 0, 1, 1, 1 };

    ai_network_destroy(h);
    wrong = good_in;
    wrong.size -= 1;
    run_with("input_size", &wrong, NULL);
    wrong = good_in;
    wrong.format = AI_BUFFER_FORMAT_FLOAT;
    run_with("input_format", &wrong, NULL);
    wrong = good_in;
    wrong.shape.data = no_batch;
    run_with("input_batch", &wrong, NULL);
    wrong = good_out;
    wrong.data = NULL;
    run_with("output_null", NULL, &wrong);
    wrong = good_out;
    wrong.size += 1;
    run_with("output_size", NULL, &wrong);
}

/* Two batches in the application's buffers give what two single runs give. */
static void batches(void)
{
    ai_handle h = fresh();
    ai_buffer input = ai_network_inputs_get(h, NULL)[0];
    ai_buffer output = ai_network_outputs_get(h, NULL)[0];
    ai_shape_dimension two[4] = { 2, 1, 1, 1 };
    int b, i;

    for (b = 0; b < 2; b++) {
        for (i = 0; i < AI_NETWORK_IN_1_SIZE_BYTES; i++) {
            own_in[b][i] = (ai_i8)((i * (b + 3)) % 256 - 128);
        }
        input.data = own_in[b];
        output.data = single_out[b];
        if (ai_network_run(h, &input, &output) != 1) {
            printf("single_run=failed\n");
        }
    }
    input.data = own_in;
    input.shape.data = two;
    output.data = own_out;
    output.shape.data = two;
    printf("two_batches_returns=%d\n", (int)ai_network_run(h, &input, &output));
    printf("two_batches_match=%d\n", memcmp(own_out, single_out, sizeof own_out) == 0);

    input.shape.data = ai_network_inputs_get(h, NULL)[0].shape.data;
    input.data = own_in[1];
    printf("forward_returns=%d\n", (int)ai_network_forward(h, &input));
    printf("forward_match=%d\n", memcmp(ai_network_outputs_get(h, NULL)[0].data, single_out[1],
                                        sizeof single_out[1]) == 0);
    show_error("after_success", ai_network_get_error(h));
    ai_network_destroy(h);
}

static void report(void)
{
    ai_handle h = fresh();
    ai_network_report r;
    ai_network_params params;

    printf("report=%d\n", ai_network_get_report(h, &r));
    printf("report_model=%s\n", r.model_name);
    printf("report_macc=%u\n", (unsigned)r.n_macc);
    printf("report_io=%u/%u\n", (unsigned)r.n_inputs, (unsigned)r.n_outputs);
    printf("report_input_size=%u\n", (unsigned)AI_BUFFER_SIZE(&r.inputs[0]));
    printf("report_input_scale=%a\n", (double)AI_BUFFER_META_INFO_INTQ_GET_SCALE(r.inputs[0].meta_info, 0));
    printf("report_input_zero_point=%d\n", (int)AI_BUFFER_META_INFO_INTQ_GET_ZEROPOINT(r.inputs[0].meta_info, 0));
    printf("report_input_in_activations=%d\n", r.inputs[0].data == network_input(0) &&
           (ai_u8 *)r.inputs[0].data >= pool && (ai_u8 *)r.inputs[0].data < pool + sizeof pool);
    printf("report_input_shape=%u,%u,%u,%u\n", (unsigned)AI_BUFFER_SHAPE_ELEM(&r.inputs[0], AI_SHAPE_BATCH),
           (unsigned)AI_BUFFER_SHAPE_ELEM(&r.inputs[0], AI_SHAPE_HEIGHT),
           (unsigned)AI_BUFFER_SHAPE_ELEM(&r.inputs[0], AI_SHAPE_WIDTH),
           (unsigned)AI_BUFFER_SHAPE_ELEM(&r.inputs[0], AI_SHAPE_CHANNEL));
    printf("report_activations=%u\n", (unsigned)AI_BUFFER_SIZE(&r.map_activations.buffer[0]));
    printf("report_maps_addresses=%d\n", r.map_activations.buffer[0].data == (ai_handle)pool &&
           r.map_weights.buffer[0].data == ai_network_data_weights_get());
    ai_network_destroy(h);

    /* ST's longer way: create, data_params_get, set the pool address, init. */
    ai_network_create(&h, AI_NETWORK_DATA_CONFIG);
    ai_network_data_params_get(&params);
    AI_BUFFER_ARRAY_ITEM_SET_ADDRESS(&params.map_activations, 0, pool);
    printf("init_with_params=%d\n", ai_network_init(h, &params));
    ai_network_destroy(h);
}

int main(void)
{
    init_failures();
    run_failures();
    batches();
    report();
    return 0;
}
