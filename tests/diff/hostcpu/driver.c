/* hostcpu-diff — the host CPU and vmm86's execution engines on ring-3 integer
 * instructions.
 *
 *   hostcpu-diff --oracle PATH [--engine interp|jit|lockstep] [--count N] [--seed S]
 *                [--details N] [--only TEXT] [--stats on]
 *   hostcpu-diff --oracle PATH [--engine E] --sequences N [--seq-len L] [--show N] ...
 *   hostcpu-diff [--engine E] --replay FILE
 *
 * Forms (the default): for every form in forms.c it generates N cases (deterministic for a
 * seed), runs them natively through the 32-bit oracle program and in vmm86 (flat 32-bit
 * protected mode, CPL 3, the same instruction bytes at the same address, the same data
 * window; vm.h), and compares the general registers, where execution went (next
 * instruction or branch target), the data window, and the flags the SDM defines: the
 * table's written flags minus its undefined ones (cpu/opcode_table.inc, read through the
 * decoder: one source of truth), with the count-dependent rules of shifts and rotates
 * (seq.h: flags_defined). Cases that must raise #DE are not run on the host (it would
 * kill the oracle); vmm86 must raise #DE for them with every register, flag and byte
 * unchanged. Under --engine jit or lockstep each case also runs in the interpreter, and
 * the engine must match it exactly (every flag, undefined ones included, and the number of
 * instructions retired); a translated block then holds the instruction and the HLT that
 * ends the run (vm.h). The engine's counters must show that the cases ran as translated
 * blocks.
 * Sequences (--sequences) and replay (--replay): see modes.h and seqmode.c.
 * The summary line is "N passed, M failed"; the exit status is 0 only when none failed.
 * (Lockstep stops the process with status 70 at its first difference.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cpu/decode.h"
#include "modes.h"
#include "seq.h"

/* ---- engines ------------------------------------------------------------------------------ */

const VmResult *run_both(Engines *e, const HcCase *c, const VmSegs *segs, Report *r,
                         unsigned *bad)
{
    static VmResult ref, got;
    vm_run(&e->ref, c, segs, &ref);
    if (!e->two)
        return &ref;
    vm_run(&e->test, c, segs, &got);
    e->retired += got.retired;
    *bad += check_exact(&got, &ref, engine_name(e->test.engine), r);
    return &got;
}

/* ---- the oracle ----------------------------------------------------------------------- */

FILE *run_oracle(const char *oracle, FILE *cases, size_t n)
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


/* ---- forms ---------------------------------------------------------------------------------- */

typedef struct Totals {
    unsigned long passed, failed;
    unsigned forms_run, forms_failed;
    size_t nhost, nde;
} Totals;

/* #DE: vector 0 at the instruction, every register, flag and byte unchanged. */
static unsigned check_de(const VmResult *got, const HcCase *c, Report *r)
{
    VmResult same = *got;
    same.vector = 0;
    same.error = -1;
    same.retired = 0;
    same.eip = HC_INSN;
    memcpy(same.regs, c->regs, sizeof same.regs);
    same.eflags = c->eflags;
    memcpy(same.mem, c->mem, HC_DATA_SIZE);
    unsigned bad = check_exact(got, &same, "vmm86", r);
    if (bad)
        say(r, "    (expected #DE with every register, flag and byte unchanged; \"interp\" "
               "above means that expectation)\n");
    return bad;
}

static bool check_case(Engines *e, const Form *f, const HcCase *c, bool de,
                       const HcResult *host, Report *r)
{
    DecodedInsn insn;
    if (decode(c->bytes, c->len, true, &insn) != DEC_OK || insn.len != c->len) {
        say(r, "    vmm86's decoder rejects the bytes or reads a different length\n");
        return false;
    }
    unsigned bad = 0;
    const VmResult *got = run_both(e, c, NULL, r, &bad);
    if (de)
        return check_de(got, c, r) + bad == 0;
    if (host->signal) {
        say(r, "    the host raised signal %d (the generator should avoid this)\n", host->signal);
        return false;
    }
    return check_host(got, host, flags_defined(&insn, form_count(f, c)), r) + bad == 0;
}

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

static void report_failure(const Form *f, unsigned bad, const HcCase *c, const Report *r)
{
    if (bad == 1)
        printf("%s: FAIL\n", f->name);
    Report head = {.len = 0};
    head.text[0] = 0;
    describe_inputs(&head, c);
    fputs(head.text, stdout);
    fputs(r->text, stdout);
}

/* Pass 2: regenerates the same cases from the same seed (nothing is kept in memory), runs
 * each in vmm86 and compares with the next host result. False on a broken result file. */
static bool compare_all(const Options *o, const Form *forms, unsigned nforms, Engines *e,
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
            if (check_case(e, &forms[fi], &c, de, &host, &r)) {
                t->passed++;
                continue;
            }
            t->failed++;
            if (bad++ < o->details)
                report_failure(&forms[fi], bad, &c, &r);
        }
        if (bad) {
            t->forms_failed++;
            printf("%s: %u of %u failed\n", forms[fi].name, bad, o->count);
        }
    }
    return true;
}

bool mode_forms(const Options *o, Engines *e)
{
    static Form forms[MAX_FORMS];
    unsigned nforms = forms_build(forms, MAX_FORMS);
    if (nforms >= MAX_FORMS) {
        fprintf(stderr, "hostcpu-diff: too many forms\n");
        return false;
    }
    Totals t;
    memset(&t, 0, sizeof t);
    FILE *host_cases = generate_host_cases(o, forms, nforms, &t);
    FILE *results = host_cases ? run_oracle(o->oracle, host_cases, t.nhost) : NULL;
    if (host_cases)
        fclose(host_cases);
    bool ok = results && compare_all(o, forms, nforms, e, results, &t);
    if (results)
        fclose(results);
    if (!ok)
        return false;
    printf("%u forms, %u with failures; %zu cases ran on the host, %zu #DE cases checked in "
           "vmm86 only; engine %s%s\n", t.forms_run, t.forms_failed, t.nhost, t.nde,
           engine_name(o->engine), e->two ? " (each case also in the interpreter)" : "");
    printf("%lu passed, %lu failed\n", t.passed, t.failed);
    return t.failed == 0 && t.passed > 0;
}

/* ---- main ----------------------------------------------------------------------------------- */

/* A harness that quietly left the cases to the interpreter could not fail: the engine's
 * counters must show that the cases ran as translated blocks. They are read from the
 * engine's --stats text; "interp fallbacks" are instructions the dispatcher ran in the
 * interpreter, which the JIT does by design now and then (the last instructions before a
 * budget ends, an instruction a block bails out on): at most a tenth of them may. */
static bool check_coverage(const Engines *e, bool print)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return false;
    engine_print_stats(e->test.cpu, f);
    fclose(f);
    if (print)
        fputs(text, stdout);
    const char *b = strstr(text, "block entries"), *i = strstr(text, "interp fallbacks");
    unsigned long long blocks = 0, interp = 0;
    bool ok = b && i && sscanf(b, "block entries %llu", &blocks) == 1 &&
              sscanf(i, "interp fallbacks %llu", &interp) == 1;
    free(text);
    if (!ok) {
        printf("FAIL: cannot read the engine's block and fallback counters\n");
        return false;
    }
    if (blocks == 0 || interp > 16 + e->retired / 10) {
        printf("FAIL: the engine ran %llu blocks, and %llu of the %llu instructions in the "
               "interpreter: the cases did not run as translated code\n", blocks, interp,
               e->retired);
        return false;
    }
    return true;
}

static bool parse_engine(const char *name, CpuEngine *e)
{
    static const CpuEngine kinds[] = {CPU_ENGINE_INTERP, CPU_ENGINE_JIT, CPU_ENGINE_LOCKSTEP};
    for (unsigned k = 0; k < 3; k++)
        if (!strcmp(name, engine_name(kinds[k]))) {
            *e = kinds[k];
            return true;
        }
    return false;
}

static bool parse_args(int argc, char **argv, Options *o)
{
    memset(o, 0, sizeof *o);
    o->count = 250;
    o->seed = 0x5EED1686;
    o->details = 3;
    o->seq_len = 8;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            return false;
        const char *a = argv[i], *v = argv[++i];
        if (!strcmp(a, "--oracle"))
            o->oracle = v;
        else if (!strcmp(a, "--engine")) {
            if (!parse_engine(v, &o->engine))
                return false;
        } else if (!strcmp(a, "--count"))
            o->count = (unsigned)strtoul(v, NULL, 0);
        else if (!strcmp(a, "--seed"))
            o->seed = strtoull(v, NULL, 0);
        else if (!strcmp(a, "--details"))
            o->details = (unsigned)strtoul(v, NULL, 0);
        else if (!strcmp(a, "--only"))
            o->only = v;
        else if (!strcmp(a, "--sequences"))
            o->sequences = (unsigned)strtoul(v, NULL, 0);
        else if (!strcmp(a, "--seq-len"))
            o->seq_len = (unsigned)strtoul(v, NULL, 0);
        else if (!strcmp(a, "--replay"))
            o->replay = v;
        else if (!strcmp(a, "--show"))
            o->show = (unsigned)strtoul(v, NULL, 0);
        else if (!strcmp(a, "--stats"))
            o->stats = !strcmp(v, "on");
        else
            return false;
    }
    if (o->replay)
        return true;
    return o->oracle && o->count > 0 && o->seed != 0 && o->seq_len >= 2 &&
           o->seq_len <= SEQ_MAX;
}

static bool engines_init(Engines *e, CpuEngine engine)
{
    char err[256];
    memset(e, 0, sizeof *e);
    e->two = engine != CPU_ENGINE_INTERP;
    if (!vm_init(&e->ref, CPU_ENGINE_INTERP, err, sizeof err) ||
        (e->two && !vm_init(&e->test, engine, err, sizeof err))) {
        fprintf(stderr, "hostcpu-diff: %s\n", err);
        return false;
    }
    return true;
}

static void engines_free(Engines *e)
{
    vm_free(&e->ref);
    if (e->two)
        vm_free(&e->test);
}

int main(int argc, char **argv)
{
    Options o;
    if (!parse_args(argc, argv, &o)) {
        fprintf(stderr, "usage: hostcpu-diff --oracle PATH [--engine interp|jit|lockstep] "
                        "[--count N] [--seed S] [--details N] [--only TEXT] [--stats on]\n"
                        "       hostcpu-diff --oracle PATH [--engine E] --sequences N "
                        "[--seq-len 2..%d] [--seed S] [--details N] [--show N]\n"
                        "       hostcpu-diff [--engine E] --replay FILE\n", SEQ_MAX);
        return 2;
    }
    static Engines e;
    if (!engines_init(&e, o.engine)) {
        engines_free(&e);
        return 1;
    }
    bool ok = o.replay ? mode_replay(&o, &e) : o.sequences ? mode_sequences(&o, &e)
                                                           : mode_forms(&o, &e);
    if (e.two && !o.replay)
        ok &= check_coverage(&e, o.stats);
    engines_free(&e);
    return ok ? 0 : 1;
}
