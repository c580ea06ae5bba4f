/* fpu_host_diff.c — differential test of cpu/fpu against the host's x87 and SSE units.
 *
 * For every operation and every mode (x87: rounding × precision control; SSE: rounding ×
 * DAZ × FTZ, all exceptions masked) it draws --count operand sets, runs them natively and
 * through the library, and compares result bits and flags. Prints one line per operation
 * and a closing "N passed, M failed"; exits 0 only when nothing failed. The transcendentals
 * are reported separately and compared with a tolerance (ops_trans.c explains it).
 *
 *   fpu-host-diff [--count N] [--seed S] [--op NAME] [--full] [--show N] [--show-tol N] [--list]
 *
 * --show N prints the first N mismatches per operation (default 8); --show-tol N also prints
 * the first N transcendental differences that are within the tolerance.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"

void diff_record(DiffCtx *c, bool ok, const char *fmt, ...)
{
    c->run++;
    if (ok)
        return;
    c->failed++;
    if (c->shown >= c->show_max)
        return;
    c->shown++;
    va_list ap;
    va_start(ap, fmt);
    printf("  MISMATCH %s mode=%04x: ", c->op, c->mode);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

/* x87 modes: every rounding control × precision control 24/53/64, all exceptions masked,
 * and the same with OE and UE unmasked (the x87 then delivers exponent-wrapped results to a
 * register destination; IE, DE and ZE stay masked since their results are not delivered). */
static unsigned x87_modes(uint32_t *out)
{
    static const unsigned pcs[] = { FP_PC_24, FP_PC_53, FP_PC_64 };
    unsigned n = 0;
    for (unsigned unmask = 0; unmask < 2; unmask++)
        for (unsigned rc = 0; rc < 4; rc++)
            for (unsigned p = 0; p < 3; p++)
                out[n++] = (unmask ? 0x0027 : 0x003F) | 0x0040 | pcs[p] << 8 | rc << 10;
    return n;
}

/* SSE modes: every rounding mode × DAZ × FTZ (all exceptions masked). */
static unsigned sse_modes(uint32_t *out)
{
    unsigned n = 0;
    for (unsigned rc = 0; rc < 4; rc++)
        for (unsigned daz = 0; daz < 2; daz++)
            for (unsigned ftz = 0; ftz < 2; ftz++)
                out[n++] = 0x1F80 | rc << 13 | daz << 6 | ftz << 15;
    return n;
}

static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    while (*s)
        h = (h ^ (uint8_t)*s++) * 1099511628211ull;
    return h;
}

typedef struct Options {
    uint64_t count, seed, show, show_tol;
    const char *only;
    bool full, list;
} Options;

typedef struct Totals {
    uint64_t passed, failed;
} Totals;

static void run_op(const DiffOp *op, const Options *o, Totals *t)
{
    uint32_t modes[24];
    unsigned nm = op->family == FAM_X87 ? x87_modes(modes) : sse_modes(modes);
    uint64_t count = o->count;
    if (o->full) /* at least 1,000,000 operand sets per operation across the modes */
        count = (1000000 + nm - 1) / nm;
    DiffCtx c = { .op = op->name, .show_max = o->show, .tol_show_max = o->show_tol };
    for (unsigned i = 0; i < nm; i++) {
        Rng r = { o->seed ^ name_hash(op->name) ^ ((uint64_t)modes[i] << 32) };
        c.mode = modes[i];
        for (uint64_t k = 0; k < count; k++)
            op->one(&c, &r, modes[i]);
    }
    if (op->transcendental) {
        printf("%-10s %s %9" PRIu64 " run, %9" PRIu64 " bit-exact, %7" PRIu64
               " within tolerance, %5" PRIu64 " failed (transcendental)\n",
               op->name, "x87", c.tol_run, c.tol_exact, c.tol_run - c.tol_exact - c.tol_failed,
               c.tol_failed);
        c.run += c.tol_run;
        c.failed += c.tol_failed;
    } else {
        printf("%-10s %s %9" PRIu64 " run, %5" PRIu64 " failed\n", op->name,
               op->family == FAM_X87 ? "x87" : "sse", c.run, c.failed);
    }
    t->passed += c.run - c.failed;
    t->failed += c.failed;
    fflush(stdout);
}

static void run_table(const DiffOp *ops, unsigned n, const Options *o, Totals *t, unsigned *hits)
{
    for (unsigned i = 0; i < n; i++) {
        if (o->list) {
            printf("%s\n", ops[i].name);
            continue;
        }
        if (o->only && strcmp(o->only, ops[i].name) != 0)
            continue;
        (*hits)++;
        run_op(&ops[i], o, t);
    }
}

static int usage(void)
{
    fprintf(stderr, "usage: fpu-host-diff [--count N] [--seed S] [--op NAME] [--full] "
                    "[--show N] [--show-tol N] [--list]\n");
    return 2;
}

int main(int argc, char **argv)
{
    Options o = { .count = 200, .seed = 0x5EED0F87ull, .show = 8 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_arg = i + 1 < argc;
        if (!strcmp(a, "--count") && has_arg)
            o.count = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(a, "--seed") && has_arg)
            o.seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(a, "--op") && has_arg)
            o.only = argv[++i];
        else if (!strcmp(a, "--show") && has_arg)
            o.show = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(a, "--show-tol") && has_arg)
            o.show_tol = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(a, "--full"))
            o.full = true;
        else if (!strcmp(a, "--list"))
            o.list = true;
        else
            return usage();
    }
    Totals t = { 0, 0 };
    unsigned hits = 0;
    run_table(diff_ops_x87, diff_ops_x87_count, &o, &t, &hits);
    run_table(diff_ops_sse, diff_ops_sse_count, &o, &t, &hits);
    run_table(diff_ops_trans, diff_ops_trans_count, &o, &t, &hits);
    if (o.list)
        return 0;
    if (o.only && hits == 0) {
        fprintf(stderr, "fpu-host-diff: no operation named '%s' (see --list)\n", o.only);
        return 2;
    }
    printf("%" PRIu64 " passed, %" PRIu64 " failed\n", t.passed, t.failed);
    return t.failed == 0 ? 0 : 1;
}
