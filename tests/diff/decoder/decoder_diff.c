/* decoder_diff.c — differential test of cpu/decode against Capstone 4.
 *
 * Draws --count random byte strings per mode (16- and 32-bit code), biased so that every
 * prefix combination, both opcode maps, every ModRM/SIB form and every immediate size are
 * hit often, decodes each with our decoder and with Capstone (detail mode), and compares
 * validity, length, mnemonic and every operand (registers, immediates, branch targets,
 * memory base/index/scale/displacement/segment, operand sizes). A share of the accepted
 * strings is decoded again from a truncated buffer, which must give DEC_NEED_MORE.
 *
 * Every difference must be explained by an entry of the accepted list in known.c; the
 * count of each is printed at the end. Unexplained differences fail the test and are
 * listed (grouped by map/opcode/kind, with an example). Closing line: "N passed, M failed".
 *
 *   decoder-diff [--count N] [--seed S] [--show-max N] [--quiet]
 *   decoder-diff --show HEXBYTES [--16]      one string, both decoders, for triage
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddiff.h"

/* splitmix64: deterministic for a given seed. */
static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }

static const uint8_t prefix_bytes[] = {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65,
                                       0x66, 0x67, 0xF0, 0xF2, 0xF3};

/* One biased random byte string of 16 bytes: prefixes, opcode, then a random tail. */
static void generate(uint8_t *b)
{
    for (unsigned i = 0; i < 16; i++)
        b[i] = (uint8_t)rnd();
    unsigned r = below(100), npfx;
    if (r < 50)
        npfx = 0;
    else if (r < 75)
        npfx = 1;
    else if (r < 88)
        npfx = 2;
    else if (r < 96)
        npfx = 3 + below(2);
    else
        npfx = 5 + below(11); /* up to 15: the length limit */
    unsigned k = 0;
    unsigned map = below(100);
    for (; k < npfx; k++) {
        /* 0F-map strings favour the mandatory prefixes 66/F2/F3 (SSE selection). */
        if (map >= 45 && map < 90 && below(2))
            b[k] = (uint8_t[]){0x66, 0xF2, 0xF3}[below(3)];
        else
            b[k] = prefix_bytes[below(sizeof prefix_bytes)];
    }
    if (k >= 16)
        return;
    if (map < 45) {
        /* one-byte map: any byte; a prefix byte here just lengthens the prefix run */
    } else if (map < 90) {
        b[k] = 0x0F;
    } else if (map < 93 && k + 1 < 16) {
        b[k] = 0x0F;
        b[k + 1] = below(2) ? 0x38 : 0x3A;
    } /* else: fully random */
}

static csh cs_handles[2];
static unsigned long row_hits[4096]; /* per opcode-table row: strings both decoders accepted */

static void cs_setup(void)
{
    for (int m = 0; m < 2; m++) {
        if (cs_open(CS_ARCH_X86, m ? CS_MODE_32 : CS_MODE_16, &cs_handles[m]) != CS_ERR_OK) {
            fprintf(stderr, "decoder-diff: cs_open failed\n");
            exit(2);
        }
        cs_option(cs_handles[m], CS_OPT_DETAIL, CS_OPT_ON);
    }
}

/* Decodes c->bytes[0..n) both ways. cs_buf is a cs_malloc'd instruction. */
static void run_case(Case *c, cs_insn *cs_buf)
{
    skeleton_parse(c->bytes, c->n, &c->sk);
    c->st = decode(c->bytes, c->n, c->code32, &c->ours);
    const uint8_t *p = c->bytes;
    size_t n = c->n;
    uint64_t addr = 0;
    c->cs_ok = cs_disasm_iter(cs_handles[c->code32], &p, &n, &addr, cs_buf);
    c->cs = cs_buf;
}

static void print_case(const Case *c, const Diff *d)
{
    char ours[256];
    describe_ours(c, ours, sizeof ours);
    printf("  %s [", c->code32 ? "32" : "16");
    for (unsigned i = 0; i < c->n; i++)
        printf("%s%02x", i ? " " : "", c->bytes[i]);
    printf("] %s%s%s\n    ours: %s\n    capstone: %s\n", diff_kind_names[d->kind],
           d->what[0] ? ": " : "", d->what, ours,
           c->cs_ok ? "" : "(invalid)");
    if (c->cs_ok)
        printf("      %s %s (len %u)\n", c->cs->mnemonic, c->cs->op_str, c->cs->size);
}

/* Unexplained differences grouped by (mode, map, opcode, kind) for the report. */
typedef struct Group {
    uint32_t key;
    unsigned long count;
    Case example;
    Diff diff;
    cs_insn cs;      /* copy of Capstone's result: the shared buffer is reused */
    cs_detail detail;
} Group;
#define MAX_GROUPS 4096
static Group groups[MAX_GROUPS];
static unsigned ngroups;

static void record_unknown(const Case *c, const Diff *d)
{
    uint32_t key = (uint32_t)c->code32 << 24 | c->sk.map << 16 | c->sk.opcode << 8 |
                   (uint32_t)d->kind;
    for (unsigned i = 0; i < ngroups; i++)
        if (groups[i].key == key) {
            groups[i].count++;
            return;
        }
    if (ngroups == MAX_GROUPS)
        return;
    Group *g = &groups[ngroups++];
    g->key = key;
    g->count = 1;
    g->example = *c;
    g->diff = *d;
    if (c->cs_ok) {
        g->cs = *c->cs;
        g->detail = *c->cs->detail;
        g->cs.detail = &g->detail;
        g->example.cs = &g->cs;
    }
}

typedef struct Totals {
    unsigned long cases, passed, failed, both_valid, both_invalid, truncated, paths;
} Totals;

/* Handles one difference: explained (counted per category) or a failure. */
static void account(const Case *c, const Diff *d, Totals *t)
{
    if (d->kind == DK_NONE) {
        t->passed++;
        return;
    }
    if (known_explain(c, d)) {
        t->passed++;
        return;
    }
    t->failed++;
    record_unknown(c, d);
}

/* The same string cut short must give DEC_NEED_MORE (and Capstone must reject it). */
static void check_truncated(Case *c, cs_insn *cs_buf, Totals *t)
{
    Case tc = *c;
    tc.n = below(c->ours.len);
    run_case(&tc, cs_buf);
    Diff d = {0};
    if (tc.st != DEC_NEED_MORE || tc.cs_ok) {
        d.kind = DK_TRUNCATED;
        snprintf(d.what, sizeof d.what, "cut to %u of %u bytes: ours %d, capstone %s", tc.n,
                 c->ours.len, tc.st, tc.cs_ok ? "accepts" : "rejects");
    }
    t->truncated++;
    account(&tc, &d, t);
}

/* The decoder reads a long buffer in place and copies a short one: both must agree. The
 * string is decoded again with 32 bytes available (the tail random) and compared field by
 * field with the 16-byte decode. */
static void check_paths(const Case *c, Totals *t)
{
    uint8_t big[40];
    memcpy(big, c->bytes, 16);
    for (unsigned i = 16; i < sizeof big; i++)
        big[i] = (uint8_t)rnd();
    DecodedInsn in;
    memset(&in, 0, sizeof in);
    DecodeStatus st = decode(big, sizeof big, c->code32, &in);
    /* 16 bytes hold any instruction (or show it is too long): the status must match */
    bool same = st == c->st;
    if (same && st == DEC_OK) {
        DecodedInsn a = c->ours, b = in;
        same = a.row == b.row && a.op == b.op && a.len == b.len && a.map == b.map &&
               a.opcode == b.opcode && a.modrm == b.modrm && a.opsize == b.opsize &&
               a.adsize == b.adsize && a.prefixes == b.prefixes && a.seg == b.seg &&
               a.rep == b.rep && a.nopnd == b.nopnd && a.ea_base == b.ea_base &&
               a.ea_index == b.ea_index && a.ea_scale == b.ea_scale &&
               a.has_modrm == b.has_modrm && a.disp == b.disp && a.imm == b.imm &&
               a.imm2 == b.imm2 && !memcmp(a.opnd, b.opnd, sizeof a.opnd);
    }
    t->paths++;
    if (same) {
        t->passed++;
        return;
    }
    Diff d = {.kind = DK_TRUNCATED};
    snprintf(d.what, sizeof d.what, "40-byte buffer decodes differently (status %d vs %d)", st,
             c->st);
    t->failed++;
    record_unknown(c, &d);
}

static void run_mode(bool code32, unsigned long count, cs_insn *cs_buf, Totals *t)
{
    for (unsigned long i = 0; i < count; i++) {
        Case c;
        memset(&c, 0, sizeof c);
        generate(c.bytes);
        c.n = 16;
        c.code32 = code32;
        run_case(&c, cs_buf);
        t->cases++;
        if (c.st == DEC_OK && c.cs_ok) {
            t->both_valid++;
            unsigned ri = (unsigned)(c.ours.row - optable_rows);
            if (ri < sizeof row_hits / sizeof row_hits[0])
                row_hits[ri]++;
        }
        else if (c.st != DEC_OK && !c.cs_ok)
            t->both_invalid++;
        Diff d;
        compare_case(&c, &d);
        account(&c, &d, t);
        check_paths(&c, t);
        if (c.st == DEC_OK && c.cs_ok && d.kind == DK_NONE && (i & 7) == 0)
            check_truncated(&c, cs_buf, t);
    }
}

static int parse_hex(const char *s, uint8_t *out, unsigned max)
{
    unsigned n = 0;
    while (*s && n < max) {
        while (*s == ' ' || *s == ',')
            s++;
        if (!*s)
            break;
        unsigned v;
        if (sscanf(s, "%2x", &v) != 1)
            return -1;
        out[n++] = (uint8_t)v;
        s += 2;
    }
    return (int)n;
}

static int show_one(const char *hex, bool code32)
{
    cs_insn *cs_buf = cs_malloc(cs_handles[code32]);
    Case c;
    memset(&c, 0, sizeof c);
    int n = parse_hex(hex, c.bytes, 16);
    if (n <= 0) {
        fprintf(stderr, "decoder-diff: bad hex string\n");
        return 2;
    }
    c.n = (unsigned)n;
    c.code32 = code32;
    run_case(&c, cs_buf);
    Diff d;
    compare_case(&c, &d);
    KnownDiff *k = d.kind != DK_NONE ? known_explain(&c, &d) : NULL;
    print_case(&c, &d);
    if (k)
        printf("    explained by: %s\n", k->name);
    cs_free(cs_buf, 1);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long count = 1000000;
    uint64_t seed = 0x5EED0DEC0DE;
    unsigned show_max = 40;
    bool code16_show = false, quiet = false;
    const char *show = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--count") && i + 1 < argc)
            count = strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--show-max") && i + 1 < argc)
            show_max = (unsigned)strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--show") && i + 1 < argc)
            show = argv[++i];
        else if (!strcmp(argv[i], "--16"))
            code16_show = true;
        else if (!strcmp(argv[i], "--quiet"))
            quiet = true;
        else {
            fprintf(stderr, "usage: decoder-diff [--count N] [--seed S] [--show-max N] "
                            "[--quiet] | --show HEX [--16]\n");
            return 2;
        }
    }
    decode_init();
    cs_setup();
    if (show)
        return show_one(show, !code16_show);

    rng_state = seed;
    cs_insn *cs_buf = cs_malloc(cs_handles[1]);
    Totals t = {0};
    run_mode(false, count, cs_buf, &t);
    run_mode(true, count, cs_buf, &t);
    cs_free(cs_buf, 1);

    printf("decoder-diff: %lu strings per mode (seed %#" PRIx64 "), %lu truncation checks, "
           "%lu long-buffer checks\n", count, seed, t.truncated, t.paths);
    printf("  both accept: %lu, both reject: %lu\n", t.both_valid, t.both_invalid);
    /* coverage: the opcode-table rows the accepted strings exercised */
    unsigned hit = 0;
    for (unsigned i = 0; i < optable_nrows; i++)
        hit += row_hits[i] != 0;
    printf("  opcode-table rows exercised: %u of %u", hit, optable_nrows);
    if (hit < optable_nrows) {
        printf(" (not:");
        for (unsigned i = 0, k = 0; i < optable_nrows && k < 12; i++)
            if (!row_hits[i]) {
                printf(" %s%s/%02x", optable_rows[i].map ? "0f " : "", optable_rows[i].mnem,
                       optable_rows[i].opcode);
                k++;
            }
        printf(")");
    }
    printf("\n");
    printf("accepted differences (see known.c for the reasons):\n");
    for (unsigned i = 0; i < known_ndiffs; i++)
        if (!quiet || known_diffs[i].count)
            printf("  %-34s %10lu\n", known_diffs[i].name, known_diffs[i].count);
    if (ngroups) {
        printf("UNEXPLAINED differences: %u groups (mode/map/opcode/kind), examples:\n",
               ngroups);
        for (unsigned i = 0; i < ngroups && i < show_max; i++) {
            printf("  x%lu", groups[i].count);
            print_case(&groups[i].example, &groups[i].diff);
        }
    }
    printf("%lu passed, %lu failed\n", t.passed, t.failed);
    return t.failed ? 1 : 0;
}
