/* ops_util.h — helpers shared by the integer handlers (cpu/ops_alu.c, ops_shift.c, ...).
 *
 * Contract: read-modify-write access to an instruction's operand with the architectural
 * checks in the right order. rmw_read() checks a memory destination for *writing* (segment
 * rights and limit) before it reads, as hardware does for a read-modify-write, and
 * remembers where the operand lives; rmw_write() stores the result there. A handler calls
 * rmw_write() before it commits anything else (registers, flags), so a fault on the store
 * leaves the architectural state from before the instruction. Also: sized linear accesses
 * and the partial update of arithmetic flags.
 */
#ifndef VMM86_CPU_OPS_UTIL_H
#define VMM86_CPU_OPS_UTIL_H

#include "cpu/interp.h"

static inline uint32_t lin_read_sz(CpuState *cpu, uint32_t lin, unsigned size)
{
    bool user = cpu_user(cpu);
    return size == 1   ? mmu_read8(cpu, lin, user)
           : size == 2 ? mmu_read16(cpu, lin, user)
                       : mmu_read32(cpu, lin, user);
}

static inline void lin_write_sz(CpuState *cpu, uint32_t lin, unsigned size, uint32_t v)
{
    bool user = cpu_user(cpu);
    if (size == 1)
        mmu_write8(cpu, lin, (uint8_t)v, user);
    else if (size == 2)
        mmu_write16(cpu, lin, (uint16_t)v, user);
    else
        mmu_write32(cpu, lin, v, user);
}

/* Where a read-modify-write operand lives. */
typedef struct Rmw {
    bool mem;      /* memory (lin) or general register (reg) */
    uint8_t reg;
    uint8_t size;  /* bytes */
    uint32_t lin;  /* linear address of a memory operand */
} Rmw;

static inline uint32_t rmw_read(CpuState *cpu, const DecodedInsn *insn, int i, Rmw *r)
{
    r->size = (uint8_t)opnd_size(insn, i);
    if (insn->opnd[i].type == OPT_MEM) {
        r->mem = true;
        r->lin = opnd_rmw_lin(cpu, insn, i);
        return lin_read_sz(cpu, r->lin, r->size);
    }
    r->mem = false;
    r->reg = insn->opnd[i].reg;
    return gpr_read(cpu, r->reg, r->size);
}

static inline void rmw_write(CpuState *cpu, const Rmw *r, uint32_t v)
{
    if (r->mem)
        lin_write_sz(cpu, r->lin, r->size, v);
    else
        gpr_write(cpu, r->reg, r->size, v);
}

/* Sets the arithmetic flags in `mask` to the bits of `values`; the others keep their
 * (lazily derived) values. */
static inline void flags_update(CpuState *cpu, uint32_t mask, uint32_t values)
{
    cpu_flags_materialize(cpu);
    cpu->eflags = (cpu->eflags & ~mask) | (values & mask);
}

static inline uint32_t sign_extend_sz(uint32_t v, unsigned size)
{
    return size == 1 ? (uint32_t)(int32_t)(int8_t)v
           : size == 2 ? (uint32_t)(int32_t)(int16_t)v
                       : v;
}

#endif
