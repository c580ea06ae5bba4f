/* moo.c — see moo.h. The format is described in the test data's README.md. */
#include "moo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MOO_MAX_FILE (64u << 20) /* decompressed size we accept */

const char *const moo_reg_names[MOO_NREGS] = {
    "ax", "bx", "cx", "dx", "cs", "ss", "ds", "es", "sp", "bp", "si", "di", "ip", "flags",
};

/* A bounded cursor over a byte buffer. Reads past the end set `bad` and return 0. */
typedef struct Cur {
    const uint8_t *p;
    size_t len, pos;
    bool bad;
} Cur;

static bool cur_has(Cur *c, size_t n)
{
    if (c->bad || c->len - c->pos < n) {
        c->bad = true;
        return false;
    }
    return true;
}
static uint8_t get8(Cur *c)
{
    return cur_has(c, 1) ? c->p[c->pos++] : 0;
}
static uint16_t get16(Cur *c)
{
    if (!cur_has(c, 2))
        return 0;
    uint16_t v = (uint16_t)(c->p[c->pos] | c->p[c->pos + 1] << 8);
    c->pos += 2;
    return v;
}
static uint32_t get32(Cur *c)
{
    if (!cur_has(c, 4))
        return 0;
    uint32_t v = (uint32_t)c->p[c->pos] | (uint32_t)c->p[c->pos + 1] << 8 |
                 (uint32_t)c->p[c->pos + 2] << 16 | (uint32_t)c->p[c->pos + 3] << 24;
    c->pos += 4;
    return v;
}

/* Next chunk: id and a sub-cursor over its payload. False at the end or on a bad length. */
static bool next_chunk(Cur *c, char id[5], Cur *payload)
{
    if (c->bad || c->pos == c->len || !cur_has(c, 8))
        return false;
    memcpy(id, c->p + c->pos, 4);
    id[4] = 0;
    c->pos += 4;
    uint32_t n = get32(c);
    if (!cur_has(c, n))
        return false;
    *payload = (Cur){c->p + c->pos, n, 0, false};
    c->pos += n;
    return true;
}

static void fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static bool parse_state(Cur *c, MooState *st)
{
    char id[5];
    Cur pl;
    free(st->ram); /* a repeated INIT/FINA chunk replaces the first */
    memset(st, 0, sizeof *st);
    while (next_chunk(c, id, &pl)) {
        if (!strcmp(id, "REGS")) {
            st->mask = get16(&pl);
            for (int i = 0; i < MOO_NREGS; i++)
                if (st->mask & (1u << i))
                    st->regs[i] = get16(&pl);
            if (pl.bad)
                return false;
        } else if (!strcmp(id, "RAM ")) {
            uint32_t n = get32(&pl);
            if (pl.bad || n > (pl.len - pl.pos) / 5)
                return false;
            free(st->ram);
            st->ram = calloc(n ? n : 1, sizeof *st->ram);
            if (!st->ram)
                return false;
            st->nram = n;
            for (uint32_t i = 0; i < n; i++) {
                st->ram[i].addr = get32(&pl);
                st->ram[i].value = get8(&pl);
            }
        }
    }
    return !c->bad;
}

static bool parse_test(Cur *c, MooTest *t)
{
    char id[5];
    Cur pl;
    memset(t, 0, sizeof *t);
    t->index = get32(c);
    while (next_chunk(c, id, &pl)) {
        if (!strcmp(id, "NAME")) {
            uint32_t n = get32(&pl);
            if (!cur_has(&pl, n))
                return false;
            size_t k = n < sizeof t->name - 1 ? n : sizeof t->name - 1;
            memcpy(t->name, pl.p + pl.pos, k);
        } else if (!strcmp(id, "BYTS")) {
            uint32_t n = get32(&pl);
            if (n > sizeof t->bytes || !cur_has(&pl, n))
                return false;
            memcpy(t->bytes, pl.p + pl.pos, n);
            t->nbytes = n;
        } else if (!strcmp(id, "INIT") || !strcmp(id, "FINA")) {
            if (!parse_state(&pl, id[0] == 'I' ? &t->init : &t->final))
                return false;
        } else if (!strcmp(id, "EXCP")) {
            t->exc_vector = get8(&pl);
            t->exc_flags_addr = get32(&pl);
            t->has_exception = !pl.bad;
        } else if (!strcmp(id, "HASH")) {
            if (pl.len != 20)
                return false;
            for (int i = 0; i < 20; i++)
                snprintf(t->hash + 2 * i, 3, "%02x", pl.p[i]);
        }
    }
    return !c->bad;
}

static uint8_t *gunzip_file(const char *path, size_t *len, char *err, size_t errlen)
{
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        fail(err, errlen, "%s: cannot open", path);
        return NULL;
    }
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fail(err, errlen, "%s: out of memory", path);
            break;
        }
        if (n == cap) {
            if (cap >= MOO_MAX_FILE) {
                fail(err, errlen, "%s: larger than %u bytes decompressed", path, MOO_MAX_FILE);
                free(buf);
                buf = NULL;
                break;
            }
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                continue;
            }
            buf = nb;
            cap *= 2;
        }
        int got = gzread(gz, buf + n, (unsigned)(cap - n));
        if (got < 0) {
            fail(err, errlen, "%s: corrupt gzip data", path);
            free(buf);
            buf = NULL;
            break;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    gzclose(gz);
    *len = n;
    return buf;
}

bool moo_load(const char *path, MooFile *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t len;
    uint8_t *buf = gunzip_file(path, &len, err, errlen);
    if (!buf)
        return false;
    Cur c = {buf, len, 0, false};
    char id[5];
    Cur pl;
    size_t declared = 0, cap = 0;
    bool ok = true;
    while (ok && next_chunk(&c, id, &pl)) {
        if (!strcmp(id, "MOO ")) {
            get8(&pl), get8(&pl), get16(&pl);
            declared = get32(&pl);
            if (pl.bad || declared > 1000000)
                ok = false;
        } else if (!strcmp(id, "TEST")) {
            if (out->ntests == cap) {
                cap = cap ? cap * 2 : 64;
                MooTest *nt = realloc(out->tests, cap * sizeof *nt);
                if (!nt) {
                    ok = false;
                    break;
                }
                out->tests = nt;
            }
            ok = parse_test(&pl, &out->tests[out->ntests]);
            out->ntests++;
        }
    }
    if (ok && (c.bad || c.pos != len))
        ok = false;
    if (!ok)
        fail(err, errlen, "%s: malformed MOO data near byte %zu", path, c.pos);
    else if (declared != out->ntests) {
        fail(err, errlen, "%s: header declares %zu tests, file holds %zu", path, declared,
             out->ntests);
        ok = false;
    }
    free(buf);
    if (!ok)
        moo_free(out);
    return ok;
}

void moo_free(MooFile *f)
{
    for (size_t i = 0; i < f->ntests; i++) {
        free(f->tests[i].init.ram);
        free(f->tests[i].final.ram);
    }
    free(f->tests);
    memset(f, 0, sizeof *f);
}
