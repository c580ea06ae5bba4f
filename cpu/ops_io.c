/* ops_io.c — port I/O: IN and OUT, with IOPL and I/O-bitmap checks; the port access goes to
 * the machine's I/O space. (INS/OUTS are string instructions in ops_string.c.) */
#include "cpu/debug_regs.h"
#include "cpu/interp.h"
#include "cpu/io_perm.h"
#include "machine/log.h"
#include "softmmu/ioport.h"

void cpu_check_io(CpuState *cpu, uint16_t port, unsigned size)
{
    if (!cpu_pe(cpu))
        return;
    if (!cpu_vm86(cpu) && cpu->cpl <= cpu_iopl(cpu))
        return;
    /* A 16-bit TSS has no bitmap; neither does a TSS too short to hold its base. */
    if ((cpu->tr.attr & SA_TYPE) < 9 || cpu->tr.limit < 0x67)
        cpu_raise(cpu, EXC_GP, 0);
    uint32_t base = sys_read16(cpu, cpu->tr.base + 0x66);
    uint32_t byte = base + port / 8;
    if (byte + 1 > cpu->tr.limit) /* both bytes of the word read must lie inside */
        cpu_raise(cpu, EXC_GP, 0);
    uint16_t bits = sys_read16(cpu, cpu->tr.base + byte);
    uint16_t mask = (uint16_t)(((1u << size) - 1) << (port & 7));
    if (bits & mask)
        cpu_raise(cpu, EXC_GP, 0);
}

static void log_port(const CpuState *cpu, const char *dir, uint16_t port, unsigned size,
                     uint32_t value)
{
    log_printf("ioport %-3s port 0x%04x size %u value 0x%0*x at %04x:%08x\n", dir, port, size,
               (int)size * 2, value, cpu->seg[SEG_CS].sel, cpu->eip);
}

uint32_t cpu_port_read(CpuState *cpu, uint16_t port, unsigned size)
{
    cpu->stats.io_accesses++;
    uint32_t v = ioport_read(cpu->io, port, size);
    if (log_enabled(LOG_IOPORT))
        log_port(cpu, "in", port, size, v);
    return v;
}

void cpu_port_write(CpuState *cpu, uint16_t port, unsigned size, uint32_t value)
{
    cpu->stats.io_accesses++;
    if (log_enabled(LOG_IOPORT))
        log_port(cpu, "out", port, size, value);
    ioport_write(cpu->io, port, size, value);
}

static uint16_t io_port(const CpuState *cpu, const DecodedInsn *insn, int i)
{
    return insn->opnd[i].type == OPT_IMM ? (uint16_t)(insn->imm & 0xFF) : cpu->gpr[R_EDX].w;
}

static void op_in(CpuState *cpu, const DecodedInsn *insn)
{
    uint16_t port = io_port(cpu, insn, 1);
    unsigned size = opnd_size(insn, 0);
    cpu_check_io(cpu, port, size);
    uint32_t v = cpu_port_read(cpu, port, size);
    gpr_write(cpu, R_EAX, size, v);
    dbg_check_io(cpu, port, size);
}

static void op_out(CpuState *cpu, const DecodedInsn *insn)
{
    uint16_t port = io_port(cpu, insn, 0);
    unsigned size = opnd_size(insn, 1);
    cpu_check_io(cpu, port, size);
    cpu_port_write(cpu, port, size, gpr_read(cpu, R_EAX, size));
    dbg_check_io(cpu, port, size);
}

void ops_io_register(InsnHandler *t)
{
    t[OP_IN] = op_in;
    t[OP_OUT] = op_out;
}
