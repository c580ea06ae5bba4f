/* debug_regs.c — breakpoint matching for DR0-DR7 (see debug_regs.h). */
#include "cpu/debug_regs.h"

#include "cpu/exception.h"
#include "softmmu/mmu.h"

enum { RW_EXEC = 0, RW_WRITE = 1, RW_IO = 2, RW_RDWR = 3 };

static unsigned bp_rw(const CpuState *cpu, int n) { return cpu->dr[7] >> (16 + 4 * n) & 3; }
static bool bp_enabled(const CpuState *cpu, int n) { return cpu->dr[7] >> (2 * n) & 3; }

/* LEN encodings 00, 01, 11 are 1, 2 and 4 bytes; 10 is undefined on the P6 (8 later). */
static unsigned bp_len(const CpuState *cpu, int n)
{
    static const unsigned len[4] = {1, 2, 8, 4};
    return len[cpu->dr[7] >> (18 + 4 * n) & 3];
}

/* Does [a, a+size) overlap breakpoint n's aligned range? */
static bool bp_overlaps(const CpuState *cpu, int n, uint32_t a, unsigned size)
{
    unsigned len = bp_len(cpu, n);
    uint32_t start = cpu->dr[n] & ~(len - 1);
    return a - start < len || start - a < size;
}

void dbg_check_insn(CpuState *cpu)
{
    uint32_t lin = cpu->seg[SEG_CS].base + cpu->eip, hit = 0;
    for (int n = 0; n < 4; n++)
        if (bp_enabled(cpu, n) && bp_rw(cpu, n) == RW_EXEC && cpu->dr[n] == lin)
            hit |= 1u << n;
    if (hit) {
        cpu->dr[6] |= hit;
        cpu_raise(cpu, EXC_DB, 0);
    }
}

void dbg_check_data(CpuState *cpu, uint32_t lin, unsigned size, bool write)
{
    for (int n = 0; n < 4; n++) {
        unsigned rw = bp_rw(cpu, n);
        if (!bp_enabled(cpu, n) || !(rw == RW_RDWR || (rw == RW_WRITE && write)))
            continue;
        if (bp_overlaps(cpu, n, lin, size)) {
            cpu->dr6_pending |= 1u << n;
            cpu->trap_pending = true;
        }
    }
}

void dbg_check_io(CpuState *cpu, uint16_t port, unsigned size)
{
    if (!(cpu->cr4 & CR4_DE))
        return;
    for (int n = 0; n < 4; n++) {
        if (bp_enabled(cpu, n) && bp_rw(cpu, n) == RW_IO && bp_overlaps(cpu, n, port, size)) {
            cpu->dr6_pending |= 1u << n;
            cpu->trap_pending = true;
        }
    }
}

bool dbg_page_watched(const CpuState *cpu, uint32_t page)
{
    for (int n = 0; n < 4; n++) {
        unsigned rw = bp_rw(cpu, n);
        if (bp_enabled(cpu, n) && (rw == RW_WRITE || rw == RW_RDWR) &&
            bp_overlaps(cpu, n, page, PAGE_SIZE))
            return true;
    }
    return false;
}

uint32_t dbg_read(const CpuState *cpu, unsigned n)
{
    if (n == 6)
        return (cpu->dr[6] & 0xE00Fu) | 0xFFFF0FF0u;
    if (n == 7)
        return (cpu->dr[7] & 0xFFFF23FFu) | 0x400u;
    return cpu->dr[n];
}

void dbg_write(CpuState *cpu, unsigned n, uint32_t v)
{
    if (n == 6) {
        cpu->dr[6] = (v & 0xE00Fu) | 0xFFFF0FF0u;
        return;
    }
    if (n == 7)
        v = (v & 0xFFFF23FFu) | 0x400u;
    cpu->dr[n] = v;
    mmu_flush_all(cpu); /* re-decide which pages must take the slow path */
}
