/* ops_simd.c — registers the MMX, SSE and SSE2 handlers (see interp.h). They live in
 * simd_core.c (checks, operands, MXCSR exceptions, EMMS, LDMXCSR/STMXCSR, fences, cache
 * hints, MOVNTI), mmx_int.c (packed integers, both widths), sse_arith.c (floating-point
 * arithmetic, compares, RCP/RSQRT), sse_conv.c (conversions) and sse_move.c (moves,
 * masks, logic, unpacks, shuffles). */
#include "cpu/simd_internal.h"

void ops_simd_register(InsnHandler *t)
{
    simd_core_register(t);
    mmx_int_register(t);
    sse_arith_register(t);
    sse_conv_register(t);
    sse_move_register(t);
}
