/* ops_x87.c — handlers registered by ops_x87_register() (see interp.h). */
#include "cpu/interp.h"

void ops_x87_register(InsnHandler *t)
{
    (void)t;
}
