/* vm.c — see vm.h. */
#include "vm.h"

#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/exception.h"
#include "cpu/flags.h"
#include "softmmu/mmu.h"

#define RAM_SIZE (4u << 20)
/* The system area (vmm86 only; the host oracle needs none of it). */
#define SYS_GDT 0x00300000u
#define SYS_IDT 0x00300100u     /* 32 interrupt gates */
#define SYS_TSS 0x00300200u
#define SYS_HANDLERS 0x00301000u /* handler of vector v: a HLT at SYS_HANDLERS + 4 * v */
#define SYS_STACK 0x00302000u    /* the ring-0 stack page; ESP0 is its end */
#define SYS_ESP0 (SYS_STACK + 4096u)
#define NVECTORS 32
#define SEL_CODE0 0x08
#define SEL_DATA0 0x10
#define SEL_CODE3 0x1B
#define SEL_DATA3 0x23
#define SEL_TSS 0x28
/* Code bytes everywhere else in the code page: FF FF is FF /7, undefined from any offset.
 * After the case's code and at its branch target: a HLT, which at CPL 3 raises #GP(0) with
 * the state of that moment, and ends the run in the #GP handler. */
#define CODE_FILL 0xFF
#define HLT 0xF4

/* ---- writes ---------------------------------------------------------------------------- */

/* Every page but the window's two, the code page and the ring-0 stack is marked as holding
 * code, so a guest write there reaches this callback (and the JIT's, called after). */
static void on_write(void *opaque, uint32_t pa, unsigned len)
{
    Vm *vm = opaque;
    bool window = pa >= HC_DATA_BASE && pa + len <= HC_DATA_BASE + HC_DATA_SIZE;
    bool r0_stack = (pa & PAGE_MASK) == SYS_STACK;
    if (vm->running && !window && !r0_stack && !vm->stray) {
        vm->stray = true;
        vm->stray_addr = pa;
    }
    if (vm->next_write)
        vm->next_write(vm->next_opaque, pa, len);
}

/* ---- the system area -------------------------------------------------------------------- */

static void put32(Vm *vm, uint32_t pa, uint32_t v) { physmem_write_buf(&vm->mem, pa, &v, 4); }

/* A flat 4 GiB code or data descriptor (accessed already, so loads write nothing). */
static void put_flat_desc(Vm *vm, unsigned index, unsigned dpl, bool code)
{
    uint32_t type = code ? 0xB : 0x3;
    put32(vm, SYS_GDT + 8 * index, 0x0000FFFFu);
    put32(vm, SYS_GDT + 8 * index + 4,
          0x00CF0000u | 0x8000u | (dpl << 13) | 0x1000u | (type << 8));
}

static void build_system_area(Vm *vm)
{
    put_flat_desc(vm, SEL_CODE0 >> 3, 0, true);
    put_flat_desc(vm, SEL_DATA0 >> 3, 0, false);
    put_flat_desc(vm, SEL_CODE3 >> 3, 3, true);
    put_flat_desc(vm, SEL_DATA3 >> 3, 3, false);
    put32(vm, SYS_GDT + SEL_TSS, ((SYS_TSS & 0xFFFF) << 16) | 0x67);
    put32(vm, SYS_GDT + SEL_TSS + 4, (SYS_TSS & 0xFF000000u) | 0x8B00u | ((SYS_TSS >> 16) & 0xFF));
    put32(vm, SYS_TSS + 4, SYS_ESP0);
    put32(vm, SYS_TSS + 8, SEL_DATA0);
    for (uint32_t v = 0; v < NVECTORS; v++) {
        uint32_t h = SYS_HANDLERS + 4 * v;
        put32(vm, SYS_IDT + 8 * v, (SEL_CODE0 << 16) | (h & 0xFFFF));
        put32(vm, SYS_IDT + 8 * v + 4, (h & 0xFFFF0000u) | 0x8E00u); /* 32-bit interrupt gate */
        put32(vm, h, 0xFFFFFFF4u); /* HLT, then bytes that never decode */
    }
    CpuState *cpu = vm->cpu;
    cpu->gdtr.base = SYS_GDT;
    cpu->gdtr.limit = SEL_TSS + 7;
    cpu->idtr.base = SYS_IDT;
    cpu->idtr.limit = 8 * NVECTORS - 1;
    cpu->tr = (SegCache){.sel = SEL_TSS, .base = SYS_TSS, .limit = 0x67, .attr = SA_P | 0xB};
    cpu->cr0 |= CR0_PE;
}

void vm_segs_flat(VmSegs *segs)
{
    memset(segs, 0, sizeof *segs);
    for (int s = 0; s < SEG_COUNT; s++)
        segs->limit[s] = 0xFFFFFFFFu;
}

/* 32-bit segments at CPL 3: flat like the oracle's process (no paging), or as `segs` says
 * (the descriptor caches only: no instruction of a case loads a segment register). */
static void enter_user_mode(CpuState *cpu, const VmSegs *segs)
{
    const uint16_t user = 3 << SA_DPL_SHIFT;
    bool code16 = segs && segs->code16;
    for (int s = 0; s < SEG_COUNT; s++) {
        SegCache *sc = &cpu->seg[s];
        bool other = segs && s != SEG_CS;
        bool small = code16 && (s == SEG_CS || s == SEG_SS);
        sc->base = other ? segs->base[s] : 0;
        sc->limit = other ? segs->limit[s] : 0xFFFFFFFFu;
        if (small) {
            sc->base = (s == SEG_CS ? HC_CODE_BASE : HC_DATA_PAGES) & 0xFFFF0000u;
            sc->limit = 0xFFFF;
        }
        sc->sel = s == SEG_CS ? SEL_CODE3 : SEL_DATA3;
        sc->attr = SA_P | SA_S | SA_ACCESSED | user | (s == SEG_CS ? SA_CODE : 0) |
                   (other && segs->read_only[s] && !small ? 0 : SA_RW) |
                   (other && segs->expand_down[s] && !small ? SA_DC : 0) |
                   (small ? 0 : SA_DB) | (sc->limit > 0xFFFFF ? SA_G : 0);
    }
    cpu->cpl = 3;
    cpu->halted = false;
    cpu->shutdown = false;
    cpu->inhibit_irq = 0;
    cpu->trap_pending = false;
    cpu->delivering = -1;
}

bool vm_init(Vm *vm, CpuEngine engine, char *err, size_t errlen)
{
    memset(vm, 0, sizeof *vm);
    vm->engine = engine;
    vm->cpu = calloc(1, sizeof *vm->cpu);
    if (!vm->cpu || !physmem_init(&vm->mem, RAM_SIZE)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    ioport_init(&vm->io);
    cpu_init(vm->cpu, &vm->mem, &vm->io);
    build_system_area(vm);
    memset(vm->code, CODE_FILL, sizeof vm->code);
    physmem_write_buf(&vm->mem, HC_CODE_BASE, vm->code, sizeof vm->code);
    for (uint32_t pa = 0; pa < RAM_SIZE; pa += 4096)
        physmem_set_code(&vm->mem, pa, (pa & ~0x1FFFu) != HC_DATA_PAGES &&
                                           pa != HC_CODE_BASE && pa != SYS_STACK);
    EngineConfig cfg = {engine, 0};
    if (!engine_init(vm->cpu, &cfg, err, errlen))
        return false;
    vm->next_write = vm->mem.code_write;
    vm->next_opaque = vm->mem.code_write_opaque;
    vm->mem.code_write = on_write;
    vm->mem.code_write_opaque = vm;
    enter_user_mode(vm->cpu, NULL);
    /* A warm TLB: the JIT translates only code whose fetch hits it. */
    mmu_translate(vm->cpu, HC_CODE_BASE, MMU_READ, true);
    mmu_translate(vm->cpu, HC_DATA_PAGES, MMU_READ, true);
    mmu_translate(vm->cpu, HC_DATA_PAGES + 4096, MMU_READ, true);
    return true;
}

void vm_free(Vm *vm)
{
    if (vm->cpu)
        engine_destroy(vm->cpu);
    physmem_free(&vm->mem);
    free(vm->cpu);
    vm->cpu = NULL;
}

/* ---- one case ----------------------------------------------------------------------------- */

static void put_code_byte(Vm *vm, uint32_t pa, uint8_t v)
{
    if (vm->code[pa - HC_CODE_BASE] != v) {
        vm->code[pa - HC_CODE_BASE] = v;
        physmem_write_buf(&vm->mem, pa, &v, 1);
    }
}

static bool near_code(uint32_t pa) { return pa >= HC_INSN && pa < HC_INSN + HC_MAX_CODE + 1; }

/* Puts the case's code at HC_INSN with a HLT after it and at its branch target, writing
 * only what changed: blocks over unchanged bytes stay translated and run again with the
 * next case's inputs. */
static void load_code(Vm *vm, const HcCase *c)
{
    bool target = c->target >= HC_CODE_BASE && c->target < HC_CODE_BASE + 4096;
    if (vm->hlt_at && !near_code(vm->hlt_at) && vm->hlt_at != c->target)
        put_code_byte(vm, vm->hlt_at, CODE_FILL);
    vm->hlt_at = target ? c->target : 0;
    uint8_t *have = vm->code + (HC_INSN - HC_CODE_BASE);
    static uint8_t next[HC_MAX_CODE + 1];
    memset(next, CODE_FILL, sizeof next);
    memcpy(next, c->bytes, c->len);
    next[c->len] = HLT;
    if (target && near_code(c->target) && c->target > HC_INSN + c->len)
        next[c->target - HC_INSN] = HLT;
    if (memcmp(have, next, sizeof next)) {
        memcpy(have, next, sizeof next);
        physmem_write_buf(&vm->mem, HC_INSN, next, sizeof next);
    }
    if (target && !near_code(c->target))
        put_code_byte(vm, c->target, HLT);
}

static bool has_error_code(int v)
{
    return v == 8 || (v >= 10 && v <= 14) || v == 17;
}

static uint32_t ram32(Vm *vm, uint32_t pa)
{
    uint32_t v;
    memcpy(&v, vm->mem.ram + pa, 4);
    return v;
}

/* After a handler's HLT: the state before delivery, from the frame on the ring-0 stack. */
static bool read_frame(Vm *vm, VmResult *out)
{
    CpuState *cpu = vm->cpu;
    uint32_t off = cpu->eip - 1 - SYS_HANDLERS;
    if (cpu->cpl != 0 || cpu->eip <= SYS_HANDLERS || off % 4 || off / 4 >= NVECTORS)
        return false;
    out->vector = (int)(off / 4);
    uint32_t sp = cpu->ESP;
    if (sp != SYS_ESP0 - (has_error_code(out->vector) ? 24 : 20))
        return false;
    if (has_error_code(out->vector)) {
        out->error = (int32_t)ram32(vm, sp);
        sp += 4;
    }
    if (ram32(vm, sp + 4) != SEL_CODE3 || ram32(vm, sp + 16) != SEL_DATA3)
        return false;
    out->eip = ram32(vm, sp);
    out->eflags = ram32(vm, sp + 8) & ~FL_RF; /* a fault's frame has RF set */
    out->regs[R_ESP] = ram32(vm, sp + 12);
    return true;
}

/* Bytes [pa, pa + len) must be zero: else a stray write, cleared again. */
static void check_zero(Vm *vm, uint32_t pa, uint32_t len, VmResult *out)
{
    static const uint8_t zero[8192];
    const uint8_t *p = vm->mem.ram + pa;
    if (!memcmp(p, zero, len))
        return;
    for (uint32_t i = 0; i < len && !out->stray; i++)
        if (p[i]) {
            out->stray = true;
            out->stray_addr = pa + i;
        }
    physmem_write_buf(&vm->mem, pa, zero, len);
}

/* The rest of the data pages stays zero and the code page as written. */
static void check_pages(Vm *vm, VmResult *out)
{
    const uint8_t *code = vm->mem.ram + HC_CODE_BASE;
    const uint32_t end = HC_DATA_BASE + HC_DATA_SIZE;
    check_zero(vm, HC_DATA_PAGES, HC_DATA_BASE - HC_DATA_PAGES, out);
    check_zero(vm, end, HC_DATA_PAGES + 8192 - end, out);
    if (memcmp(code, vm->code, 4096)) {
        if (!out->stray) {
            out->stray = true;
            for (uint32_t i = 0; i < 4096 && !out->stray_addr; i++)
                if (code[i] != vm->code[i])
                    out->stray_addr = HC_CODE_BASE + i;
        }
        physmem_write_buf(&vm->mem, HC_CODE_BASE, vm->code, 4096);
    }
}

/* Where the run ended: at a HLT the case placed (done), in a handler (an exception), or
 * elsewhere (stuck). */
static void classify_end(Vm *vm, const HcCase *c, CpuExit e, VmResult *out)
{
    CpuState *cpu = vm->cpu;
    if (e == CPU_EXIT_SHUTDOWN) {
        out->status = VM_SHUTDOWN;
        return;
    }
    if (!cpu->halted && cpu->cpl == 3 && e == CPU_EXIT_BUDGET &&
        out->retired == VM_BUDGET_INSNS) {
        out->status = VM_BUDGET;
        out->eip += vm->cs_base;
        return;
    }
    if (!cpu->halted || !read_frame(vm, out)) {
        out->status = VM_STUCK;
        out->eip += cpu->cpl == 3 ? vm->cs_base : 0;
        return;
    }
    out->retired--; /* the handler's HLT */
    out->eip += vm->cs_base;
    bool marker = out->eip == HC_INSN + c->len || (c->target && out->eip == c->target);
    if (out->vector == EXC_GP && out->error == 0 && marker) {
        out->vector = -1; /* the HLT at CPL 3: the case ran to its end */
        out->error = -1;
    }
}

void vm_run(Vm *vm, const HcCase *c, const VmSegs *segs, VmResult *out)
{
    CpuState *cpu = vm->cpu;
    enter_user_mode(cpu, segs);
    for (int r = 0; r < 8; r++)
        cpu->gpr[r].q = c->regs[r];
    cpu->eflags = (c->eflags & FL_LIVE_MASK) | FL_RSVD1;
    cpu->cc_op = CC_OP_EFLAGS;
    vm->cs_base = cpu->seg[SEG_CS].base;
    cpu->eip = cpu->next_eip = HC_INSN - vm->cs_base;
    load_code(vm, c);
    physmem_write_buf(&vm->mem, HC_DATA_BASE, c->mem, HC_DATA_SIZE);
    vm->stray = false;
    vm->stray_addr = 0;
    vm->running = true;
    uint64_t start = cpu->icount;
    CpuExit e = CPU_EXIT_BUDGET;
    for (int guard = 0; guard < 16 && cpu->icount - start < VM_BUDGET_INSNS; guard++) {
        e = engine_run(cpu, VM_BUDGET_INSNS - (cpu->icount - start));
        if (e == CPU_EXIT_HALT || e == CPU_EXIT_SHUTDOWN)
            break;
    }
    vm->running = false;
    memset(out, 0, sizeof *out);
    out->vector = -1;
    out->error = -1;
    out->retired = cpu->icount - start;
    for (int r = 0; r < 8; r++)
        out->regs[r] = cpu->gpr[r].d;
    out->eip = cpu->eip;
    out->eflags = cpu_get_eflags(cpu);
    classify_end(vm, c, e, out);
    out->stray = vm->stray;
    out->stray_addr = vm->stray_addr;
    memcpy(out->mem, vm->mem.ram + HC_DATA_BASE, HC_DATA_SIZE);
    check_pages(vm, out);
}
