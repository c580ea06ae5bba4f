/* ops_muldiv.c — handlers registered by ops_muldiv_register() (see interp.h). */
#include "cpu/interp.h"

void ops_muldiv_register(InsnHandler *t)
{
    (void)t;
}
