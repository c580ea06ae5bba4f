/* ops_string.c — the string instructions MOVS CMPS STOS LODS SCAS INS OUTS, with REP,
 * REPE and REPNE.
 *
 * The source is seg:rSI (DS unless overridden), the destination ES:rDI (never overridden).
 * The address size picks SI/DI/CX (16-bit: they wrap at 64 KiB and the upper halves of
 * ESI/EDI/ECX are untouched) or ESI/EDI/ECX. DF picks the direction.
 * Restartability: each iteration commits its own register updates (rSI, rDI, rCX, flags)
 * before the next one begins, so a fault in iteration k leaves the registers describing the
 * remaining work and EIP at the instruction. A REP instruction stops at an iteration
 * boundary and is executed again (next_eip = eip) after REP_CHUNK iterations, after one
 * iteration when single-stepping (TF: the trap comes after every iteration, as on
 * hardware), after an iteration whose access hit a data breakpoint (the trap is reported
 * after that iteration), and as soon as an interrupt is pending, so cpu_exec can take it.
 * A count of 0 at the start does nothing.
 * RF (SDM vol. 3, 18.3.1.1): an instruction stopped with iterations left sets EFLAGS.RF
 * and keeps it (cpu->keep_rf), so the interrupt or trap taken there pushes RF = 1, and the
 * re-execution (after the IRET, or the next chunk) does not fire an instruction breakpoint
 * on it again; the last iteration leaves RF to be cleared as after any instruction, so
 * events after it push RF = 0.
 */
#include "cpu/io_perm.h"
#include "cpu/ops_util.h"

#define REP_CHUNK 4096

typedef struct StrCtx {
    unsigned size; /* element size */
    int32_t delta; /* +size or -size (DF) */
    bool a16;      /* 16-bit address size */
} StrCtx;

static inline uint32_t str_reg(const CpuState *cpu, const StrCtx *s, int r)
{
    return s->a16 ? cpu->gpr[r].w : cpu->gpr[r].d;
}

static inline void str_advance(CpuState *cpu, const StrCtx *s, int r)
{
    if (s->a16)
        cpu->gpr[r].w = (uint16_t)(cpu->gpr[r].w + s->delta);
    else
        cpu->gpr[r].d += (uint32_t)s->delta;
}

static inline uint32_t str_acc(const CpuState *cpu, const StrCtx *s)
{
    return gpr_read(cpu, R_EAX, s->size);
}

/* One iteration of each instruction; returns the value of ZF it produced (CMPS/SCAS). */
typedef bool (*StrStep)(CpuState *cpu, const DecodedInsn *insn, const StrCtx *s);

static bool step_movs(CpuState *cpu, const DecodedInsn *insn, const StrCtx *s)
{
    uint32_t v = cpu_read_sz(cpu, insn->seg, str_reg(cpu, s, R_ESI), s->size);
    cpu_write_sz(cpu, SEG_ES, str_reg(cpu, s, R_EDI), s->size, v);
    str_advance(cpu, s, R_ESI);
    str_advance(cpu, s, R_EDI);
    return false;
}

static bool compare(CpuState *cpu, const StrCtx *s, uint32_t a, uint32_t b)
{
    uint32_t r = (a - b) & size_mask(s->size);
    cc_record(cpu, CC_OP(CC_BASE_SUB, s->size), r, a, b);
    return r == 0;
}

static bool step_cmps(CpuState *cpu, const DecodedInsn *insn, const StrCtx *s)
{
    uint32_t a = cpu_read_sz(cpu, insn->seg, str_reg(cpu, s, R_ESI), s->size);
    uint32_t b = cpu_read_sz(cpu, SEG_ES, str_reg(cpu, s, R_EDI), s->size);
    str_advance(cpu, s, R_ESI);
    str_advance(cpu, s, R_EDI);
    return compare(cpu, s, a, b);
}

static bool step_stos(CpuState *cpu, const DecodedInsn *insn, const StrCtx *s)
{
    (void)insn;
    cpu_write_sz(cpu, SEG_ES, str_reg(cpu, s, R_EDI), s->size, str_acc(cpu, s));
    str_advance(cpu, s, R_EDI);
    return false;
}

static bool step_lods(CpuState *cpu, const DecodedInsn *insn, const StrCtx *s)
{
    uint32_t v = cpu_read_sz(cpu, insn->seg, str_reg(cpu, s, R_ESI), s->size);
    gpr_write(cpu, R_EAX, s->size, v);
    str_advance(cpu, s, R_ESI);
    return false;
}

static bool step_scas(CpuState *cpu, const DecodedInsn *insn, const StrCtx *s)
{
    (void)insn;
    uint32_t b = cpu_read_sz(cpu, SEG_ES, str_reg(cpu, s, R_EDI), s->size);
    str_advance(cpu, s, R_EDI);
    return compare(cpu, s, str_acc(cpu, s), b);
}

/* INS: the destination is checked and translated for writing before the port is read, so
 * a fault does not swallow a device's data. */
static bool step_ins(CpuState *cpu, const DecodedInsn *insn, const StrCtx *s)
{
    (void)insn;
    uint16_t port = cpu->gpr[R_EDX].w;
    uint32_t lin = seg_check(cpu, SEG_ES, str_reg(cpu, s, R_EDI), s->size, true);
    mmu_translate(cpu, lin, MMU_WRITE, cpu_user(cpu));
    if ((lin & 0xFFF) + s->size > 0x1000)
        mmu_translate(cpu, lin + s->size - 1, MMU_WRITE, cpu_user(cpu));
    uint32_t v = cpu_port_read(cpu, port, s->size);
    lin_write_sz(cpu, lin, s->size, v);
    str_advance(cpu, s, R_EDI);
    return false;
}

static bool step_outs(CpuState *cpu, const DecodedInsn *insn, const StrCtx *s)
{
    uint32_t v = cpu_read_sz(cpu, insn->seg, str_reg(cpu, s, R_ESI), s->size);
    cpu_port_write(cpu, cpu->gpr[R_EDX].w, s->size, v);
    str_advance(cpu, s, R_ESI);
    return false;
}

static inline bool interrupt_pending(const CpuState *cpu)
{
    return (cpu->nmi_pending && !cpu->nmi_blocked) || (cpu->intr && (cpu->eflags & FL_IF));
}

static void string_run(CpuState *cpu, const DecodedInsn *insn, StrStep step, bool io)
{
    StrCtx s;
    s.size = (insn->row->attr & A_BYTE) ? 1 : insn->opsize;
    s.delta = (cpu->eflags & FL_DF) ? -(int32_t)s.size : (int32_t)s.size;
    s.a16 = insn->adsize == 2;
    if (!insn->rep) {
        if (io)
            cpu_check_io(cpu, cpu->gpr[R_EDX].w, s.size);
        step(cpu, insn, &s);
        return;
    }
    bool conditional = insn->row->attr & A_REPCC;
    unsigned limit = (cpu->eflags & FL_TF) ? 1 : REP_CHUNK;
    for (unsigned n = 0;; n++) {
        uint32_t count = str_reg(cpu, &s, R_ECX);
        if (count == 0)
            return;
        if (n == limit || (n > 0 && (interrupt_pending(cpu) || cpu->trap_pending))) {
            cpu->next_eip = cpu->eip; /* resume this instruction later */
            cpu->eflags |= FL_RF; /* not a lazy bit */
            cpu->keep_rf = true;
            return;
        }
        if (n == 0 && io)
            cpu_check_io(cpu, cpu->gpr[R_EDX].w, s.size);
        bool zf = step(cpu, insn, &s);
        if (s.a16)
            cpu->gpr[R_ECX].w = (uint16_t)(count - 1);
        else
            cpu->ECX = count - 1;
        if (conditional && zf != (insn->rep == PRE_REP))
            return; /* REPE stops on ZF = 0, REPNE on ZF = 1 */
    }
}

static void op_movs(CpuState *cpu, const DecodedInsn *insn) { string_run(cpu, insn, step_movs, false); }
static void op_cmps(CpuState *cpu, const DecodedInsn *insn) { string_run(cpu, insn, step_cmps, false); }
static void op_stos(CpuState *cpu, const DecodedInsn *insn) { string_run(cpu, insn, step_stos, false); }
static void op_lods(CpuState *cpu, const DecodedInsn *insn) { string_run(cpu, insn, step_lods, false); }
static void op_scas(CpuState *cpu, const DecodedInsn *insn) { string_run(cpu, insn, step_scas, false); }
static void op_ins(CpuState *cpu, const DecodedInsn *insn) { string_run(cpu, insn, step_ins, true); }
static void op_outs(CpuState *cpu, const DecodedInsn *insn) { string_run(cpu, insn, step_outs, true); }

void ops_string_register(InsnHandler *t)
{
    t[OP_MOVS] = op_movs;
    t[OP_CMPS] = op_cmps;
    t[OP_STOS] = op_stos;
    t[OP_LODS] = op_lods;
    t[OP_SCAS] = op_scas;
    t[OP_INS] = op_ins;
    t[OP_OUTS] = op_outs;
}
