/* singlestep — runs SingleStepTests' hardware-captured single-instruction tests (80286,
 * real mode) against vmm86 and compares registers, flags and RAM.
 *
 *   singlestep [--engine interp|jit|lockstep] [--only PREFIX]... [--details N] [--verbose]
 *              [--stats] DIR
 *
 * DIR holds the *.MOO.gz files, metadata.json (undefined-flag masks per opcode) and
 * revocation_list.txt (hashes of tests known to be bad: skipped and counted). Each test gets
 * a fresh CPU in real mode with the test's registers (segment base = selector * 16, limit
 * FFFF, A20 on) and 16 MiB of RAM holding only the test's bytes; it runs until the HLT the
 * test placed after the instruction (or at the exception handler). Every RAM page vmm86
 * wrote is compared byte for byte, so stray writes are caught too. The last line is
 * "N passed, M failed"; the exit status is 0 only when nothing failed.
 *
 * Engines: the CPU runs through engine_run(), so --engine jit translates each test's
 * instruction (and the HLT after it) into a block, and --engine lockstep also checks that
 * block against the interpreter (a difference ends the process with status 70 and the
 * lockstep report). One engine serves every test: between tests the same physical
 * addresses hold other instructions, so every byte the harness puts into or clears from
 * RAM goes through physmem_write/physmem_write_buf, which tell the JIT (through the
 * code-write callback it installs; the harness's own callback, which notes written pages,
 * forwards to it) to drop the blocks those bytes held. Each test starts from cpu_reset(),
 * which empties the TLB; the harness then fills the TLB for every page the test lists, as
 * a warm TLB would hold them, because the JIT translates only code whose fetch hits the
 * TLB (on a miss the interpreter runs the instruction), and so that loads take the
 * translated code's inline path. Stores take its slow path: every page is marked.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "cpu/engine.h"
#include "cpu/exception.h"
#include "cpu/flags.h"
#include "json.h"
#include "moo.h"
#include "softmmu/ioport.h"
#include "softmmu/mmu.h"
#include "softmmu/physmem.h"

#define RAM_SIZE (16u << 20)
#define MAX_INSNS 2000   /* a REP over 64 Ki elements re-executes 16 times; plenty */
#define MAX_PAGES 64     /* distinct pages one test may write */
#define MAX_ONLY 32
#define REACHABLE_PAGES 0x110u /* real mode with A20 on reaches up to 10FFEFh */

/* Flag bits we compare at all. Bits 12-15 (IOPL, NT, reserved) read as 0 on the 80286 in
 * real mode whatever is popped into them, while the i686 keeps IOPL and NT; the harness
 * loads them as 0 and never compares them (README: "286 versus i686"). */
#define FLAGS_COMPARED 0x0FFFu

typedef struct Options {
    const char *dir;
    CpuEngine engine;
    const char *only[MAX_ONLY];
    int nonly;
    unsigned details; /* failing tests described per file */
    bool verbose;
    bool stats; /* print the engine's counters at the end */
} Options;

/* The 80286-versus-i686 comparison rules (see Rules), counted when they decided a result. */
enum { RULE_SS_AS_GP, RULE_STRING_FAULT, RULE_HLT_AT_FFFF, RULE_COUNT };
static const char *const rule_text[RULE_COUNT] = {
    "tests ran with IVT[12] = IVT[13] (SS overrun: #SS on the i686, #GP on the 80286)",
    "SI/DI/CX values accepted one element behind the 80286's after a string fault",
    "final EIPs of 10000 accepted for IP 0000 after a HLT at offset FFFF",
};

typedef struct Harness {
    unsigned long rule_used[RULE_COUNT];
    CpuState *cpu;
    PhysMem mem;
    IoPortSpace io;
    uint32_t pages[MAX_PAGES]; /* page numbers written during the test, or to clear */
    unsigned npages;
    bool pages_overflow;
    bool recording;
    /* The code-write callback the engine installed (the JIT's), called after ours. */
    void (*next_write)(void *opaque, uint32_t pa, unsigned len);
    void *next_opaque;
    JsonNode *meta;
    char **revoked;
    size_t nrevoked;
} Harness;

/* Why a test shows 80286 behaviour that the i686 must not copy (README: "286 versus i686"). */
typedef enum NotApplicable {
    NA_NONE = 0,
    NA_LOCK,   /* LOCK on a form that cannot be locked: the 286 ignores it, the i686 #UD */
    NA_LENGTH, /* longer than 10 bytes: #GP on the 286, legal up to 15 bytes on the i686 */
    NA_FSGS,   /* MOV to/from segment register 4 or 5: #UD on the 286, FS/GS on the i686 */
    NA_COUNT
} NotApplicable;

static const char *const na_reason[NA_COUNT] = {
    [NA_LOCK] = "use LOCK with a form the i686 rejects (#UD) and the 80286 ignores",
    [NA_LENGTH] = "are longer than the 80286's 10-byte limit (legal on the i686)",
    [NA_FSGS] = "name segment register 4/5 (FS/GS on the i686, #UD on the 80286)",
};

typedef struct Totals {
    unsigned long passed, failed, revoked;
    unsigned long not_applicable[NA_COUNT];
} Totals;

/* ---- bookkeeping of the pages a test touches --------------------------------------- */

static void note_page(Harness *h, uint32_t page)
{
    for (unsigned i = 0; i < h->npages; i++)
        if (h->pages[i] == page)
            return;
    if (h->npages == MAX_PAGES) {
        h->pages_overflow = true;
        return;
    }
    h->pages[h->npages++] = page;
}

/* Every reachable RAM page is marked as "holds translated code", so every guest write
 * reaches here; the engine's own callback (the JIT invalidating blocks) runs after. */
static void on_write(void *opaque, uint32_t pa, unsigned len)
{
    Harness *h = opaque;
    if (h->recording) {
        note_page(h, pa >> 12);
        note_page(h, (pa + len - 1) >> 12);
    }
    if (h->next_write)
        h->next_write(h->next_opaque, pa, len);
}

/* The JIT clears the mark of a page whose blocks are all gone (invalidated or flushed);
 * marking a page again is always safe (the JIT ignores writes to pages without blocks).
 * Each test starts with an empty TLB (cpu_reset), so the marks take effect at once. */
static void mark_reachable_pages(Harness *h)
{
    for (uint32_t p = 0; p < REACHABLE_PAGES; p++)
        physmem_set_code(&h->mem, p << 12, true);
}

/* ---- metadata ------------------------------------------------------------------------ */

static char *read_text(const char *path, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max, f) : 0;
    bool too_big = buf && n == max && fgetc(f) != EOF;
    fclose(f);
    if (!buf || too_big) {
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    return buf;
}

static bool load_metadata(Harness *h, const char *dir)
{
    char path[4096], err[256];
    snprintf(path, sizeof path, "%s/metadata.json", dir);
    char *text = read_text(path, 8u << 20);
    if (!text) {
        fprintf(stderr, "singlestep: cannot read %s\n", path);
        return false;
    }
    h->meta = json_parse(text, err, sizeof err);
    free(text);
    if (!h->meta || !json_get(h->meta, "opcodes")) {
        fprintf(stderr, "singlestep: %s: %s\n", path, h->meta ? "no \"opcodes\"" : err);
        return false;
    }
    snprintf(path, sizeof path, "%s/revocation_list.txt", dir);
    text = read_text(path, 8u << 20);
    if (!text) {
        fprintf(stderr, "singlestep: cannot read %s\n", path);
        return false;
    }
    for (char *line = strtok(text, "\r\n"); line; line = strtok(NULL, "\r\n")) {
        while (*line == ' ' || *line == '\t')
            line++;
        if (*line == 0 || *line == '#')
            continue;
        char **nr = realloc(h->revoked, (h->nrevoked + 1) * sizeof *nr);
        if (!nr)
            break;
        h->revoked = nr;
        h->revoked[h->nrevoked++] = strdup(line);
    }
    free(text);
    return true;
}

static bool is_revoked(const Harness *h, const char *hash)
{
    for (size_t i = 0; i < h->nrevoked; i++)
        if (h->revoked[i] && !strcasecmp(h->revoked[i], hash))
            return true;
    return false;
}

/* The undefined-flag mask of a file "XX.MOO.gz" or "XX.R.MOO.gz": opcodes.XX["flags-mask"]
 * or opcodes.XX.reg.R["flags-mask"]; 0xFFFF when none is given. False on bad metadata. */
static bool flags_mask_for(const Harness *h, const char *file, uint16_t *mask)
{
    char key[16], *reg;
    size_t len = strlen(file);
    if (len < 8 || len - 7 >= sizeof key)
        return false;
    memcpy(key, file, len - 7); /* strip ".MOO.gz" */
    key[len - 7] = 0;
    reg = strchr(key, '.');
    if (reg)
        *reg++ = 0;
    const JsonNode *op = json_get(json_get(h->meta, "opcodes"), key);
    if (!op)
        return false;
    if (reg)
        op = json_get(json_get(op, "reg"), reg);
    if (!op)
        return false;
    const JsonNode *m = json_get(op, "flags-mask");
    *mask = 0xFFFF;
    if (m) {
        if (m->type != JSON_NUMBER || m->number < 0 || m->number > 0xFFFF)
            return false;
        *mask = (uint16_t)m->number;
    }
    return true;
}

/* ---- one test ------------------------------------------------------------------------- */

static const int gpr_of[MOO_NREGS] = {
    [MOO_AX] = R_EAX, [MOO_BX] = R_EBX, [MOO_CX] = R_ECX, [MOO_DX] = R_EDX,
    [MOO_SP] = R_ESP, [MOO_BP] = R_EBP, [MOO_SI] = R_ESI, [MOO_DI] = R_EDI,
    [MOO_CS] = -1, [MOO_SS] = -1, [MOO_DS] = -1, [MOO_ES] = -1, [MOO_IP] = -1, [MOO_FLAGS] = -1,
};
static const int seg_of[MOO_NREGS] = {
    [MOO_CS] = SEG_CS, [MOO_SS] = SEG_SS, [MOO_DS] = SEG_DS, [MOO_ES] = SEG_ES,
    [MOO_AX] = -1, [MOO_BX] = -1, [MOO_CX] = -1, [MOO_DX] = -1, [MOO_SP] = -1, [MOO_BP] = -1,
    [MOO_SI] = -1, [MOO_DI] = -1, [MOO_IP] = -1, [MOO_FLAGS] = -1,
};

/* A text log of what differed. */
typedef struct Diff {
    char text[2048];
    size_t len;
    unsigned count;
} Diff;

static void diff_add(Diff *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void diff_add(Diff *d, const char *fmt, ...)
{
    d->count++;
    if (d->len + 8 >= sizeof d->text)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(d->text + d->len, sizeof d->text - d->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        d->len += (size_t)n < sizeof d->text - d->len ? (size_t)n : sizeof d->text - d->len - 1;
}

static bool setup(Harness *h, const MooTest *t, Diff *d)
{
    CpuState *cpu = h->cpu;
    if ((t->init.mask & 0x3FFF) != 0x3FFF) {
        diff_add(d, "  malformed test: initial state lacks registers (mask %04x)\n", t->init.mask);
        return false;
    }
    cpu_reset(cpu);
    mark_reachable_pages(h);
    for (int i = 0; i < MOO_NREGS; i++) {
        uint16_t v = t->init.regs[i];
        if (gpr_of[i] >= 0) {
            cpu->gpr[gpr_of[i]].q = v;
        } else if (seg_of[i] >= 0) {
            SegCache *s = &cpu->seg[seg_of[i]];
            s->sel = v;
            s->base = (uint32_t)v << 4;
            s->limit = 0xFFFF;
        }
    }
    cpu->eip = cpu->next_eip = t->init.regs[MOO_IP];
    cpu->eflags = (t->init.regs[MOO_FLAGS] & FLAGS_COMPARED & FL_LIVE_MASK) | FL_RSVD1;
    cpu->cc_op = CC_OP_EFLAGS;
    for (size_t i = 0; i < t->init.nram; i++) {
        uint32_t a = t->init.ram[i].addr;
        if (a >= RAM_SIZE) {
            diff_add(d, "  malformed test: RAM address %#x beyond 16 MiB\n", a);
            return false;
        }
        physmem_write(&h->mem, a, 1, t->init.ram[i].value); /* the JIT drops stale blocks */
        note_page(h, a >> 12);
    }
    for (size_t i = 0; i < t->final.nram; i++) {
        if (t->final.ram[i].addr >= RAM_SIZE) {
            diff_add(d, "  malformed test: RAM address %#x beyond 16 MiB\n", t->final.ram[i].addr);
            return false;
        }
        note_page(h, t->final.ram[i].addr >> 12);
    }
    return true;
}

static uint16_t expected_reg(const MooTest *t, int i)
{
    return (t->final.mask & (1u << i)) ? t->final.regs[i] : t->init.regs[i];
}

/* How one test is compared, after the 80286-versus-i686 rules. */
typedef struct Rules {
    /* The 286 reports a real-mode access that overruns SS's limit as #GP (13); the i686 as
     * #SS (12) (SDM Vol. 3, "Real-Address Mode Exceptions"). For such a test the run points
     * IVT[12] at IVT[13]'s handler, so both land where the data expects. */
    bool ss_as_gp;
    /* A string instruction that overruns a segment limit: the 286 has already advanced
     * SI/DI (and CX) for the faulting iteration; the i686 faults precisely, leaving them at
     * the faulting element. They may differ by one element (and CX by one). */
    bool string_fault;
    unsigned elem;
    /* The FLAGS image an exception pushed: SS:SP+4 of the final state. (The EXCP record's
     * address is rounded down to even when SP was odd, so we derive it ourselves.) */
    bool has_frame;
    uint32_t frame_flags;
} Rules;

static bool uses_ss(const DecodedInsn *insn)
{
    if (insn->row->attr & A_STACK)
        return true;
    for (int i = 0; i < insn->nopnd; i++)
        if ((insn->opnd[i].type == OPT_MEM || insn->opnd[i].type == OPT_STRSRC) &&
            insn->seg == SEG_SS)
            return true;
    return false;
}

static bool listed(const MooState *st, uint32_t lo, uint32_t hi)
{
    for (size_t i = 0; i < st->nram; i++)
        if (st->ram[i].addr >= lo && st->ram[i].addr <= hi)
            return true;
    return false;
}

static Rules make_rules(const MooTest *t, const DecodedInsn *insn)
{
    Rules r;
    memset(&r, 0, sizeof r);
    bool gp = t->has_exception && t->exc_vector == EXC_GP;
    if (gp && insn && uses_ss(insn) && !listed(&t->init, 0x30, 0x33) &&
        !listed(&t->final, 0x30, 0x33))
        r.ss_as_gp = true;
    if (gp && insn && (insn->row->attr & A_STRING)) {
        r.string_fault = true;
        r.elem = (insn->row->attr & A_BYTE) ? 1 : 2;
    }
    if (t->has_exception) {
        r.has_frame = true;
        r.frame_flags = ((uint32_t)expected_reg(t, MOO_SS) << 4) +
                        ((expected_reg(t, MOO_SP) + 4u) & 0xFFFF);
    }
    return r;
}

static bool string_reg_close(Harness *h, const Rules *r, int i, uint32_t got, uint32_t want)
{
    if (!r->string_fault || got > 0xFFFF)
        return false;
    uint16_t diff = (uint16_t)(got - want);
    bool close = (i == MOO_SI || i == MOO_DI) ? (diff == r->elem || diff == (uint16_t)-r->elem)
                                              : (i == MOO_CX && diff == 1);
    if (close)
        h->rule_used[RULE_STRING_FAULT]++;
    return close;
}

static void compare_regs(Harness *h, const MooTest *t, const Rules *r, uint16_t fmask, Diff *d)
{
    CpuState *cpu = h->cpu;
    for (int i = 0; i < MOO_NREGS; i++) {
        uint32_t want = expected_reg(t, i);
        if (gpr_of[i] >= 0) {
            uint32_t got = cpu->gpr[gpr_of[i]].d;
            if (got != want && !string_reg_close(h, r, i, got, want))
                diff_add(d, "  %s: got %08x want %04x\n", moo_reg_names[i], got, want);
        }
        if (seg_of[i] >= 0) {
            const SegCache *s = &cpu->seg[seg_of[i]];
            if (s->sel != want || s->base != want << 4)
                diff_add(d, "  %s: got %04x (base %08x) want %04x\n", moo_reg_names[i], s->sel,
                         s->base, want);
        }
    }
    /* A HLT at offset FFFF leaves EIP = 10000 on the i686 (IP does not wrap; the next fetch
     * would fault), IP = 0000 on the 286. */
    uint32_t want_ip = expected_reg(t, MOO_IP);
    if (cpu->eip == 0x10000 && want_ip == 0)
        h->rule_used[RULE_HLT_AT_FFFF]++;
    else if (cpu->eip != want_ip)
        diff_add(d, "  ip: got %08x want %04x\n", cpu->eip, want_ip);
    uint32_t f = cpu_get_eflags(cpu), want = expected_reg(t, MOO_FLAGS);
    uint32_t m = fmask & FLAGS_COMPARED;
    if ((f & m) != (want & m) || (f & 0xFFFF0000u))
        diff_add(d, "  flags: got %08x want %04x (compared bits %03x)\n", f, want, m);
}

/* Compares every byte of every page the test listed or vmm86 wrote, then clears them
 * (through physmem_write_buf: blocks translated from them are dropped). */
static void compare_ram(Harness *h, const MooTest *t, const Rules *r, uint16_t fmask, Diff *d)
{
    static uint8_t want[4096];
    static const uint8_t zero[4096];
    if (h->pages_overflow)
        diff_add(d, "  vmm86 wrote more than %d distinct pages\n", MAX_PAGES);
    for (unsigned p = 0; p < h->npages; p++) {
        uint32_t base = h->pages[p] << 12;
        if (base >= RAM_SIZE)
            continue;
        memset(want, 0, sizeof want);
        for (size_t i = 0; i < t->init.nram; i++)
            if ((t->init.ram[i].addr >> 12) == h->pages[p])
                want[t->init.ram[i].addr & 0xFFF] = t->init.ram[i].value;
        for (size_t i = 0; i < t->final.nram; i++)
            if ((t->final.ram[i].addr >> 12) == h->pages[p])
                want[t->final.ram[i].addr & 0xFFF] = t->final.ram[i].value;
        const uint8_t *got = h->mem.ram + base;
        for (uint32_t i = 0; i < 4096; i++) {
            uint8_t m = 0xFF;
            /* The FLAGS image an exception pushed: undefined flags and bits 12-15 masked. */
            if (r && r->has_frame && base + i == r->frame_flags)
                m = (uint8_t)(fmask & FLAGS_COMPARED);
            if (r && r->has_frame && base + i == r->frame_flags + 1)
                m = (uint8_t)((fmask & FLAGS_COMPARED) >> 8);
            if ((got[i] & m) != (want[i] & m))
                diff_add(d, "  ram[%06x]: got %02x want %02x\n", base + i, got[i], want[i]);
        }
        physmem_write_buf(&h->mem, base, zero, sizeof zero);
        physmem_set_code(&h->mem, base, true);
    }
    h->npages = 0;
    h->pages_overflow = false;
}

/* Fills the TLB for the pages the test lists (real mode: linear = physical). */
static void prime_tlb(Harness *h)
{
    for (unsigned i = 0; i < h->npages; i++)
        if (h->pages[i] < REACHABLE_PAGES)
            mmu_translate(h->cpu, h->pages[i] << 12, MMU_READ, false);
}

static bool run_test(Harness *h, const MooTest *t, const DecodedInsn *insn, uint16_t fmask,
                     Diff *d)
{
    CpuState *cpu = h->cpu;
    if (!setup(h, t, d)) {
        compare_ram(h, t, NULL, fmask, d); /* clears what was written */
        return false;
    }
    prime_tlb(h);
    Rules r = make_rules(t, insn);
    if (r.ss_as_gp) {
        physmem_write_buf(&h->mem, 0x30, h->mem.ram + 0x34, 4);
        note_page(h, 0);
        h->rule_used[RULE_SS_AS_GP]++;
    }
    uint64_t exc_before = cpu->stats.exceptions;
    h->recording = true;
    uint64_t start = cpu->icount;
    CpuExit e = CPU_EXIT_BUDGET;
    while (cpu->icount - start < MAX_INSNS) {
        e = engine_run(cpu, MAX_INSNS - (cpu->icount - start));
        if (e != CPU_EXIT_BUDGET)
            break;
    }
    h->recording = false;
    if (r.ss_as_gp) {
        static const uint8_t zero[4];
        physmem_write_buf(&h->mem, 0x30, zero, 4); /* not listed by the test: expected 0 */
    }
    if (e == CPU_EXIT_SHUTDOWN)
        diff_add(d, "  the CPU shut down (triple fault)\n");
    else if (e != CPU_EXIT_HALT)
        diff_add(d, "  no HLT within %d instructions\n", MAX_INSNS);
    compare_regs(h, t, &r, fmask, d);
    compare_ram(h, t, &r, fmask, d);
    if (d->count && cpu->stats.exceptions != exc_before)
        diff_add(d, "  (vmm86 raised %llu exception(s), last vector %d; the test expects %s%d)\n",
                 (unsigned long long)(cpu->stats.exceptions - exc_before), cpu->exc_vector,
                 t->has_exception ? "" : "none, ", t->has_exception ? t->exc_vector : -1);
    return d->count == 0;
}

/* Prefix bytes the 80286 knows (the tests contain no others). */
static bool is_prefix(uint8_t b)
{
    return b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0xF0 || b == 0xF2 || b == 0xF3;
}

/* Whether the i686 accepts LOCK on this one-byte-map instruction, from the SDM's list
 * (Vol. 2, LOCK): ADD ADC AND BTC BTR BTS CMPXCHG CMPXCHG8B DEC INC NEG NOT OR SBB SUB XOR
 * XADD XCHG, and only with a memory destination. Decided here, not by vmm86's decoder. */
static bool i686_lockable(uint8_t op, uint8_t modrm)
{
    unsigned reg = (modrm >> 3) & 7;
    if ((modrm >> 6) == 3)
        return false;
    if (op < 0x40 && (op & 7) <= 1 && (op & 0x38) != 0x38)
        return true; /* ADD OR ADC SBB AND SUB XOR r/m, reg (not CMP) */
    if (op >= 0x80 && op <= 0x83)
        return reg != 7; /* group 1 except CMP */
    if (op == 0x86 || op == 0x87)
        return true; /* XCHG */
    if (op == 0xF6 || op == 0xF7)
        return reg == 2 || reg == 3; /* NOT NEG */
    if (op == 0xFE || op == 0xFF)
        return reg <= 1; /* INC DEC */
    return false;
}

typedef enum Verdict { RUN, SKIP, DECODER_ACCEPTS_LOCK } Verdict;

/* Classifies a test by what the i686 does differently from the 80286, from the test's own
 * bytes. Fills *insn when vmm86 decodes the instruction (the run's #SS/#GP and string-fault
 * rules use it). */
static Verdict classify(const MooTest *t, DecodedInsn *insn, bool *decoded, NotApplicable *na)
{
    size_t p = 0;
    bool lock = false;
    while (p < t->nbytes && is_prefix(t->bytes[p]))
        lock |= t->bytes[p++] == 0xF0;
    uint8_t op = p < t->nbytes ? t->bytes[p] : 0;
    uint8_t modrm = p + 1 < t->nbytes ? t->bytes[p + 1] : 0;
    *decoded = decode(t->bytes, t->nbytes, false, insn) == DEC_OK;
    *na = NA_NONE;
    /* (When the 80286 raised #UD anyway, both agree: the test runs.) */
    bool ud_anyway = t->has_exception && t->exc_vector == EXC_UD;
    if (lock && !i686_lockable(op, modrm) && !ud_anyway) {
        *na = NA_LOCK;
        return *decoded ? DECODER_ACCEPTS_LOCK : SKIP;
    }
    /* BYTS holds the instruction and the HLT after it. */
    if (t->nbytes - 1 > 10 && t->has_exception && t->exc_vector == EXC_GP)
        *na = NA_LENGTH;
    else if ((op == 0x8C || op == 0x8E) && (((modrm >> 3) & 7) == 4 || ((modrm >> 3) & 7) == 5))
        *na = NA_FSGS;
    return *na == NA_NONE ? RUN : SKIP;
}

/* ---- files ------------------------------------------------------------------------------ */

static void print_test_header(const MooTest *t)
{
    printf("  test %u: %s  [", t->index, t->name);
    for (size_t i = 0; i < t->nbytes; i++)
        printf("%s%02x", i ? " " : "", t->bytes[i]);
    printf("]\n");
}

static bool run_file(Harness *h, const Options *o, const char *file, Totals *tot)
{
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/%s", o->dir, file);
    uint16_t fmask;
    if (!flags_mask_for(h, file, &fmask)) {
        printf("%s: no usable entry in metadata.json\n", file);
        tot->failed++;
        return false;
    }
    MooFile mf;
    if (!moo_load(path, &mf, err, sizeof err)) {
        printf("%s\n", err);
        tot->failed++;
        return false;
    }
    unsigned failed = 0, shown = 0;
    for (size_t i = 0; i < mf.ntests; i++) {
        const MooTest *t = &mf.tests[i];
        if (t->hash[0] && is_revoked(h, t->hash)) {
            tot->revoked++;
            continue;
        }
        DecodedInsn insn;
        bool decoded;
        NotApplicable na;
        Verdict v = classify(t, &insn, &decoded, &na);
        if (v == SKIP) {
            tot->not_applicable[na]++;
            continue;
        }
        Diff d = {.len = 0, .count = 0};
        d.text[0] = 0;
        if (v == DECODER_ACCEPTS_LOCK)
            diff_add(&d, "  vmm86's decoder accepts LOCK on a form the SDM rejects (#UD)\n");
        else if (run_test(h, t, decoded ? &insn : NULL, fmask, &d)) {
            tot->passed++;
            continue;
        }
        tot->failed++;
        if (failed++ == 0)
            printf("%s: FAIL\n", file);
        if (o->verbose || shown < o->details) {
            shown++;
            print_test_header(t);
            fputs(d.text, stdout);
        }
    }
    if (failed)
        printf("%s: %u of %zu failed\n", file, failed, mf.ntests);
    moo_free(&mf);
    return failed == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool selected(const Options *o, const char *name)
{
    if (o->nonly == 0)
        return true;
    for (int i = 0; i < o->nonly; i++)
        if (!strncasecmp(name, o->only[i], strlen(o->only[i])))
            return true;
    return false;
}

static int usage(void)
{
    fprintf(stderr, "usage: singlestep [--engine interp|jit|lockstep] [--only PREFIX]... "
                    "[--details N] [--verbose] [--stats] DIR\n");
    return 2;
}

static bool parse_args(int argc, char **argv, Options *o)
{
    memset(o, 0, sizeof *o);
    o->details = 3;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--engine") && i + 1 < argc) {
            static const CpuEngine kinds[] = {CPU_ENGINE_INTERP, CPU_ENGINE_JIT,
                                              CPU_ENGINE_LOCKSTEP};
            const char *name = argv[++i];
            unsigned k = 0;
            while (k < 3 && strcmp(name, engine_name(kinds[k])))
                k++;
            if (k == 3) {
                fprintf(stderr, "singlestep: unknown engine '%s' (interp, jit, lockstep)\n", name);
                return false;
            }
            o->engine = kinds[k];
        } else if (!strcmp(a, "--only") && i + 1 < argc && o->nonly < MAX_ONLY) {
            o->only[o->nonly++] = argv[++i];
        } else if (!strcmp(a, "--details") && i + 1 < argc) {
            o->details = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (!strcmp(a, "--stats")) {
            o->stats = true;
        } else if (!strcmp(a, "--verbose")) {
            o->verbose = true;
        } else if (a[0] != '-' && !o->dir) {
            o->dir = a;
        } else {
            return false;
        }
    }
    return o->dir != NULL;
}

static bool harness_init(Harness *h, CpuEngine engine)
{
    memset(h, 0, sizeof *h);
    h->cpu = calloc(1, sizeof *h->cpu);
    if (!h->cpu || !physmem_init(&h->mem, RAM_SIZE))
        return false;
    ioport_init(&h->io); /* no devices: every port reads as all ones */
    for (uint32_t pa = 0; pa < RAM_SIZE; pa += 4096)
        physmem_set_code(&h->mem, pa, true);
    cpu_init(h->cpu, &h->mem, &h->io);
    EngineConfig cfg = {engine, 0};
    char err[256];
    if (!engine_init(h->cpu, &cfg, err, sizeof err)) {
        fprintf(stderr, "singlestep: engine %s: %s\n", engine_name(engine), err);
        return false;
    }
    /* The JIT installed its code-write callback; ours goes in front of it. */
    h->next_write = h->mem.code_write;
    h->next_opaque = h->mem.code_write_opaque;
    h->mem.code_write = on_write;
    h->mem.code_write_opaque = h;
    return true;
}

static void harness_free(Harness *h)
{
    json_free(h->meta);
    for (size_t i = 0; i < h->nrevoked; i++)
        free(h->revoked[i]);
    free(h->revoked);
    if (h->cpu)
        engine_destroy(h->cpu);
    physmem_free(&h->mem);
    free(h->cpu);
}

int main(int argc, char **argv)
{
    Options o;
    if (!parse_args(argc, argv, &o))
        return usage();
    DIR *dir = opendir(o.dir);
    if (!dir) {
        fprintf(stderr, "singlestep: FAIL: test data folder %s: %s\n", o.dir, strerror(errno));
        return 1;
    }
    Harness h;
    if (!harness_init(&h, o.engine) || !load_metadata(&h, o.dir)) {
        fprintf(stderr, "singlestep: FAIL: cannot set up the harness\n");
        closedir(dir);
        harness_free(&h);
        return 1;
    }
    char **files = NULL;
    size_t nfiles = 0;
    for (struct dirent *de; (de = readdir(dir));) {
        size_t len = strlen(de->d_name);
        if (len > 7 && !strcmp(de->d_name + len - 7, ".MOO.gz") && selected(&o, de->d_name)) {
            char **nf = realloc(files, (nfiles + 1) * sizeof *nf);
            if (!nf)
                break;
            files = nf;
            files[nfiles++] = strdup(de->d_name);
        }
    }
    closedir(dir);
    if (nfiles == 0) {
        fprintf(stderr, "singlestep: FAIL: no .MOO.gz files in %s\n", o.dir);
        harness_free(&h);
        return 1;
    }
    qsort(files, nfiles, sizeof *files, cmp_str);
    Totals tot;
    memset(&tot, 0, sizeof tot);
    unsigned bad_files = 0;
    for (size_t i = 0; i < nfiles; i++) {
        if (!run_file(&h, &o, files[i], &tot))
            bad_files++;
        free(files[i]);
    }
    free(files);
    printf("%zu files, %u with failures; %lu revoked tests skipped\n", nfiles, bad_files,
           tot.revoked);
    for (int r = 1; r < NA_COUNT; r++)
        printf("%lu tests not applicable to the i686: they %s\n", tot.not_applicable[r],
               na_reason[r]);
    for (int r = 0; r < RULE_COUNT; r++)
        printf("%lu %s\n", h.rule_used[r], rule_text[r]);
    if (o.stats)
        engine_print_stats(h.cpu, stdout);
    printf("%lu passed, %lu failed\n", tot.passed, tot.failed);
    harness_free(&h);
    return tot.failed == 0 && tot.passed > 0 ? 0 : 1;
}
