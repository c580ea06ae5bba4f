/* ops_trans.c — fpu-host-diff checks of the x87 transcendentals. */
#include "diff.h"

const DiffOp diff_ops_trans[] = { { "none", FAM_X87, false, true, NULL } };
const unsigned diff_ops_trans_count = 0;
