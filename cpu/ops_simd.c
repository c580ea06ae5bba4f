/* ops_simd.c — handlers registered by ops_simd_register() (see interp.h). */
#include "cpu/interp.h"

void ops_simd_register(InsnHandler *t)
{
    (void)t;
}
