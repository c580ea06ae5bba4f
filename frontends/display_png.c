/* display_png.c — a minimal PNG writer (8-bit RGB, no interlace, one zlib stream) for
 * screenshots (see display.h). The format follows the PNG specification (ISO/IEC 15948):
 * signature, IHDR, one IDAT, IEND; each chunk closed by a CRC-32 over type and data. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "frontends/display.h"

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static bool write_chunk(FILE *f, const char type[4], const uint8_t *data, uint32_t len)
{
    uint8_t hdr[8];
    put_be32(hdr, len);
    memcpy(hdr + 4, type, 4);
    uLong crc = crc32(0L, (const Bytef *)type, 4);
    if (len)
        crc = crc32(crc, data, len);
    uint8_t tail[4];
    put_be32(tail, (uint32_t)crc);
    return fwrite(hdr, 1, 8, f) == 8 && (len == 0 || fwrite(data, 1, len, f) == len) &&
           fwrite(tail, 1, 4, f) == 4;
}

/* Raw scanlines: a filter byte 0 (none) then R, G, B per pixel. */
static uint8_t *raw_rows(const uint32_t *pixels, int w, int h, int stride, size_t *len)
{
    size_t row = 1 + 3 * (size_t)w;
    uint8_t *raw = malloc(row * (size_t)h);
    if (!raw)
        return NULL;
    for (int y = 0; y < h; y++) {
        uint8_t *o = raw + row * (size_t)y;
        const uint32_t *in = pixels + (size_t)y * (size_t)stride;
        *o++ = 0;
        for (int x = 0; x < w; x++) {
            *o++ = (uint8_t)(in[x] >> 16);
            *o++ = (uint8_t)(in[x] >> 8);
            *o++ = (uint8_t)in[x];
        }
    }
    *len = row * (size_t)h;
    return raw;
}

bool display_write_png(const char *path, const uint32_t *pixels, int w, int h, int stride,
                       char *err, size_t errlen)
{
    if (w <= 0 || h <= 0 || !pixels) {
        snprintf(err, errlen, "screenshot '%s': no frame to write", path);
        return false;
    }
    size_t raw_len = 0; /* raw_rows leaves it unset when allocation fails */
    uint8_t *raw = raw_rows(pixels, w, h, stride, &raw_len);
    uLongf zlen = compressBound((uLong)raw_len);
    uint8_t *z = raw ? malloc(zlen) : NULL;
    if (!z || compress2(z, &zlen, raw, (uLong)raw_len, 6) != Z_OK) {
        snprintf(err, errlen, "screenshot '%s': out of memory", path);
        free(raw);
        free(z);
        return false;
    }
    free(raw);
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "cannot create screenshot '%s': %s", path, strerror(errno));
        free(z);
        return false;
    }
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    uint8_t ihdr[13];
    put_be32(ihdr, (uint32_t)w);
    put_be32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 2;  /* colour type: RGB */
    ihdr[10] = ihdr[11] = ihdr[12] = 0; /* deflate, adaptive filtering, no interlace */
    bool ok = fwrite(sig, 1, 8, f) == 8 && write_chunk(f, "IHDR", ihdr, 13) &&
              write_chunk(f, "IDAT", z, (uint32_t)zlen) && write_chunk(f, "IEND", NULL, 0);
    free(z);
    if (fclose(f) != 0)
        ok = false;
    if (!ok)
        snprintf(err, errlen, "cannot write screenshot '%s'", path);
    return ok;
}
