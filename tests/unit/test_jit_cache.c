/* test_jit_cache.c — the JIT's block management: a code cache far too small for the
 * program fills up and is flushed again and again without changing any result; code
 * rewritten behind the CPU's back by a bulk physical write (DMA: physmem_write_buf) is
 * retranslated; a physical page mapped anew (ROM to RAM, as PAM shadowing does) runs its
 * new contents and is tracked for writes; and the instruction budget is exact — run in random small slices, the JIT
 * stops after exactly as many instructions as asked and agrees with the interpreter after
 * every slice (registers, flags, EIP, icount).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "softmmu/ioport.h"
#include "softmmu/mmu.h"
#include "softmmu/physmem.h"
#include "translator/jit_internal.h"

#define CODE 0x10000u

typedef struct Env {
    PhysMem mem;
    IoPortSpace io;
    CpuState cpu;
} Env;

static Env *env_new(void)
{
    Env *e = calloc(1, sizeof *e);
    cr_assert(e && physmem_init(&e->mem, 1u << 20));
    ioport_init(&e->io);
    cpu_init(&e->cpu, &e->mem, &e->io);
    return e;
}

static void env_free(Env *e)
{
    physmem_free(&e->mem);
    free(e);
}

/* Flat 32-bit protected mode at CODE, interrupts off. */
static void flat32(CpuState *c)
{
    const uint16_t data = SA_P | SA_S | SA_RW | SA_ACCESSED | SA_DB | SA_G;
    c->cr0 = CR0_ET | CR0_PE;
    for (int s = 0; s < SEG_COUNT; s++)
        c->seg[s] = (SegCache){0, 0xFFFFFFFFu, 0x10, data};
    c->seg[SEG_CS] = (SegCache){0, 0xFFFFFFFFu, 0x08, data | SA_CODE};
    c->cpl = 0;
    c->eip = CODE;
    c->ESP = 0x9000;
    c->eflags = FL_RSVD1;
    c->cc_op = CC_OP_EFLAGS;
    c->halted = false;
    mmu_flush_all(c);
}

static JitState *jit_for(Env *e, size_t cache)
{
    char err[128];
    JitConfig cfg = {cache, false, false};
    JitState *j = jit_create(&e->cpu, &cfg, err, sizeof err);
    cr_assert(j, "%s", err);
    return j;
}

/* n snippets "add eax, i; add ebx, 16; jmp ebx" (16 bytes each), then HLT. */
static uint32_t write_snippets(uint8_t *p, unsigned n)
{
    uint32_t sum = 0;
    for (unsigned i = 0; i < n; i++, p += 16) {
        uint32_t imm = i * 2654435761u;
        sum += imm;
        p[0] = 0x05; /* add eax, imm32 */
        memcpy(p + 1, &imm, 4);
        p[5] = 0x83; p[6] = 0xC3; p[7] = 0x10; /* add ebx, 16 */
        p[8] = 0xFF; p[9] = 0xE3;              /* jmp ebx */
        memset(p + 10, 0x90, 6);
    }
    p[0] = 0xF4;
    return sum;
}

Test(jit_cache, the_snippet_program_means_what_the_test_expects)
{
    Env *e = env_new();
    uint32_t sum = write_snippets(e->mem.ram + CODE, 3000);
    flat32(&e->cpu);
    e->cpu.EAX = 0;
    e->cpu.EBX = CODE; /* each snippet adds 16 and jumps to the next */
    cr_assert_eq(cpu_exec(&e->cpu, 1000000), CPU_EXIT_HALT);
    cr_assert_eq(e->cpu.EAX, sum);
    env_free(e);
}

Test(jit_cache, a_tiny_cache_flushes_and_stays_correct)
{
    Env *e = env_new();
    JitState *j = jit_for(e, 64u << 10);
    uint32_t sum = write_snippets(e->mem.ram + CODE, 3000);
    for (int pass = 0; pass < 3; pass++) {
        flat32(&e->cpu);
        e->cpu.EAX = 0;
        e->cpu.EBX = CODE; /* each snippet adds 16 and jumps to the next */
        cr_assert_eq(jit_exec(j, 1000000), CPU_EXIT_HALT);
        cr_assert_eq(e->cpu.EAX, sum, "pass %d: eax %08x, want %08x", pass, e->cpu.EAX, sum);
        cr_assert_eq(e->cpu.icount, 3000u * 3 * (pass + 1) + (pass + 1));
    }
    cr_assert(j->stats.flushes >= 3, "only %llu flushes", (unsigned long long)j->stats.flushes);
    jit_destroy(j);
    env_free(e);
}

Test(jit_cache, code_rewritten_by_a_bulk_physical_write_is_retranslated)
{
    Env *e = env_new();
    JitState *j = jit_for(e, 1u << 20);
    static const uint8_t old_code[] = {0xB8, 1, 0, 0, 0, 0xF4};  /* mov eax, 1; hlt */
    static const uint8_t new_code[] = {0xB8, 2, 0, 0, 0, 0xF4};  /* mov eax, 2; hlt */
    memcpy(e->mem.ram + CODE, old_code, sizeof old_code);
    for (int round = 0; round < 2; round++) { /* translated, then found translated */
        flat32(&e->cpu);
        cr_assert_eq(jit_exec(j, 100), CPU_EXIT_HALT);
        cr_assert_eq(e->cpu.EAX, 1);
    }
    cr_assert(j->stats.blocks >= 1);
    physmem_write_buf(&e->mem, CODE, new_code, sizeof new_code); /* e.g. a disk DMA */
    cr_assert(j->stats.invalidations >= 1);
    flat32(&e->cpu);
    cr_assert_eq(jit_exec(j, 100), CPU_EXIT_HALT);
    cr_assert_eq(e->cpu.EAX, 2, "the old translation ran");
    jit_destroy(j);
    env_free(e);
}

Test(jit_cache, a_remapped_page_runs_its_new_contents)
{
    Env *e = env_new();
    JitState *j = jit_for(e, 1u << 20);
    static uint8_t rom_a[4096] __attribute__((aligned(4096)));
    static uint8_t ram_b[4096] __attribute__((aligned(4096)));
    /* (the first instruction after a TLB flush runs in the interpreter: the block that
     * matters starts at the second) */
    static const uint8_t code_a[] = {0x90, 0xB8, 0xAA, 0, 0, 0, 0xF4}; /* nop; mov eax, 0xAA; hlt */
    static const uint8_t code_b[] = {0x90, 0xB8, 0xBB, 0, 0, 0, 0xF4}; /* nop; mov eax, 0xBB; hlt */
    memcpy(rom_a, code_a, sizeof code_a);
    memcpy(ram_b, code_b, sizeof code_b);
    physmem_map_host(&e->mem, CODE, rom_a, 4096, false); /* like a ROM or a PAM window */
    for (int round = 0; round < 2; round++) {
        flat32(&e->cpu);
        cr_assert_eq(jit_exec(j, 100), CPU_EXIT_HALT);
        cr_assert_eq(e->cpu.EAX, 0xAA);
    }
    physmem_map_host(&e->mem, CODE, ram_b, 4096, true); /* the board switches the page */
    flat32(&e->cpu); /* (flushes the TLB, as the board's remap would have to) */
    cr_assert_eq(jit_exec(j, 100), CPU_EXIT_HALT);
    cr_assert_eq(e->cpu.EAX, 0xBB, "a translation of the old page ran");
    /* The new page is tracked for writes like any code page. */
    static const uint8_t code_c[] = {0x90, 0xB8, 0xCC};
    physmem_write_buf(&e->mem, CODE, code_c, sizeof code_c);
    flat32(&e->cpu);
    cr_assert_eq(jit_exec(j, 100), CPU_EXIT_HALT);
    cr_assert_eq(e->cpu.EAX, 0xCC);
    jit_destroy(j);
    env_free(e);
}

/* A loop with memory traffic, a call and flags that cross blocks. */
static const uint8_t loop_code[] = {
    0xB9, 0x00, 0x10, 0x00, 0x00,       /*  0: mov ecx, 0x1000 */
    0x31, 0xC0,                         /*  5: xor eax, eax */
    0x01, 0xC8,                         /*  7: L: add eax, ecx */
    0x89, 0x04, 0x8D, 0x00, 0x40, 0x00, 0x00, /*  9: mov [ecx*4 + 0x4000], eax */
    0xE8, 0x06, 0x00, 0x00, 0x00,       /* 16: call F (21 + 6) */
    0x49,                               /* 21: dec ecx */
    0x75, 0xEF,                         /* 22: jnz L (24 - 17) */
    0xF4,                               /* 24: hlt */
    0x90, 0x90,                         /* 25 */
    0xC1, 0xC0, 0x03,                   /* 27: F: rol eax, 3 */
    0x31, 0xD0,                         /*    xor eax, edx */
    0x42,                               /*    inc edx */
    0xC3,                               /*    ret */
};

static void compare(const CpuState *a, const CpuState *b, unsigned step)
{
    for (int r = 0; r < 8; r++)
        cr_assert_eq(a->gpr[r].d, b->gpr[r].d, "step %u: register %d", step, r);
    cr_assert_eq(a->eip, b->eip, "step %u: eip %08x vs %08x", step, a->eip, b->eip);
    cr_assert_eq(a->icount, b->icount, "step %u: icount", step);
    cr_assert_eq(cpu_get_eflags(a), cpu_get_eflags(b), "step %u: eflags", step);
}

Test(jit_cache, the_budget_is_exact_slice_by_slice)
{
    Env *a = env_new(), *b = env_new();
    JitState *j = jit_for(b, 1u << 20);
    memcpy(a->mem.ram + CODE, loop_code, sizeof loop_code);
    memcpy(b->mem.ram + CODE, loop_code, sizeof loop_code);
    flat32(&a->cpu);
    flat32(&b->cpu);
    uint64_t s = 12345;
    for (unsigned step = 0;; step++) {
        cr_assert(step < 200000, "the program did not halt");
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        uint64_t budget = 1 + s % 40;
        uint64_t before = b->cpu.icount;
        CpuExit ea = cpu_exec(&a->cpu, budget);
        CpuExit eb = jit_exec(j, budget);
        cr_assert_eq(ea, eb, "step %u", step);
        if (eb == CPU_EXIT_BUDGET)
            cr_assert_eq(b->cpu.icount - before, budget, "step %u: ran %llu of %llu", step,
                         (unsigned long long)(b->cpu.icount - before),
                         (unsigned long long)budget);
        compare(&a->cpu, &b->cpu, step);
        if (ea == CPU_EXIT_HALT)
            break;
    }
    cr_assert(!memcmp(a->mem.ram + 0x4000, b->mem.ram + 0x4000, 0x5000)); /* data and stack */
    cr_assert(j->stats.block_runs > 100, "the JIT hardly ran");
    jit_destroy(j);
    env_free(a);
    env_free(b);
}
