/* interp.h — the reference interpreter: one handler per operation, generic operands.
 *
 * Contract (DESIGN.md): every operation (OpId) has one handler with one signature. When a
 * handler runs, cpu->eip is the instruction's first byte and cpu->next_eip the byte after
 * it; a branch sets next_eip. The dispatcher commits next_eip and counts the instruction
 * when the handler returns. A handler raises guest exceptions with cpu_raise() and must not
 * change architectural state before its last possible fault (precise exceptions). Operands
 * are read and written with opnd_read/opnd_write, which handle registers, memory (with
 * segment checks), immediates and segment registers uniformly. Handlers live in
 * cpu/ops_*.c, each file registering its own in interp_init().
 */
#ifndef VMM86_CPU_INTERP_H
#define VMM86_CPU_INTERP_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/access.h"
#include "cpu/cpu_state.h"
#include "cpu/decode.h"
#include "cpu/exception.h"
#include "cpu/flags.h"

typedef void (*InsnHandler)(CpuState *cpu, const DecodedInsn *insn);

void interp_init(void);
extern InsnHandler interp_handlers[OP_COUNT];

/* Registration functions, one per ops_*.c file. */
typedef void (*OpsRegistrar)(InsnHandler *table);
void ops_alu_register(InsnHandler *t);
void ops_shift_register(InsnHandler *t);
void ops_muldiv_register(InsnHandler *t);
void ops_bcd_register(InsnHandler *t);
void ops_bit_register(InsnHandler *t);
void ops_move_register(InsnHandler *t);
void ops_stack_register(InsnHandler *t);
void ops_string_register(InsnHandler *t);
void ops_branch_register(InsnHandler *t);
void ops_far_register(InsnHandler *t);
void ops_system_register(InsnHandler *t);
void ops_io_register(InsnHandler *t);
void ops_x87_register(InsnHandler *t);
void ops_simd_register(InsnHandler *t);

/* Executes one decoded instruction (dispatch, commit of next_eip, icount). */
void interp_execute(CpuState *cpu, const DecodedInsn *insn);

/* ---- operands ------------------------------------------------------------------------- */

/* Effective address (offset within the segment) of the memory operand. */
static inline uint32_t insn_ea(const CpuState *cpu, const DecodedInsn *insn)
{
    uint32_t ea = insn->disp;
    if (insn->ea_base != EA_NONE)
        ea += cpu->gpr[insn->ea_base].d;
    if (insn->ea_index != EA_NONE)
        ea += cpu->gpr[insn->ea_index].d << insn->ea_scale;
    return insn->adsize == 2 ? (ea & 0xFFFF) : ea;
}

static inline unsigned opnd_size(const DecodedInsn *insn, int i) { return insn->opnd[i].size; }

static inline uint32_t gpr_read(const CpuState *cpu, unsigned reg, unsigned size)
{
    if (size == 4)
        return cpu->gpr[reg].d;
    if (size == 2)
        return cpu->gpr[reg].w;
    return reg < 4 ? cpu->gpr[reg].b.l : cpu->gpr[reg - 4].b.h;
}

static inline void gpr_write(CpuState *cpu, unsigned reg, unsigned size, uint32_t v)
{
    if (size == 4)
        cpu->gpr[reg].d = v;
    else if (size == 2)
        cpu->gpr[reg].w = (uint16_t)v;
    else
        *cpu_reg8_ptr(cpu, reg) = (uint8_t)v;
}

uint32_t opnd_read(CpuState *cpu, const DecodedInsn *insn, int i);
void opnd_write(CpuState *cpu, const DecodedInsn *insn, int i, uint32_t v);
/* For read-modify-write: the linear address of a memory destination, checked for write. */
uint32_t opnd_rmw_lin(CpuState *cpu, const DecodedInsn *insn, int i);

/* ---- control transfer ------------------------------------------------------------------- */

/* Near jump within CS: masks to the operand size and checks the CS limit (#GP(0)). */
static inline void cpu_branch_near(CpuState *cpu, uint32_t target, unsigned opsize)
{
    if (opsize == 2)
        target &= 0xFFFF;
    if (target > cpu->seg[SEG_CS].limit)
        cpu_raise(cpu, EXC_GP, 0);
    cpu->next_eip = target;
}

/* Handler for operations not implemented yet: raises #UD (counted in --stats). */
void op_unimplemented(CpuState *cpu, const DecodedInsn *insn);

#endif
