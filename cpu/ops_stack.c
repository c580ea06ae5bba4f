/* ops_stack.c — PUSH and POP of registers, memory, immediates and segment registers,
 * PUSHA/POPA, PUSHF/POPF, ENTER and LEAVE.
 *
 * Every handler works on a local copy of ESP and commits registers only after its last
 * possible fault. The stack size (SS.B) decides whether ESP or only SP moves; the operand
 * size decides how many bytes move.
 */
#include "cpu/ops_util.h"
#include "cpu/segment.h"

static void op_push(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t v = opnd_read(cpu, insn, 0), esp = cpu->ESP;
    if (insn->opnd[0].type == OPT_SEG && insn->opsize == 4) {
        /* A 32-bit push of a segment register writes only the low word on the P6 family. */
        uint32_t nsp = stack_add(cpu, esp, -4);
        cpu_write16(cpu, SEG_SS, stack_offset(cpu, nsp), (uint16_t)v);
        esp = nsp;
    } else {
        stack_push(cpu, &esp, insn->opsize, v);
    }
    cpu->ESP = esp;
}

static void op_pop(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t esp = cpu->ESP;
    uint32_t v = stack_pop(cpu, &esp, insn->opsize);
    switch (insn->opnd[0].type) {
    case OPT_SEG:
        seg_load(cpu, insn->opnd[0].reg, (uint16_t)v);
        cpu->ESP = esp;
        if (insn->opnd[0].reg == SEG_SS)
            cpu->inhibit_irq = 2;
        break;
    case OPT_MEM: {
        /* POP to memory computes the address with ESP already incremented. */
        uint32_t old = cpu->ESP;
        cpu->ESP = esp;
        uint32_t off = insn_ea(cpu, insn);
        cpu->ESP = old;
        cpu_write_sz(cpu, insn->seg, off, insn->opsize, v);
        cpu->ESP = esp;
        break;
    }
    default:
        cpu->ESP = esp; /* POP ESP: the popped value wins over the increment */
        gpr_write(cpu, insn->opnd[0].reg, insn->opsize, v);
        break;
    }
}

/* PUSHA checks all eight slots against the stack segment before writing any of them. */
static void op_pusha(CpuState *cpu, const DecodedInsn *insn)
{
    unsigned size = insn->opsize;
    uint32_t esp = cpu->ESP, sp = esp;
    for (int i = 0; i < 8; i++) {
        sp = stack_add(cpu, sp, -(int32_t)size);
        seg_check(cpu, SEG_SS, stack_offset(cpu, sp), size, true);
    }
    uint32_t old_esp = cpu->ESP;
    for (int r = R_EAX; r <= R_EDI; r++)
        stack_push(cpu, &esp, size, r == R_ESP ? old_esp : cpu->gpr[r].d);
    cpu->ESP = esp;
}

/* POPA reads all eight slots first; the one for ESP is skipped. */
static void op_popa(CpuState *cpu, const DecodedInsn *insn)
{
    unsigned size = insn->opsize;
    uint32_t esp = cpu->ESP, v[8];
    for (int r = R_EDI; r >= R_EAX; r--)
        v[r] = stack_pop(cpu, &esp, size);
    for (int r = R_EAX; r <= R_EDI; r++)
        if (r != R_ESP)
            gpr_write(cpu, r, size, v[r]);
    cpu->ESP = esp;
}

/* ---- PUSHF / POPF ---------------------------------------------------------------------- */

/* Virtual-8086 code may use PUSHF/POPF only with IOPL 3 (CR4.VME's virtual interrupt flag
 * is not emulated: VME is not advertised). */
static void vm86_flags_check(CpuState *cpu)
{
    if (cpu_vm86(cpu) && cpu_iopl(cpu) < 3)
        cpu_raise(cpu, EXC_GP, 0);
}

static void op_pushf(CpuState *cpu, const DecodedInsn *insn)
{
    vm86_flags_check(cpu);
    /* The image has VM and RF clear (a 16-bit push has neither anyway). */
    uint32_t f = cpu_get_eflags(cpu) & ~(FL_VM | FL_RF);
    uint32_t esp = cpu->ESP;
    stack_push(cpu, &esp, insn->opsize, f);
    cpu->ESP = esp;
}

/* Which EFLAGS bits POPF may change. VM, RF, VIF and VIP never; IOPL only at CPL 0 (or in
 * real mode); IF only when CPL <= IOPL (always in real mode, and in VM86 with IOPL 3). */
static uint32_t popf_mask(const CpuState *cpu, unsigned size)
{
    uint32_t mask = FL_LIVE_MASK & ~(FL_VM | FL_RF | FL_VIF | FL_VIP);
    if (cpu_vm86(cpu)) {
        mask &= ~FL_IOPL;
    } else if (cpu_pe(cpu) && cpu->cpl > 0) {
        mask &= ~FL_IOPL;
        if (cpu->cpl > cpu_iopl(cpu))
            mask &= ~FL_IF;
    }
    return size == 2 ? mask & 0xFFFF : mask;
}

static void op_popf(CpuState *cpu, const DecodedInsn *insn)
{
    vm86_flags_check(cpu);
    uint32_t esp = cpu->ESP;
    uint32_t v = stack_pop(cpu, &esp, insn->opsize);
    uint32_t mask = popf_mask(cpu, insn->opsize);
    uint32_t f = cpu_get_eflags(cpu);
    cpu->eflags = ((f & ~mask) | (v & mask)) | FL_RSVD1;
    cpu->cc_op = CC_OP_EFLAGS;
    cpu->ESP = esp;
}

/* ---- ENTER / LEAVE ------------------------------------------------------------------- */

/* ENTER size, level: push rBP; copy level-1 frame pointers from the old frame; push the
 * new frame pointer; rBP = frame; rSP -= size. The level is taken modulo 32. The copies'
 * addresses (EBP or BP) and the final rSP follow the stack size; the pushed items and the
 * final rBP (EBP or BP) follow the operand size, as the SDM's pseudocode says. */
static void op_enter(CpuState *cpu, const DecodedInsn *insn)
{
    unsigned size = insn->opsize;
    uint32_t alloc = insn->imm & 0xFFFF, level = insn->imm2 & 0x1F;
    bool big = cpu_stack32(cpu);
    uint32_t esp = cpu->ESP, ebp = cpu->EBP;
    stack_push(cpu, &esp, size, ebp);
    uint32_t frame = esp;
    if (level > 0) {
        for (uint32_t i = 1; i < level; i++) {
            ebp = big ? ebp - size : ((ebp & 0xFFFF0000u) | ((ebp - size) & 0xFFFF));
            uint32_t v = cpu_read_sz(cpu, SEG_SS, big ? ebp : (ebp & 0xFFFF), size);
            stack_push(cpu, &esp, size, v);
        }
        stack_push(cpu, &esp, size, frame);
    }
    esp = stack_add(cpu, esp, -(int32_t)alloc);
    /* The processor probes the new stack top for writing (the host CPU faults there even
     * with level 0): #SS(0) outside the segment, #PF on a page it may not write. */
    uint32_t lin = seg_check(cpu, SEG_SS, stack_offset(cpu, esp), size, true);
    mmu_translate(cpu, lin, MMU_WRITE, cpu_user(cpu));
    if ((lin & 0xFFF) + size > 0x1000)
        mmu_translate(cpu, lin + size - 1, MMU_WRITE, cpu_user(cpu));
    gpr_write(cpu, R_EBP, size, frame);
    cpu->ESP = esp;
}

/* LEAVE: rSP = rBP (by stack size), then pop rBP (by operand size). */
static void op_leave(CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t esp = cpu_stack32(cpu) ? cpu->EBP : ((cpu->ESP & 0xFFFF0000u) | cpu->gpr[R_EBP].w);
    uint32_t v = stack_pop(cpu, &esp, insn->opsize);
    gpr_write(cpu, R_EBP, insn->opsize, v);
    cpu->ESP = esp;
}

void ops_stack_register(InsnHandler *t)
{
    t[OP_PUSH] = op_push;
    t[OP_POP] = op_pop;
    t[OP_PUSHA] = op_pusha;
    t[OP_POPA] = op_popa;
    t[OP_PUSHF] = op_pushf;
    t[OP_POPF] = op_popf;
    t[OP_ENTER] = op_enter;
    t[OP_LEAVE] = op_leave;
}
