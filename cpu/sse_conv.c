/* sse_conv.c — SSE/SSE2 conversions between integers, singles and doubles: CVTPI2PS,
 * CVTPI2PD, CVTSI2SS, CVTSI2SD, CVT(T)PS2PI, CVT(T)PD2PI, CVT(T)SS2SI, CVT(T)SD2SI,
 * CVTPS2PD, CVTPD2PS, CVTSS2SD, CVTSD2SS, CVTDQ2PS, CVT(T)PS2DQ, CVTDQ2PD, CVT(T)PD2DQ.
 * The forms with an MMX register operand make the x87-to-MMX transition (TOP = 0, tags
 * valid) and check for a pending x87 error first; their memory forms do neither. */
#include "cpu/simd_internal.h"

/* Which conversion a handler performs, from and to which lane kind. */
typedef enum ConvKind {
    CV_I32_F32,  /* int32 lanes -> singles */
    CV_I32_F64,  /* int32 lanes -> doubles */
    CV_F32_I32,  /* singles -> int32 (MXCSR rounding) */
    CV_F32_I32T, /* singles -> int32 (truncating) */
    CV_F64_I32,
    CV_F64_I32T,
    CV_F32_F64,
    CV_F64_F32,
} ConvKind;

static bool conv_to_double(ConvKind k) { return k == CV_I32_F64 || k == CV_F32_F64; }
static bool conv_from_double(ConvKind k) { return k == CV_F64_I32 || k == CV_F64_I32T || k == CV_F64_F32; }

/* One lane: `in` is the source lane (32 bits or, from doubles, 64), returns the result
 * lane (64 bits for doubles). */
static uint64_t conv_lane(ConvKind k, uint64_t in, FpEnv *env)
{
    switch (k) {
    case CV_I32_F32: return f32_from_i32((int32_t)in, env);
    case CV_I32_F64: return f64_from_i32((int32_t)in, env);
    case CV_F32_I32: return (uint32_t)f32_to_i32((uint32_t)in, false, env);
    case CV_F32_I32T: return (uint32_t)f32_to_i32((uint32_t)in, true, env);
    case CV_F64_I32: return (uint32_t)f64_to_i32(in, false, env);
    case CV_F64_I32T: return (uint32_t)f64_to_i32(in, true, env);
    case CV_F32_F64: return f32_to_f64((uint32_t)in, env);
    default: return f64_to_f32(in, env);
    }
}

/* Converts `lanes` lanes of the source into the low lanes of the destination. `zero_high`:
 * the rest of an XMM destination is cleared (CVTPD2PS, CVT(T)PD2DQ); otherwise it keeps
 * its value (scalar forms, CVTPI2PS). An MMX or general-register destination is written
 * whole. */
static void convert(CpuState *cpu, const DecodedInsn *insn, ConvKind k, unsigned lanes, bool zero_high)
{
    int kind = simd_begin(cpu, insn);
    if (kind == SIMD_FROZEN)
        return;
    Vec128 d, s;
    simd_read(cpu, insn, 1, &s, true);
    simd_read(cpu, insn, 0, &d, false);
    if (insn->opnd[0].type != OPT_XMM || zero_high)
        d.q[0] = d.q[1] = 0;
    FpEnv env = simd_env(cpu);
    for (unsigned i = 0; i < lanes; i++) {
        uint64_t in = conv_from_double(k) ? s.q[i] : s.d[i];
        uint64_t out = conv_lane(k, in, &env);
        if (conv_to_double(k))
            d.q[i] = out;
        else
            d.d[i] = (uint32_t)out;
    }
    if (kind == SIMD_MMX) /* made before the #XM check: the host shows it after #XM too */
        mmx_transition(cpu);
    simd_fp_finish(cpu, env.flags);
    simd_write(cpu, insn, 0, &d, false);
}

#define CONV_OP(name, k, lanes, zero_high)                                                 \
    static void op_##name(CpuState *cpu, const DecodedInsn *insn) { convert(cpu, insn, k, lanes, zero_high); }
CONV_OP(cvtpi2ps, CV_I32_F32, 2, false)
CONV_OP(cvtpi2pd, CV_I32_F64, 2, false)
CONV_OP(cvtsi2ss, CV_I32_F32, 1, false)
CONV_OP(cvtsi2sd, CV_I32_F64, 1, false)
CONV_OP(cvtps2pi, CV_F32_I32, 2, false)
CONV_OP(cvttps2pi, CV_F32_I32T, 2, false)
CONV_OP(cvtpd2pi, CV_F64_I32, 2, false)
CONV_OP(cvttpd2pi, CV_F64_I32T, 2, false)
CONV_OP(cvtss2si, CV_F32_I32, 1, false)
CONV_OP(cvttss2si, CV_F32_I32T, 1, false)
CONV_OP(cvtsd2si, CV_F64_I32, 1, false)
CONV_OP(cvttsd2si, CV_F64_I32T, 1, false)
CONV_OP(cvtps2pd, CV_F32_F64, 2, false)
CONV_OP(cvtpd2ps, CV_F64_F32, 2, true)
CONV_OP(cvtss2sd, CV_F32_F64, 1, false)
CONV_OP(cvtsd2ss, CV_F64_F32, 1, false)
CONV_OP(cvtdq2ps, CV_I32_F32, 4, false)
CONV_OP(cvtps2dq, CV_F32_I32, 4, false)
CONV_OP(cvttps2dq, CV_F32_I32T, 4, false)
CONV_OP(cvtdq2pd, CV_I32_F64, 2, false)
CONV_OP(cvtpd2dq, CV_F64_I32, 2, true)
CONV_OP(cvttpd2dq, CV_F64_I32T, 2, true)

void sse_conv_register(InsnHandler *t)
{
    t[OP_CVTPI2PS] = op_cvtpi2ps;
    t[OP_CVTPI2PD] = op_cvtpi2pd;
    t[OP_CVTSI2SS] = op_cvtsi2ss;
    t[OP_CVTSI2SD] = op_cvtsi2sd;
    t[OP_CVTPS2PI] = op_cvtps2pi;
    t[OP_CVTTPS2PI] = op_cvttps2pi;
    t[OP_CVTPD2PI] = op_cvtpd2pi;
    t[OP_CVTTPD2PI] = op_cvttpd2pi;
    t[OP_CVTSS2SI] = op_cvtss2si;
    t[OP_CVTTSS2SI] = op_cvttss2si;
    t[OP_CVTSD2SI] = op_cvtsd2si;
    t[OP_CVTTSD2SI] = op_cvttsd2si;
    t[OP_CVTPS2PD] = op_cvtps2pd;
    t[OP_CVTPD2PS] = op_cvtpd2ps;
    t[OP_CVTSS2SD] = op_cvtss2sd;
    t[OP_CVTSD2SS] = op_cvtsd2ss;
    t[OP_CVTDQ2PS] = op_cvtdq2ps;
    t[OP_CVTPS2DQ] = op_cvtps2dq;
    t[OP_CVTTPS2DQ] = op_cvttps2dq;
    t[OP_CVTDQ2PD] = op_cvtdq2pd;
    t[OP_CVTPD2DQ] = op_cvtpd2dq;
    t[OP_CVTTPD2DQ] = op_cvttpd2dq;
}
