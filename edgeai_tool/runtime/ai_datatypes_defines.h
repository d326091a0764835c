/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ai_datatypes_defines.h: X-CUBE-AI applications include it beside ai_platform.h
 * (CubeMX's app_x-cube-ai.c does); with edgeai everything it names is in ai_platform.h.
 */
#ifndef AI_DATATYPES_DEFINES_H
#define AI_DATATYPES_DEFINES_H

#include "ai_platform.h"

#endif /* AI_DATATYPES_DEFINES_H */
