/* ops_bit.c — handlers registered by ops_bit_register() (see interp.h). */
#include "cpu/interp.h"

void ops_bit_register(InsnHandler *t)
{
    (void)t;
}
