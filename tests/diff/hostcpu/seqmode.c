/* seqmode.c — the sequence and replay modes of hostcpu-diff (see modes.h).
 *
 * Sequences: pass 1 draws every sequence (seq.h) and runs it in the interpreter; the ones
 * that ran cleanly (no exception, execution reached the byte after the code or the branch
 * target, no write outside the window) and whose flags the SDM defines where they are read
 * go to the host oracle in one batch. Pass 2 draws the same sequences again, runs each in
 * the engine under test and the interpreter (exact agreement), and holds the host-run ones
 * to the host's result.
 *
 * Replay: a text file of cases, one per line:
 *     NAME: code=HEX [eax=V ... edi=V] [eflags=V] [target=V] [mem@OFF=HEX]...
 *           [ds=BASE:LIMIT[:ro][:ed]] (likewise es, ss, fs, gs) [code16=1]
 * Values are hexadecimal (OFF: C syntax). Registers default to 0 (ESP to the window +
 * 200), EFLAGS to 202h, the window to zeros, segments to flat. The code runs to the HLT
 * after it or at the target (vm.h). Lines starting with # are comments. Each
 * case must give the same result in the engine under test as in the interpreter.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/decode.h"
#include "modes.h"
#include "seq.h"

/* ---- sequences ------------------------------------------------------------------------------ */

typedef struct SeqTotals {
    unsigned long passed, failed, host, faulted;
} SeqTotals;

static bool host_runnable(const SeqCase *s, const VmResult *ref)
{
    uint32_t mask;
    if (s->segmented)
        return false;
    bool where = ref->eip == HC_INSN + s->c.len || (s->c.target && ref->eip == s->c.target);
    return ref->status == VM_DONE && ref->vector < 0 && !ref->stray && where &&
           seq_flags(&s->c, &mask);
}

/* Pass 1: the host's batch. eligible[i] says whether sequence i is in it. */
static FILE *host_batch(const Options *o, const Form *forms, unsigned nforms, Engines *e,
                        bool *eligible, size_t *nhost)
{
    FILE *out = tmpfile();
    if (!out) {
        perror("hostcpu-diff: tmpfile");
        return NULL;
    }
    Rng rng = {o->seed};
    static SeqCase s;
    static VmResult ref;
    for (unsigned i = 0; i < o->sequences; i++) {
        seq_make(forms, nforms, &rng, o->seq_len, &s);
        vm_run(&e->ref, &s.c, s.segmented ? &s.segs : NULL, &ref);
        eligible[i] = host_runnable(&s, &ref);
        if (eligible[i] && fwrite(&s.c, sizeof s.c, 1, out) != 1) {
            perror("hostcpu-diff: writing cases");
            fclose(out);
            return NULL;
        }
        *nhost += eligible[i];
    }
    return out;
}

static void report_sequence(unsigned i, const SeqCase *s, const Form *forms, const Report *r)
{
    Report head = {.len = 0};
    head.text[0] = 0;
    say(&head, "sequence %u: FAIL (%u instructions:", i, s->ninsns);
    for (unsigned k = 0; k < s->ninsns; k++)
        say(&head, "%s %s", k ? ";" : "",
            s->form[k] == SEQ_SETTER ? "(its target)" : forms[s->form[k]].name);
    say(&head, ")\n");
    describe_code(&head, &s->c, s->segs.code16);
    describe_inputs(&head, &s->c);
    if (s->segmented)
        describe_segs(&head, &s->segs);
    fputs(head.text, stdout);
    fputs(r->text, stdout);
}

/* Pass 2. False on a broken result file. */
static bool check_sequences(const Options *o, const Form *forms, unsigned nforms, Engines *e,
                            const bool *eligible, FILE *results, SeqTotals *t)
{
    Rng rng = {o->seed};
    static SeqCase s;
    static HcResult host;
    unsigned shown = 0;
    for (unsigned i = 0; i < o->sequences; i++) {
        seq_make(forms, nforms, &rng, o->seq_len, &s);
        Report r = {.len = 0};
        r.text[0] = 0;
        unsigned bad = 0;
        const VmResult *got = run_both(e, &s.c, s.segmented ? &s.segs : NULL, &r, &bad);
        if (eligible[i]) {
            if (fread(&host, sizeof host, 1, results) != 1 || host.magic != HC_MAGIC_RESULT) {
                fprintf(stderr, "hostcpu-diff: short or malformed result from the oracle\n");
                return false;
            }
            uint32_t mask = 0;
            seq_flags(&s.c, &mask);
            if (host.signal)
                say(&r, "    the host raised signal %d; the interpreter ran it cleanly\n",
                    host.signal), bad++;
            else
                bad += check_host(got, &host, mask, &r);
            t->host++;
        } else {
            bad += check_sane(got, engine_name(o->engine), &r);
        }
        t->faulted += got->vector >= 0;
        if (i < o->show) {
            Report shown_r = {.len = 0};
            shown_r.text[0] = 0;
            say(&shown_r, "sequence %u:%s\n", i, eligible[i] ? " (host)" : "");
            describe_code(&shown_r, &s.c, s.segs.code16);
            if (s.segmented)
                describe_segs(&shown_r, &s.segs);
            describe_result(&shown_r, engine_name(o->engine), got);
            fputs(shown_r.text, stdout);
        }
        if (!bad) {
            t->passed++;
            continue;
        }
        t->failed++;
        if (shown++ < o->details)
            report_sequence(i, &s, forms, &r);
    }
    return true;
}

bool mode_sequences(const Options *o, Engines *e)
{
    static Form forms[MAX_FORMS];
    unsigned nforms = forms_build(forms, MAX_FORMS);
    bool *eligible = calloc(o->sequences, sizeof *eligible);
    if (nforms >= MAX_FORMS || !eligible) {
        fprintf(stderr, "hostcpu-diff: too many forms or out of memory\n");
        free(eligible);
        return false;
    }
    size_t nhost = 0;
    SeqTotals t;
    memset(&t, 0, sizeof t);
    FILE *batch = host_batch(o, forms, nforms, e, eligible, &nhost);
    FILE *results = batch ? run_oracle(o->oracle, batch, nhost) : NULL;
    if (batch)
        fclose(batch);
    bool ok = results && check_sequences(o, forms, nforms, e, eligible, results, &t);
    if (results)
        fclose(results);
    free(eligible);
    if (!ok)
        return false;
    printf("%u sequences of 2 to %u instructions under %s: %lu also ran on the host, %lu "
           "raised an exception\n", o->sequences, o->seq_len, engine_name(o->engine), t.host,
           t.faulted);
    printf("%lu passed, %lu failed\n", t.passed, t.failed);
    return t.failed == 0 && t.passed > 0;
}

/* ---- replay --------------------------------------------------------------------------------- */

static bool parse_hex(const char *s, uint8_t *out, unsigned max, unsigned *n)
{
    *n = 0;
    while (*s) {
        unsigned v;
        if (*n == max || sscanf(s, "%2x", &v) != 1 || !s[1])
            return false;
        out[(*n)++] = (uint8_t)v;
        s += 2;
    }
    return *n > 0;
}

static const char *const seg_names[SEG_COUNT] = {"es", "cs", "ss", "ds", "fs", "gs"};

/* BASE:LIMIT[:ro][:ed] */
static bool parse_seg(const char *v, VmSegs *segs, int g)
{
    char *end;
    segs->base[g] = (uint32_t)strtoul(v, &end, 16);
    if (*end != ':')
        return false;
    segs->limit[g] = (uint32_t)strtoul(end + 1, &end, 16);
    for (; *end == ':'; end += 3) {
        if (!strncmp(end, ":ro", 3))
            segs->read_only[g] = true;
        else if (!strncmp(end, ":ed", 3))
            segs->expand_down[g] = true;
        else
            return false;
    }
    return *end == 0;
}

static bool parse_field(char *tok, HcCase *c, VmSegs *segs)
{
    char *eq = strchr(tok, '=');
    if (!eq)
        return false;
    *eq = 0;
    const char *v = eq + 1;
    unsigned n;
    if (!strcmp(tok, "code")) {
        if (!parse_hex(v, c->bytes, HC_MAX_CODE, &n))
            return false;
        c->len = n;
        return true;
    }
    if (!strncmp(tok, "mem@", 4)) {
        unsigned long off = strtoul(tok + 4, NULL, 0);
        return off < HC_DATA_SIZE &&
               parse_hex(v, c->mem + off, HC_DATA_SIZE - (unsigned)off, &n);
    }
    for (int g = 0; g < SEG_COUNT; g++)
        if (g != SEG_CS && !strcmp(tok, seg_names[g]))
            return parse_seg(v, segs, g);
    if (!strcmp(tok, "code16")) {
        segs->code16 = !strcmp(v, "1");
        return true;
    }
    uint32_t value = (uint32_t)strtoul(v, NULL, 16);
    for (int r = 0; r < 8; r++)
        if (!strcmp(tok, hc_reg_names[r])) {
            c->regs[r] = value;
            return true;
        }
    if (!strcmp(tok, "eflags"))
        c->eflags = value | 2;
    else if (!strcmp(tok, "target"))
        c->target = value;
    else
        return false;
    return true;
}

/* Parses one case line; false with a message for a malformed one. */
static bool parse_case(char *line, unsigned lineno, char **name, HcCase *c, VmSegs *segs)
{
    memset(c, 0, sizeof *c);
    vm_segs_flat(segs);
    c->magic = HC_MAGIC_CASE;
    c->regs[HC_ESP] = HC_DATA_BASE + 200;
    c->eflags = 0x202;
    char *colon = strchr(line, ':');
    if (!colon) {
        fprintf(stderr, "hostcpu-diff: line %u: no \"NAME:\"\n", lineno);
        return false;
    }
    *colon = 0;
    *name = line;
    for (char *tok = strtok(colon + 1, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n"))
        if (!parse_field(tok, c, segs)) {
            fprintf(stderr, "hostcpu-diff: line %u: bad field \"%s\"\n", lineno, tok);
            return false;
        }
    if (c->len == 0) {
        fprintf(stderr, "hostcpu-diff: line %u: no code=\n", lineno);
        return false;
    }
    return true;
}

static bool replay_one(Engines *e, const char *name, const HcCase *c, const VmSegs *segs)
{
    static VmResult ref, got;
    Report r = {.len = 0};
    r.text[0] = 0;
    vm_run(&e->ref, c, segs, &ref);
    unsigned bad = check_sane(&ref, "interp", &r);
    const char *test = engine_name(e->two ? e->test.engine : CPU_ENGINE_INTERP);
    if (e->two) {
        vm_run(&e->test, c, segs, &got);
        bad += check_exact(&got, &ref, test, &r);
    }
    if (!bad) {
        printf("%s: ok\n", name);
        return true;
    }
    Report head = {.len = 0};
    head.text[0] = 0;
    say(&head, "%s: FAIL\n", name);
    describe_code(&head, c, segs->code16);
    describe_inputs(&head, c);
    describe_segs(&head, segs);
    describe_result(&head, "interp", &ref);
    if (e->two)
        describe_result(&head, test, &got);
    fputs(head.text, stdout);
    fputs(r.text, stdout);
    return false;
}

bool mode_replay(const Options *o, Engines *e)
{
    FILE *f = fopen(o->replay, "r");
    if (!f) {
        perror(o->replay);
        return false;
    }
    char line[1024];
    unsigned lineno = 0, passed = 0, failed = 0;
    bool ok = true;
    static HcCase c;
    static VmSegs segs;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line + strspn(line, " \t");
        if (*p == '#' || *p == '\n' || *p == 0)
            continue;
        char *name;
        if (!parse_case(p, lineno, &name, &c, &segs)) {
            ok = false;
            break;
        }
        if (replay_one(e, name, &c, &segs))
            passed++;
        else
            failed++;
    }
    fclose(f);
    if (!ok)
        return false;
    printf("%u passed, %u failed\n", passed, failed);
    return failed == 0 && passed > 0;
}
