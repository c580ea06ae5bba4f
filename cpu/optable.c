/* optable.c — the rows of cpu/opcode_table.inc as data, plus the operand notation. */
#include "cpu/optable.h"

/* Operand notation of the Intel SDM, Volume 2, Appendix A. */
#define __ 0
#define Eb OPND(OK_E, SZ_B, 0)
#define Ew OPND(OK_E, SZ_W, 0)
#define Ed OPND(OK_E, SZ_D, 0)
#define Ev OPND(OK_E, SZ_V, 0)
#define Ewv OPND(OK_E, SZ_WV, 0)
#define Gb OPND(OK_G, SZ_B, 0)
#define Gw OPND(OK_G, SZ_W, 0)
#define Gd OPND(OK_G, SZ_D, 0)
#define Gv OPND(OK_G, SZ_V, 0)
#define Ib OPND(OK_I, SZ_B, 0)
#define Iw OPND(OK_I, SZ_W, 0)
#define Iz OPND(OK_I, SZ_Z, 0)
#define Ibs OPND(OK_IS, SZ_V, 0)
#define Jb OPND(OK_J, SZ_B, 0)
#define Jz OPND(OK_J, SZ_Z, 0)
#define Ap OPND(OK_A, SZ_P, 0)
#define M_ OPND(OK_M, SZ_NONE, 0)
#define Mb OPND(OK_M, SZ_B, 0)
#define Mw OPND(OK_M, SZ_W, 0)
#define Md OPND(OK_M, SZ_D, 0)
#define Mq OPND(OK_M, SZ_Q, 0)
#define Mdq OPND(OK_M, SZ_DQ, 0)
#define Mp OPND(OK_M, SZ_P, 0)
#define Ma OPND(OK_M, SZ_A, 0)
#define Ms OPND(OK_M, SZ_S, 0)
#define Mf32 OPND(OK_M, SZ_F32, 0)
#define Mf64 OPND(OK_M, SZ_F64, 0)
#define Mf80 OPND(OK_M, SZ_F80, 0)
#define Mi16 OPND(OK_M, SZ_I16, 0)
#define Mi32 OPND(OK_M, SZ_I32, 0)
#define Mi64 OPND(OK_M, SZ_I64, 0)
#define Mbcd OPND(OK_M, SZ_BCD, 0)
#define Menv OPND(OK_M, SZ_ENV, 0)
#define Mfsave OPND(OK_M, SZ_FSAVE, 0)
#define Mfx OPND(OK_M, SZ_FXSAVE, 0)
#define Rd OPND(OK_R, SZ_D, 0)
#define Sw OPND(OK_S, SZ_W, 0)
#define Cd OPND(OK_C, SZ_D, 0)
#define Dd OPND(OK_D, SZ_D, 0)
#define Ob OPND(OK_O, SZ_B, 0)
#define Ov OPND(OK_O, SZ_V, 0)
#define Xb OPND(OK_X, SZ_B, 0)
#define Xv OPND(OK_X, SZ_V, 0)
#define Yb OPND(OK_Y, SZ_B, 0)
#define Yv OPND(OK_Y, SZ_V, 0)
#define Zb OPND(OK_Z, SZ_B, 0)
#define Zv OPND(OK_Z, SZ_V, 0)
#define Zd OPND(OK_Z, SZ_D, 0)
#define AL OPND(OK_FIXREG, SZ_B, R_EAX)
#define CL OPND(OK_FIXREG, SZ_B, R_ECX)
#define AX OPND(OK_FIXREG, SZ_W, R_EAX)
#define DX OPND(OK_FIXREG, SZ_W, R_EDX)
#define eAX OPND(OK_FIXREG, SZ_V, R_EAX)
#define ONE OPND(OK_ONE, SZ_B, 0)
#define ES_ OPND(OK_FIXSEG, SZ_W, SEG_ES)
#define CS_ OPND(OK_FIXSEG, SZ_W, SEG_CS)
#define SS_ OPND(OK_FIXSEG, SZ_W, SEG_SS)
#define DS_ OPND(OK_FIXSEG, SZ_W, SEG_DS)
#define FS_ OPND(OK_FIXSEG, SZ_W, SEG_FS)
#define GS_ OPND(OK_FIXSEG, SZ_W, SEG_GS)
#define ST0 OPND(OK_ST0, SZ_F80, 0)
#define STi OPND(OK_STI, SZ_F80, 0)
#define Pq OPND(OK_P, SZ_Q, 0)
#define Qd OPND(OK_Q, SZ_D, 0)
#define Qq OPND(OK_Q, SZ_Q, 0)
#define Nq OPND(OK_N, SZ_Q, 0)
#define Vdq OPND(OK_V, SZ_DQ, 0)
#define Wd OPND(OK_W, SZ_D, 0)
#define Wq OPND(OK_W, SZ_Q, 0)
#define Wdq OPND(OK_W, SZ_DQ, 0)
#define Udq OPND(OK_U, SZ_DQ, 0)

#define NOPND(a, b, c) ((a) ? ((b) ? ((c) ? 3 : 2) : 1) : 0)
#define R(map_, opc_, sel_, pfx_, OPN, mnem_, o1, o2, o3, fr, fw, fu, attr_)                  \
    {.op = OP_##OPN, .map = map_, .opcode = opc_, .sel = sel_, .pfx = pfx_,                   \
     .nopnd = NOPND(o1, o2, o3), .mnem = mnem_, .opnd = {o1, o2, o3}, .fl_read = fr,           \
     .fl_write = fw, .fl_undef = fu, .attr = attr_},

const OpcodeRow optable_rows[] = {
#include "cpu/opcode_table.inc"
};
const unsigned optable_nrows = sizeof optable_rows / sizeof optable_rows[0];

const char *const op_names[OP_COUNT] = {
#define OP(name) #name,
#include "cpu/ops.inc"
#undef OP
};

uint32_t cpu_cond_flags(unsigned cc)
{
    static const uint32_t flags[8] = {
        FL_OF, FL_CF, FL_ZF, FL_CF | FL_ZF, FL_SF, FL_PF, FL_SF | FL_OF, FL_SF | FL_OF | FL_ZF,
    };
    return flags[(cc >> 1) & 7];
}
