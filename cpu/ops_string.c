/* ops_string.c — handlers registered by ops_string_register() (see interp.h). */
#include "cpu/interp.h"

void ops_string_register(InsnHandler *t)
{
    (void)t;
}
