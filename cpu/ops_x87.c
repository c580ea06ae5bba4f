/* ops_x87.c — registers the x87 handlers (see interp.h). They live in cpu/x87_*.c:
 * x87_core.c (the instruction life cycle, FWAIT), x87_arith.c, x87_trans.c, x87_ldst.c and
 * x87_env.c (control words, environments, FSAVE/FRSTOR, FXSAVE/FXRSTOR). */
#include "cpu/x87_internal.h"

void ops_x87_register(InsnHandler *t)
{
    x87_core_register(t);
    x87_arith_register(t);
    x87_ldst_register(t);
    x87_env_register(t);
    x87_trans_register(t);
}
