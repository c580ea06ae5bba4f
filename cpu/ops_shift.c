/* ops_shift.c — handlers registered by ops_shift_register() (see interp.h). */
#include "cpu/interp.h"

void ops_shift_register(InsnHandler *t)
{
    (void)t;
}
