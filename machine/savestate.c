/* savestate.c — see savestate.h. */
#include "machine/savestate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sw_init(StateWriter *w) { memset(w, 0, sizeof *w); }

void sw_free(StateWriter *w)
{
    free(w->buf);
    memset(w, 0, sizeof *w);
}

void sw_bytes(StateWriter *w, const void *data, size_t n)
{
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->len + n)
            cap *= 2;
        uint8_t *nb = realloc(w->buf, cap);
        if (!nb) {
            /* Out of host memory while saving: nothing sensible to continue with. */
            fprintf(stderr, "vmm86: out of memory while saving state\n");
            exit(1);
        }
        w->buf = nb;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, data, n);
    w->len += n;
}

void sw_u8(StateWriter *w, uint8_t v) { sw_bytes(w, &v, 1); }

void sw_u16(StateWriter *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    sw_bytes(w, b, 2);
}

void sw_u32(StateWriter *w, uint32_t v)
{
    sw_u16(w, (uint16_t)v);
    sw_u16(w, (uint16_t)(v >> 16));
}

void sw_u64(StateWriter *w, uint64_t v)
{
    sw_u32(w, (uint32_t)v);
    sw_u32(w, (uint32_t)(v >> 32));
}

void sr_init(StateReader *r, const void *buf, size_t len)
{
    r->buf = buf;
    r->len = len;
    r->pos = 0;
    r->error = false;
}

bool sr_bytes(StateReader *r, void *data, size_t n)
{
    if (r->error || n > r->len - r->pos) {
        r->error = true;
        memset(data, 0, n);
        return false;
    }
    memcpy(data, r->buf + r->pos, n);
    r->pos += n;
    return true;
}

uint8_t sr_u8(StateReader *r)
{
    uint8_t v;
    sr_bytes(r, &v, 1);
    return v;
}

uint16_t sr_u16(StateReader *r)
{
    uint8_t b[2];
    sr_bytes(r, b, 2);
    return (uint16_t)(b[0] | b[1] << 8);
}

uint32_t sr_u32(StateReader *r)
{
    uint32_t lo = sr_u16(r);
    return lo | (uint32_t)sr_u16(r) << 16;
}

uint64_t sr_u64(StateReader *r)
{
    uint64_t lo = sr_u32(r);
    return lo | (uint64_t)sr_u32(r) << 32;
}

bool sr_fail(StateReader *r)
{
    r->error = true;
    return false;
}
