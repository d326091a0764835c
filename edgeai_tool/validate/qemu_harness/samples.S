/* SPDX-License-Identifier: Apache-2.0 */
/* The samples of one run, embedded in flash: HARNESS_SAMPLES_FILE (raw bytes, each
 * sample's inputs in order, one sample after the other). */
    .section .rodata.harness_samples, "a"
    .balign 32
    .global harness_samples
    .global harness_samples_end
harness_samples:
    .incbin HARNESS_SAMPLES_FILE
harness_samples_end:
