/* vm.c — simd-diff's subject: one instruction through vmm86's interpreter.
 *
 * A CpuState in flat 32-bit protected mode at CPL 3, like the host process, with 4 MiB of
 * RAM: the data window at SD_DATA_BASE, the instruction at SD_CODE_BASE. CR0 has NE and MP
 * (native x87 error reporting, as the host's kernel sets), CR4 has OSFXSR and OSXMMEXCPT.
 * The x87/SSE state is loaded from the case's FXSAVE image and reported as one, field by
 * field, by code here that is independent of vmm86's own FXSAVE/FXRSTOR.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "cpu/interp.h"
#include "cpu/x87.h"
#include "sdiff.h"
#include "softmmu/ioport.h"
#include "softmmu/mmu.h"
#include "softmmu/physmem.h"

#define VM_RAM (4u << 20)

static CpuState *cpu;
static PhysMem mem;
static IoPortSpace io;

bool vm_init(void)
{
    cpu = calloc(1, sizeof *cpu);
    if (!cpu || !physmem_init(&mem, VM_RAM)) {
        fprintf(stderr, "simd-diff: cannot allocate the vmm86 machine\n");
        return false;
    }
    ioport_init(&io);
    cpu_init(cpu, &mem, &io);
    cpu->cr0 |= CR0_PE | CR0_NE | CR0_MP;
    cpu->cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    const uint16_t user = 3 << SA_DPL_SHIFT;
    for (int s = 0; s < SEG_COUNT; s++) {
        SegCache *sc = &cpu->seg[s];
        sc->base = 0;
        sc->limit = 0xFFFFFFFFu;
        sc->sel = s == SEG_CS ? 0x1B : 0x23;
        sc->attr = SA_P | SA_S | SA_RW | SA_ACCESSED | SA_DB | SA_G | user | (s == SEG_CS ? SA_CODE : 0);
    }
    cpu->cpl = 3;
    mmu_flush_all(cpu);
    return true;
}

static void load_image(FpuState *f, const uint8_t *fx)
{
    uint16_t sw = sd_get16(fx + FX_FSW);
    f->fcw = sd_get16(fx + FX_FCW);
    f->fsw = sw & (uint16_t)~0x3800u;
    f->top = (sw >> 11) & 7;
    f->ftw = 0;
    for (unsigned p = 0; p < 8; p++)
        if (!((fx[FX_FTW] >> p) & 1))
            f->ftw |= (uint16_t)(3u << (2 * p));
    f->fop = sd_get16(fx + FX_FOP) & 0x7FF;
    f->fip = sd_get32(fx + FX_FIP);
    f->fcs = sd_get16(fx + FX_FCS);
    f->fdp = sd_get32(fx + FX_FDP);
    f->fds = sd_get16(fx + FX_FDS);
    f->mxcsr = sd_get32(fx + FX_MXCSR);
    for (unsigned i = 0; i < 8; i++) { /* the image holds ST(i) in stack order */
        unsigned p = (f->top + i) & 7;
        f->st[p].mant = sd_get64(fx + FX_ST + 16 * i);
        f->st[p].se = sd_get16(fx + FX_ST + 16 * i + 8);
    }
    for (unsigned r = 0; r < 8; r++) {
        f->xmm[r][0] = sd_get64(fx + FX_XMM + 16 * r);
        f->xmm[r][1] = sd_get64(fx + FX_XMM + 16 * r + 8);
    }
}

static void store_image(const FpuState *f, uint8_t *fx)
{
    memset(fx, 0, 512);
    sd_put16(fx + FX_FCW, f->fcw);
    sd_put16(fx + FX_FSW, (f->fsw & ~0x3800u) | (unsigned)(f->top & 7) << 11);
    uint8_t tag = 0;
    for (unsigned p = 0; p < 8; p++)
        if (((f->ftw >> (2 * p)) & 3) != 3)
            tag |= (uint8_t)(1u << p);
    fx[FX_FTW] = tag;
    sd_put16(fx + FX_FOP, f->fop);
    sd_put32(fx + FX_FIP, f->fip);
    sd_put16(fx + FX_FCS, f->fcs);
    sd_put32(fx + FX_FDP, f->fdp);
    sd_put16(fx + FX_FDS, f->fds);
    sd_put32(fx + FX_MXCSR, f->mxcsr);
    for (unsigned i = 0; i < 8; i++) {
        unsigned p = (f->top + i) & 7;
        sd_put64(fx + FX_ST + 16 * i, f->st[p].mant);
        sd_put16(fx + FX_ST + 16 * i + 8, f->st[p].se);
    }
    for (unsigned r = 0; r < 8; r++) {
        sd_put64(fx + FX_XMM + 16 * r, f->xmm[r][0]);
        sd_put64(fx + FX_XMM + 16 * r + 8, f->xmm[r][1]);
    }
}

static int vm_step(void)
{
    DecodedInsn insn;
    if (setjmp(cpu->exc_jmp))
        return cpu->exc_vector;
    cpu_fetch_decode(cpu, &insn);
    interp_execute(cpu, &insn);
    return -1;
}

void vm_run(const SdCase *c, SdState *out)
{
    for (int r = 0; r < 8; r++)
        cpu->gpr[r].q = c->in.gpr[r];
    cpu->ESP = 0x003FF000u;
    cpu->eflags = c->in.eflags | FL_RSVD1;
    cpu->cc_op = CC_OP_EFLAGS;
    load_image(&cpu->fpu, c->in.fx);
    cpu->fpu.ferr = false;
    cpu->halted = false;
    memcpy(mem.ram + SD_DATA_BASE, c->in.mem, SD_WINDOW);
    memcpy(mem.ram + SD_CODE_BASE, c->bytes, c->len);
    memset(mem.ram + SD_CODE_BASE + c->len, 0xF4, 16);
    cpu->eip = cpu->next_eip = SD_CODE_BASE;
    out->vector = vm_step();
    for (int r = 0; r < 8; r++)
        out->gpr[r] = cpu->gpr[r].d;
    out->eflags = cpu_get_eflags(cpu);
    store_image(&cpu->fpu, out->fx);
    memcpy(out->mem, mem.ram + SD_DATA_BASE, SD_WINDOW);
}

const OpcodeRow *vm_decode_row(const SdCase *c)
{
    DecodedInsn insn;
    if (decode(c->bytes, c->len, true, &insn) != DEC_OK || insn.len != c->len)
        return NULL;
    return insn.row;
}
