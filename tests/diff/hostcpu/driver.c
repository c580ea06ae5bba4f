/* hostcpu-diff — the host CPU against vmm86's interpreter, instruction form by form.
 *
 *   hostcpu-diff --oracle PATH [--count N] [--seed S] [--details N] [--only TEXT]
 *
 * For every form in forms.c it generates N cases (deterministic for a seed), runs them
 * natively through the 32-bit oracle program and through vmm86 (flat 32-bit protected
 * mode, CPL 3, the same instruction bytes at the same address, the same data window), and
 * compares the general registers, where execution went (next instruction or branch
 * target), the data window, and the flags the SDM defines: the
 * table's written flags minus its undefined ones (cpu/opcode_table.inc, read through the
 * decoder: one source of truth), with the count-dependent rules of shifts and rotates
 * applied here. Cases that must raise #DE are not run on the host (it would kill the
 * oracle); vmm86 must raise #DE for them with every register, flag and byte unchanged.
 * The last line is "N passed, M failed"; the exit status is 0 only when none failed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "cpu/interp.h"
#include "forms.h"
#include "softmmu/ioport.h"
#include "softmmu/mmu.h"
#include "softmmu/physmem.h"

#define RAM_SIZE (4u << 20)

typedef struct Options {
    const char *oracle;
    unsigned count;
    uint64_t seed;
    unsigned details;
    const char *only;
} Options;

typedef struct Vm {
    CpuState *cpu;
    PhysMem mem;
    IoPortSpace io;
    bool stray_write; /* a write outside the data window */
    uint32_t stray_addr;
} Vm;

/* ---- vmm86 side -------------------------------------------------------------------- */

static void on_write(void *opaque, uint32_t pa, unsigned len)
{
    Vm *vm = opaque;
    if (pa < HC_DATA_BASE || pa + len > HC_DATA_BASE + HC_DATA_SIZE) {
        vm->stray_write = true;
        vm->stray_addr = pa;
    }
}

static bool vm_init(Vm *vm)
{
    memset(vm, 0, sizeof *vm);
    vm->cpu = calloc(1, sizeof *vm->cpu);
    if (!vm->cpu || !physmem_init(&vm->mem, RAM_SIZE))
        return false;
    ioport_init(&vm->io);
    for (uint32_t pa = 0; pa < RAM_SIZE; pa += 4096)
        physmem_set_code(&vm->mem, pa, true);
    vm->mem.code_write = on_write;
    vm->mem.code_write_opaque = vm;
    cpu_init(vm->cpu, &vm->mem, &vm->io);
    /* Flat 32-bit protected mode at CPL 3, like the oracle's process (no paging). */
    CpuState *cpu = vm->cpu;
    cpu->cr0 |= CR0_PE;
    const uint16_t user = 3 << SA_DPL_SHIFT;
    for (int s = 0; s < SEG_COUNT; s++) {
        SegCache *sc = &cpu->seg[s];
        sc->base = 0;
        sc->limit = 0xFFFFFFFFu;
        sc->sel = s == SEG_CS ? 0x1B : 0x23;
        sc->attr = SA_P | SA_S | SA_RW | SA_ACCESSED | SA_DB | SA_G | user |
                   (s == SEG_CS ? SA_CODE : 0);
    }
    cpu->cpl = 3;
    mmu_flush_all(cpu);
    return true;
}

/* One instruction; returns the vector of the exception it raised, or -1. */
static int vm_step(CpuState *cpu)
{
    DecodedInsn insn;
    if (setjmp(cpu->exc_jmp))
        return cpu->exc_vector;
    cpu_fetch_decode(cpu, &insn);
    interp_execute(cpu, &insn);
    return -1;
}

/* Runs the case; a REP instruction that asks to be re-executed is stepped again. */
static int vm_run(Vm *vm, const HcCase *c)
{
    CpuState *cpu = vm->cpu;
    for (int r = 0; r < 8; r++)
        cpu->gpr[r].q = c->regs[r];
    cpu->eflags = c->eflags;
    cpu->cc_op = CC_OP_EFLAGS;
    memset(vm->mem.ram + HC_CODE_BASE, 0xCC, 4096);
    memcpy(vm->mem.ram + HC_INSN, c->bytes, c->len);
    memcpy(vm->mem.ram + HC_DATA_BASE, c->mem, HC_DATA_SIZE);
    cpu->eip = cpu->next_eip = HC_INSN;
    vm->stray_write = false;
    for (int i = 0; i < 1000; i++) {
        int v = vm_step(cpu);
        if (v >= 0 || cpu->eip != HC_INSN)
            return v;
    }
    return -2; /* never finished */
}

/* ---- the oracle ----------------------------------------------------------------------- */

/* Runs the oracle with `cases` (a file of HcCase records, rewound) as its input; returns
 * a rewound temporary file of its n results, or NULL (with a message) on any failure. */
static FILE *run_oracle(const char *oracle, FILE *cases, size_t n)
{
    FILE *results = tmpfile();
    if (!results) {
        perror("hostcpu-diff: tmpfile");
        return NULL;
    }
    fflush(cases);
    rewind(cases);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fileno(cases), 0);
        dup2(fileno(results), 1);
        execl(oracle, oracle, (char *)NULL);
        fprintf(stderr, "hostcpu-diff: cannot run %s: %s\n", oracle, strerror(errno));
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "hostcpu-diff: the oracle %s failed (status %#x)\n", oracle, status);
        fclose(results);
        return NULL;
    }
    rewind(results);
    fseek(results, 0, SEEK_END);
    long size = ftell(results);
    rewind(results);
    if (size != (long)(n * sizeof(HcResult))) {
        fprintf(stderr, "hostcpu-diff: the oracle wrote %ld bytes for %zu results\n", size, n);
        fclose(results);
        return NULL;
    }
    return results;
}

/* ---- comparison ---------------------------------------------------------------------- */

/* The flags the SDM defines for this case: written minus undefined per the opcode table,
 * with the count rules of shifts and rotates. */
static uint32_t defined_flags(const Form *f, const HcCase *c, const DecodedInsn *insn)
{
    const uint32_t all = FL_LIVE_MASK & ~FL_RF; /* IF, IOPL, AC, ID, NT too (POPF) */
    uint32_t m = all & ~insn->row->fl_undef;
    int count = form_count(f, c);
    unsigned w = 8 * f->size, n = (unsigned)count & 31;
    switch (insn->op) {
    case OP_ROL: case OP_ROR: case OP_RCL: case OP_RCR:
    case OP_SHL: case OP_SHR: case OP_SAR:
        if (n == 0)
            return all; /* a zero count changes no flag */
        if (n == 1)
            m |= FL_OF;
        if ((insn->op == OP_SHL || insn->op == OP_SHR) && n >= w)
            m &= ~FL_CF; /* "undefined for SHL and SHR where the count >= the size" */
        return m;
    case OP_SHLD: case OP_SHRD:
        if (n == 0)
            return all;
        if (n > w)
            return FL_DF; /* count > operand size: every arithmetic flag undefined */
        if (n == 1)
            m |= FL_OF;
        return m;
    default:
        return m;
    }
}

typedef struct Report {
    char text[4096];
    size_t len;
} Report;

static void say(Report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(Report *r, const char *fmt, ...)
{
    if (r->len + 16 >= sizeof r->text)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(r->text + r->len, sizeof r->text - r->len, fmt, ap);
    va_end(ap);
    if (k > 0)
        r->len += (size_t)k < sizeof r->text - r->len ? (size_t)k : sizeof r->text - r->len - 1;
}

static const char *const reg_names[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};

static void describe_case(Report *r, const HcCase *c)
{
    say(r, "    bytes:");
    for (unsigned i = 0; i < c->len; i++)
        say(r, " %02x", c->bytes[i]);
    say(r, "\n    in:");
    for (int i = 0; i < 8; i++)
        say(r, " %s=%08x", reg_names[i], c->regs[i]);
    say(r, " eflags=%08x", c->eflags);
    if (c->target)
        say(r, " target=%08x", c->target);
    say(r, "\n");
}

/* Compares expected (host result, or the unchanged inputs for #DE) with vmm86's state. */
static unsigned compare(Vm *vm, const HcResult *want, uint32_t flag_mask, Report *r)
{
    CpuState *cpu = vm->cpu;
    unsigned bad = 0;
    for (int i = 0; i < 8; i++)
        if (cpu->gpr[i].d != want->regs[i]) {
            say(r, "    %s: host %08x vmm86 %08x\n", reg_names[i], want->regs[i], cpu->gpr[i].d);
            bad++;
        }
    uint32_t f = cpu_get_eflags(cpu);
    if ((f ^ want->eflags) & flag_mask) {
        say(r, "    eflags: host %08x vmm86 %08x (compared %08x)\n", want->eflags, f, flag_mask);
        bad++;
    }
    const uint8_t *m = vm->mem.ram + HC_DATA_BASE;
    for (unsigned i = 0; i < HC_DATA_SIZE; i++)
        if (m[i] != want->mem[i]) {
            if (bad < 12)
                say(r, "    mem[%u]: host %02x vmm86 %02x\n", i, want->mem[i], m[i]);
            bad++;
        }
    if (vm->stray_write) {
        say(r, "    vmm86 wrote outside the data window at %#x\n", vm->stray_addr);
        bad++;
    }
    return bad;
}

static bool check_case(Vm *vm, const Form *f, const HcCase *c, bool de, const HcResult *host,
                       Report *r)
{
    DecodedInsn insn;
    if (decode(c->bytes, c->len, true, &insn) != DEC_OK || insn.len != c->len) {
        say(r, "    vmm86's decoder rejects the bytes or reads a different length\n");
        return false;
    }
    int v = vm_run(vm, c);
    if (de) {
        HcResult same;
        memset(&same, 0, sizeof same);
        memcpy(same.regs, c->regs, sizeof same.regs);
        same.eflags = c->eflags;
        memcpy(same.mem, c->mem, HC_DATA_SIZE);
        if (v != 0)
            say(r, "    expected #DE, vmm86 %s %d\n", v < 0 ? "raised none:" : "raised vector", v);
        unsigned bad = compare(vm, &same, 0xFFFFFFFFu, r);
        if (v != 0 || bad || vm->cpu->eip != HC_INSN) {
            say(r, "    (#DE must leave every register, flag and byte unchanged)\n");
            return false;
        }
        return true;
    }
    if (host->signal) {
        say(r, "    the host raised signal %d (the generator should avoid this)\n", host->signal);
        return false;
    }
    if (v != -1) {
        say(r, "    vmm86 raised vector %d; the host raised nothing\n", v);
        return false;
    }
    if (vm->cpu->eip != host->eip) {
        say(r, "    eip: host %08x vmm86 %08x\n", host->eip, vm->cpu->eip);
        return false;
    }
    return compare(vm, host, defined_flags(f, c, &insn), r) == 0;
}

/* ---- main ----------------------------------------------------------------------------- */

static bool parse_args(int argc, char **argv, Options *o)
{
    memset(o, 0, sizeof *o);
    o->count = 250;
    o->seed = 0x5EED1686;
    o->details = 3;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            return false;
        if (!strcmp(argv[i], "--oracle"))
            o->oracle = argv[++i];
        else if (!strcmp(argv[i], "--count"))
            o->count = (unsigned)strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--seed"))
            o->seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--details"))
            o->details = (unsigned)strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--only"))
            o->only = argv[++i];
        else
            return false;
    }
    return o->oracle && o->count > 0 && o->seed != 0;
}

typedef struct Totals {
    unsigned long passed, failed;
    unsigned forms_run, forms_failed;
    size_t nhost, nde;
} Totals;

/* Pass 1: generates every case and writes the ones the host may run (no #DE) to a file. */
static FILE *generate_host_cases(const Options *o, const Form *forms, unsigned nforms,
                                 Totals *t)
{
    FILE *out = tmpfile();
    if (!out) {
        perror("hostcpu-diff: tmpfile");
        return NULL;
    }
    Rng rng = {o->seed};
    static HcCase c;
    for (unsigned fi = 0; fi < nforms; fi++)
        for (unsigned k = 0; k < o->count; k++) {
            if (form_make_case(&forms[fi], &rng, &c)) {
                t->nde++;
                continue;
            }
            if (fwrite(&c, sizeof c, 1, out) != 1) {
                perror("hostcpu-diff: writing cases");
                fclose(out);
                return NULL;
            }
            t->nhost++;
        }
    return out;
}

/* Pass 2: regenerates the same cases from the same seed (nothing is kept in memory), runs
 * each in vmm86 and compares with the next host result. False on a broken result file. */
static bool compare_all(const Options *o, const Form *forms, unsigned nforms, Vm *vm,
                        FILE *results, Totals *t)
{
    Rng rng = {o->seed};
    static HcCase c;
    static HcResult host;
    for (unsigned fi = 0; fi < nforms; fi++) {
        bool selected = !o->only || strstr(forms[fi].name, o->only);
        t->forms_run += selected;
        unsigned bad = 0;
        for (unsigned k = 0; k < o->count; k++) {
            bool de = form_make_case(&forms[fi], &rng, &c);
            if (!de && (fread(&host, sizeof host, 1, results) != 1 || host.magic != HC_MAGIC_RESULT)) {
                fprintf(stderr, "hostcpu-diff: short or malformed result from the oracle\n");
                return false;
            }
            if (!selected)
                continue;
            Report r = {.len = 0};
            r.text[0] = 0;
            if (check_case(vm, &forms[fi], &c, de, &host, &r)) {
                t->passed++;
                continue;
            }
            t->failed++;
            if (bad++ < o->details) {
                if (bad == 1)
                    printf("%s: FAIL\n", forms[fi].name);
                Report head = {.len = 0};
                head.text[0] = 0;
                describe_case(&head, &c);
                fputs(head.text, stdout);
                fputs(r.text, stdout);
            }
        }
        if (bad) {
            t->forms_failed++;
            printf("%s: %u of %u failed\n", forms[fi].name, bad, o->count);
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    Options o;
    if (!parse_args(argc, argv, &o)) {
        fprintf(stderr, "usage: hostcpu-diff --oracle PATH [--count N] [--seed S] "
                        "[--details N] [--only TEXT]\n");
        return 2;
    }
    static Form forms[MAX_FORMS];
    unsigned nforms = forms_build(forms, MAX_FORMS);
    if (nforms >= MAX_FORMS) {
        fprintf(stderr, "hostcpu-diff: too many forms\n");
        return 1;
    }
    Vm vm;
    if (!vm_init(&vm)) {
        fprintf(stderr, "hostcpu-diff: out of memory\n");
        return 1;
    }
    Totals t;
    memset(&t, 0, sizeof t);
    FILE *host_cases = generate_host_cases(&o, forms, nforms, &t);
    FILE *results = host_cases ? run_oracle(o.oracle, host_cases, t.nhost) : NULL;
    if (host_cases)
        fclose(host_cases);
    bool ok = results && compare_all(&o, forms, nforms, &vm, results, &t);
    if (results)
        fclose(results);
    physmem_free(&vm.mem);
    free(vm.cpu);
    if (!ok)
        return 1;
    printf("%u forms, %u with failures; %zu cases ran on the host, %zu #DE cases checked in "
           "vmm86 only\n", t.forms_run, t.forms_failed, t.nhost, t.nde);
    printf("%lu passed, %lu failed\n", t.passed, t.failed);
    return t.failed == 0 && t.passed > 0 ? 0 : 1;
}
