/* ops_bcd.c — handlers registered by ops_bcd_register() (see interp.h). */
#include "cpu/interp.h"

void ops_bcd_register(InsnHandler *t)
{
    (void)t;
}
