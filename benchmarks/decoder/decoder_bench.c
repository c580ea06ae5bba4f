/* decoder_bench.c — how many instructions per second cpu/decode decodes.
 *
 * Workloads:
 *   synthetic-32  a weighted random instruction stream shaped like 32-bit compiler output
 *                 (register moves and loads/stores through [ebp+d8] and [esp+d8], pushes,
 *                 calls, conditional branches, compares, ALU with imm8, LEA with SIB, MOVZX,
 *                 multi-byte NOPs, a little SSE2 scalar and x87), about 4 MiB of code;
 *   synthetic-16  the same shapes encoded for 16-bit code;
 *   synthetic-32, 15-byte fetch: the 32-bit stream given 15 bytes at a time, as the CPU's
 *                 instruction fetch does (the decoder then works on a padded copy);
 *   FILE...       each given image (guest ROMs, test guests, SeaBIOS and its VGA BIOS: real
 *                 compiler output), runs of padding removed, decoded linearly in 16-bit and
 *                 32-bit mode (an undecodable byte is skipped).
 * Each workload is decoded repeatedly for about --seconds seconds of CPU time (default 1),
 * in 7 trials; the figure is decoded instructions per CPU second of the best trial (the
 * median is printed beside it). Prints one line per workload.
 *
 *   decoder-bench [--seconds S] [FILE...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/decode.h"

static uint64_t rng = 0x0DEC0DE5EEDull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

typedef struct Buf {
    uint8_t *p;
    size_t n, cap;
} Buf;

static void put(Buf *b, uint8_t v)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 1 << 16;
        b->p = realloc(b->p, b->cap);
        if (!b->p) {
            perror("decoder-bench");
            exit(1);
        }
    }
    b->p[b->n++] = v;
}
static void put16(Buf *b, uint16_t v) { put(b, (uint8_t)v), put(b, (uint8_t)(v >> 8)); }
static void put32(Buf *b, uint32_t v) { put16(b, (uint16_t)v), put16(b, (uint16_t)(v >> 16)); }

/* A ModRM memory or register operand in the shapes compilers use most. */
static void modrm_operand(Buf *b, unsigned reg, bool code32)
{
    unsigned r = rnd() % 100;
    if (!code32) { /* 16-bit: [bp+d8], [bx+si], [si], [bx+d16], registers */
        if (r < 35)
            put(b, 0x46 | reg << 3), put(b, (uint8_t)(rnd() & 0xFE));
        else if (r < 50)
            put(b, 0x00 | reg << 3 | (rnd() % 4));
        else if (r < 60)
            put(b, 0x87 | reg << 3), put16(b, (uint16_t)rnd());
        else
            put(b, 0xC0 | reg << 3 | (rnd() & 7));
        return;
    }
    if (r < 35) { /* [ebp - d8] */
        put(b, 0x45 | reg << 3), put(b, (uint8_t)(0x80 + rnd() % 0x7C));
    } else if (r < 50) { /* [esp + d8] */
        put(b, 0x44 | reg << 3), put(b, 0x24), put(b, (uint8_t)(rnd() % 0x40 * 4));
    } else if (r < 58) { /* [reg] */
        unsigned base = rnd() & 7;
        if (base == 4 || base == 5)
            base = 0;
        put(b, 0x00 | reg << 3 | base);
    } else if (r < 63) { /* [reg + reg*4 + d32] or [disp32] */
        if (rnd() & 1)
            put(b, 0x84 | reg << 3), put(b, (uint8_t)(0x80 | (rnd() & 7) << 3 | (rnd() % 4))),
                put32(b, rnd());
        else
            put(b, 0x05 | reg << 3), put32(b, 0x08040000 + (rnd() & 0xFFFF));
    } else {
        put(b, 0xC0 | reg << 3 | (rnd() & 7));
    }
}

/* One instruction of the synthetic mix. Weights in per mille. */
static void emit(Buf *b, bool code32)
{
    unsigned w = rnd() % 1000, reg = rnd() & 7;
    unsigned imm = code32 ? 4 : 2;
    if (w < 250) { put(b, 0x8B), modrm_operand(b, reg, code32); }
    else if (w < 350) { put(b, 0x89), modrm_operand(b, reg, code32); }
    else if (w < 380) { put(b, (uint8_t)(0xB8 + reg)), imm == 4 ? put32(b, rnd()) : put16(b, (uint16_t)rnd()); }
    else if (w < 400) { put(b, 0xC7), modrm_operand(b, 0, code32), imm == 4 ? put32(b, rnd() & 0xFF) : put16(b, 1); }
    else if (w < 440) { /* lea */
        put(b, 0x8D);
        if (code32)
            put(b, 0x44 | reg << 3), put(b, (uint8_t)((rnd() % 4) << 6 | (rnd() & 3) << 3 | (rnd() & 3))), put(b, (uint8_t)rnd());
        else
            put(b, 0x46 | reg << 3), put(b, (uint8_t)rnd());
    }
    else if (w < 500) { put(b, (uint8_t)(0x50 + reg)); }
    else if (w < 540) { put(b, (uint8_t)(0x58 + reg)); }
    else if (w < 590) { put(b, 0xE8), imm == 4 ? put32(b, rnd() % 0x10000 - 0x8000) : put16(b, (uint16_t)rnd()); }
    else if (w < 660) { put(b, (uint8_t)(0x70 + (rnd() & 15))), put(b, (uint8_t)rnd()); }
    else if (w < 680) { put(b, 0x0F), put(b, (uint8_t)(0x80 + (rnd() & 15))), imm == 4 ? put32(b, rnd() % 0x1000) : put16(b, (uint16_t)rnd()); }
    else if (w < 710) { if (rnd() & 1) put(b, 0xEB), put(b, (uint8_t)rnd()); else put(b, 0xE9), imm == 4 ? put32(b, rnd() % 0x1000) : put16(b, (uint16_t)rnd()); }
    else if (w < 750) { put(b, (rnd() & 1) ? 0x39 : 0x3B), modrm_operand(b, reg, code32); }
    else if (w < 790) { put(b, 0x83), modrm_operand(b, 7, code32), put(b, (uint8_t)rnd()); }
    else if (w < 820) { put(b, 0x85), put(b, (uint8_t)(0xC0 | reg << 3 | reg)); }
    else if (w < 860) { put(b, 0x83), modrm_operand(b, (rnd() & 1) ? 0 : 5, code32), put(b, (uint8_t)rnd()); }
    else if (w < 910) { static const uint8_t alu[] = {0x01, 0x03, 0x29, 0x2B, 0x21, 0x23, 0x09, 0x31, 0x33};
        put(b, alu[rnd() % 9]), modrm_operand(b, reg, code32); }
    else if (w < 940) { put(b, 0x0F), put(b, (uint8_t)(0xB6 + (rnd() & 1) + (rnd() & 1) * 8)), modrm_operand(b, reg, code32); }
    else if (w < 960) { put(b, (rnd() % 3) ? 0xC3 : 0xC9); }
    else if (w < 970) { put(b, (uint8_t)(((rnd() & 1) ? 0x40 : 0x48) + reg)); }
    else if (w < 975) { put(b, 0xC1), put(b, (uint8_t)(0xE0 | (rnd() & 1) << 3 | reg)), put(b, (uint8_t)(rnd() & 31)); }
    else if (w < 980) { put(b, 0x0F), put(b, (rnd() & 1) ? 0xAF : (uint8_t)(0x40 + (rnd() & 15))), modrm_operand(b, reg, code32); }
    else if (w < 985) { unsigned k = rnd() % 3; /* nop padding */
        if (k == 0) put(b, 0x90);
        else if (k == 1) put(b, 0x66), put(b, 0x90);
        else if (code32) put(b, 0x0F), put(b, 0x1F), put(b, 0x44), put(b, 0x00), put(b, 0x00);
        else put(b, 0x0F), put(b, 0x1F), put(b, 0x00);
    }
    else if (w < 992) { static const uint8_t sse[] = {0x10, 0x11, 0x58, 0x59, 0x5C, 0x2A, 0x2C};
        put(b, (rnd() & 1) ? 0xF2 : 0xF3), put(b, 0x0F), put(b, sse[rnd() % 7]), modrm_operand(b, reg & 7, code32); }
    else if (w < 996) { put(b, 0xDD), modrm_operand(b, (rnd() & 1) ? 0 : 3, code32); /* fld/fstp m64 */ }
    else if (w < 998) { put(b, 0xF3), put(b, (rnd() & 1) ? 0xA5 : 0xAB); }
    else { put(b, 0x66), put(b, 0x89), modrm_operand(b, reg, code32); }
}

/* CPU time of this thread: the machine is shared, and time spent descheduled is not the
 * decoder's. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* How many bytes each decode() call is given: all that is left, or at most 15 as the
 * CPU's instruction fetch does. */
static size_t window = (size_t)-1;

/* Decodes buf linearly once; returns instructions decoded. */
static unsigned long decode_pass(const uint8_t *buf, size_t n, bool code32, unsigned long *sink)
{
    unsigned long count = 0;
    DecodedInsn insn;
    for (size_t pos = 0; pos < n;) {
        size_t avail = n - pos < window ? n - pos : window;
        if (decode(buf + pos, avail, code32, &insn) == DEC_OK) {
            pos += insn.len;
            count++;
            *sink += insn.op + insn.opnd[0].reg;
        } else {
            pos++;
        }
    }
    return count;
}

/* Decodes the workload in trials of about secs/TRIALS CPU seconds each and reports the
 * best and the median trial: on a shared machine the best is the decoder's own speed, the
 * median shows how noisy the run was. */
#define TRIALS 7
static void bench(const char *name, const uint8_t *buf, size_t n, bool code32, double secs)
{
    unsigned long sink = 0, per_pass = decode_pass(buf, n, code32, &sink);
    double rate[TRIALS];
    for (unsigned k = 0; k < TRIALS; k++) {
        unsigned long total = 0;
        double t0 = now(), t;
        do {
            total += decode_pass(buf, n, code32, &sink);
            t = now() - t0;
        } while (t < secs / TRIALS);
        rate[k] = total / t / 1e6;
    }
    for (unsigned a = 1; a < TRIALS; a++) /* sort, descending */
        for (unsigned b = a; b > 0 && rate[b] > rate[b - 1]; b--) {
            double x = rate[b];
            rate[b] = rate[b - 1];
            rate[b - 1] = x;
        }
    printf("decoder: %-28s %7.1f M insn/s  (median %.1f; %lu insns per pass, %zu bytes)%s\n",
           name, rate[0], rate[TRIALS / 2], per_pass, n, sink == 42 ? " " : "");
}

static bool load(const char *path, Buf *b)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    int c;
    while ((c = fgetc(f)) != EOF)
        put(b, (uint8_t)c);
    fclose(f);
    /* ROM padding is not code: drop runs of 16 or more 0x00 or 0xFF bytes */
    size_t k = 0;
    for (size_t i = 0; i < b->n;) {
        size_t j = i;
        while (j < b->n && b->p[j] == b->p[i])
            j++;
        bool pad = (b->p[i] == 0x00 || b->p[i] == 0xFF) && j - i >= 16;
        for (size_t m = i; m < j && !pad; m++)
            b->p[k++] = b->p[m];
        i = j;
    }
    b->n = k;
    return true;
}

int main(int argc, char **argv)
{
    double secs = 1.0;
    int first_file = 1;
    if (argc > 2 && !strcmp(argv[1], "--seconds")) {
        secs = atof(argv[2]);
        first_file = 3;
    }
    decode_init();
    Buf s32 = {0}, s16 = {0};
    while (s32.n < (4u << 20))
        emit(&s32, true);
    while (s16.n < (2u << 20))
        emit(&s16, false);
    bench("synthetic-32", s32.p, s32.n, true, secs);
    bench("synthetic-16", s16.p, s16.n, false, secs);
    window = INSN_MAX_LEN;
    bench("synthetic-32, 15-byte fetch", s32.p, s32.n, true, secs);
    window = (size_t)-1;
    for (int i = first_file; i < argc; i++) {
        Buf f = {0};
        if (!load(argv[i], &f)) {
            fprintf(stderr, "decoder-bench: cannot read %s\n", argv[i]);
            continue;
        }
        const char *base = strrchr(argv[i], '/');
        base = base ? base + 1 : argv[i];
        if (f.n < 1024) { /* the timer would measure the loop, not the decoder */
            printf("decoder: %-28s skipped: %zu bytes of code, too small to time\n", base, f.n);
            free(f.p);
            continue;
        }
        char name[64];
        snprintf(name, sizeof name, "%.20s/16", base);
        bench(name, f.p, f.n, false, secs / 4);
        snprintf(name, sizeof name, "%.20s/32", base);
        bench(name, f.p, f.n, true, secs / 4);
        free(f.p);
    }
    free(s32.p);
    free(s16.p);
    return 0;
}
