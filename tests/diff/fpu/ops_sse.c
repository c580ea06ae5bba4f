/* ops_sse.c — fpu-host-diff checks of the SSE/SSE2 scalar operations. */
#include "diff.h"

const DiffOp diff_ops_sse[] = { { "none", FAM_SSE, false, false, NULL } };
const unsigned diff_ops_sse_count = 0;
