/* check_screen.c — checks a vmm86 screenshot of a text-mode screen against the video memory
 * it shows (tests/display). It knows nothing of vmm86's renderer: from the VGA dump written
 * by --screendump-vga it reads the characters and attributes (planes 0 and 1), the font
 * (plane 2), the attribute palette and the DAC, computes every text cell's pixels itself,
 * and compares them with the PNG written by --screenshot. It also checks that the expected
 * strings are on the screen (in video memory and in the --screendump-text file) and,
 * given the window's PNG (--screenshot-window), that the window shows the same pixels
 * scaled by whole factors.
 *
 * A mode 13h screen is checked pixel by pixel against the chained planes and the DAC.
 *
 * Usage: check_screen FRAME.png VGA.bin TEXT.txt [--window WINDOW.png] STRING...
 * Exit status 0 when everything matches; 1 with one line per problem otherwise. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct Image {
    int w, h;
    uint32_t *px; /* 0x00RRGGBB */
} Image;

static int failures;

__attribute__((format(printf, 1, 2))) static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "check_screen: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures++;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    *len = n;
    return buf;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* PNG: 8-bit RGB, no interlace, every row with filter 0 (what vmm86 writes). */
static bool load_png(const char *path, Image *img)
{
    size_t len;
    uint8_t *f = read_file(path, &len);
    if (!f || len < 8 || memcmp(f, "\x89PNG\r\n\x1a\n", 8)) {
        free(f);
        return false;
    }
    uint8_t *idat = NULL;
    size_t idat_len = 0, pos = 8;
    while (pos + 12 <= len) {
        uint32_t n = be32(f + pos);
        const uint8_t *type = f + pos + 4, *data = f + pos + 8;
        if (n > len - pos - 12)
            break;
        if (crc32(crc32(0, type, 4), data, n) != be32(data + n))
            break;
        if (!memcmp(type, "IHDR", 4) && n == 13) {
            img->w = (int)be32(data);
            img->h = (int)be32(data + 4);
            if (data[8] != 8 || data[9] != 2 || data[12] != 0)
                break;
        } else if (!memcmp(type, "IDAT", 4)) {
            idat = realloc(idat, idat_len + n);
            memcpy(idat + idat_len, data, n);
            idat_len += n;
        } else if (!memcmp(type, "IEND", 4)) {
            break;
        }
        pos += 12 + n;
    }
    free(f);
    if (!idat || img->w <= 0 || img->h <= 0 || img->w > 8192 || img->h > 8192) {
        free(idat);
        return false;
    }
    size_t row = 1 + 3 * (size_t)img->w;
    uLongf raw_len = (uLongf)(row * (size_t)img->h);
    uint8_t *raw = malloc(raw_len);
    bool ok = raw && uncompress(raw, &raw_len, idat, (uLong)idat_len) == Z_OK &&
              raw_len == row * (size_t)img->h;
    free(idat);
    img->px = ok ? malloc(sizeof(uint32_t) * (size_t)img->w * (size_t)img->h) : NULL;
    for (int y = 0; ok && y < img->h; y++) {
        const uint8_t *r = raw + row * (size_t)y;
        ok = r[0] == 0;
        for (int x = 0; ok && x < img->w; x++)
            img->px[(size_t)y * img->w + x] =
                (uint32_t)r[1 + 3 * x] << 16 | (uint32_t)r[2 + 3 * x] << 8 | r[3 + 3 * x];
    }
    free(raw);
    return ok;
}

/* The --screendump-vga layout (frontends/display.h). */
typedef struct VgaDump {
    uint8_t misc, seq[8], gc[16], crtc[32], attr[32], attr_index, pel_mask, dac8;
    uint8_t dac[768];
    const uint8_t *planes; /* byte p of planar offset o at o * 4 + p */
} VgaDump;

static bool load_dump(const char *path, VgaDump *d, uint8_t **buf)
{
    size_t len;
    uint8_t *f = read_file(path, &len);
    size_t head = 8 + 1 + 1 + 8 + 16 + 32 + 32 + 3;
    if (!f || len != head + 768 + 4 * 65536 || memcmp(f, "VMM86VGA", 8) || f[8] != 1) {
        free(f);
        return false;
    }
    const uint8_t *p = f + 9;
    d->misc = *p++;
    memcpy(d->seq, p, 8), p += 8;
    memcpy(d->gc, p, 16), p += 16;
    memcpy(d->crtc, p, 32), p += 32;
    memcpy(d->attr, p, 32), p += 32;
    d->attr_index = *p++;
    d->pel_mask = *p++;
    d->dac8 = *p++;
    memcpy(d->dac, p, 768), p += 768;
    d->planes = p;
    *buf = f;
    return true;
}

static uint8_t plane(const VgaDump *d, int p, uint32_t off)
{
    return d->planes[(off & 0xFFFF) * 4 + p];
}

/* A 4-bit text colour: attribute palette, colour select, PEL mask, DAC, 8-bit widening. */
static uint32_t text_color(const VgaDump *d, unsigned c)
{
    uint8_t pal = d->attr[c & d->attr[0x12] & 0xF];
    unsigned idx = (d->attr[0x10] & 0x80) ? ((pal & 0xF) | (d->attr[0x14] & 3u) << 4) : pal;
    idx = (idx | (d->attr[0x14] & 0xCu) << 4) & d->pel_mask;
    uint32_t rgb = 0;
    for (int i = 0; i < 3; i++) {
        uint32_t v = d->dac[idx * 3 + i];
        if (!d->dac8)
            v = ((v & 0x3F) << 2) | ((v & 0x3F) >> 4);
        rgb = rgb << 8 | v;
    }
    return rgb;
}

typedef struct TextGeom {
    int cols, rows, cw, ch;
    uint32_t start, stride, cursor;
    bool cursor_on;
} TextGeom;

static void text_geometry(const VgaDump *d, TextGeom *g)
{
    const uint8_t *cr = d->crtc;
    uint32_t vde = cr[0x12] | ((cr[7] >> 1) & 1u) << 8 | ((cr[7] >> 6) & 1u) << 9;
    g->cols = cr[1] + 1;
    g->cw = (d->seq[1] & 1) ? 8 : 9;
    g->ch = ((cr[9] & 0x1F) + 1) * ((cr[9] & 0x80) ? 2 : 1);
    g->rows = (int)(vde + 1) / g->ch;
    g->start = (uint32_t)cr[0x0C] << 8 | cr[0x0D];
    g->stride = cr[0x13] * 2u;
    g->cursor = (uint32_t)cr[0x0E] << 8 | cr[0x0F];
    g->cursor_on = !(cr[0x0A] & 0x20);
}

/* Word-mode text: counter value -> planar offset (MA15 into bit 0 when wrap is set). */
static uint32_t text_offset(const VgaDump *d, uint32_t ma)
{
    return (ma << 1) | ((ma >> ((d->crtc[0x17] & 0x20) ? 15 : 13)) & 1);
}

/* Compares one cell of the frame with the glyph from plane 2. Blinking text and the
 * cursor depend on the frame count, so those cells are not compared. */
static void check_cell(const VgaDump *d, const TextGeom *g, const Image *f, int r, int c)
{
    uint32_t ma = g->start + (uint32_t)r * g->stride + (uint32_t)c;
    uint32_t a = text_offset(d, ma);
    uint8_t chr = plane(d, 0, a), at = plane(d, 1, a);
    bool blink = d->attr[0x10] & 0x08;
    if ((blink && (at & 0x80)) || (g->cursor_on && ma == g->cursor))
        return;
    uint8_t sr = d->seq[3];
    unsigned m = (at & 8) ? (((sr >> 5) & 1u) << 2 | ((sr >> 2) & 3u))
                          : (((sr >> 4) & 1u) << 2 | (sr & 3u));
    uint32_t font = (m & 3) * 0x4000u + (m >> 2) * 0x2000u + chr * 32u;
    uint32_t fg = text_color(d, at & 0xF), bg = text_color(d, blink ? (at >> 4) & 7 : at >> 4);
    bool lg = (d->attr[0x10] & 0x04) && chr >= 0xC0 && chr <= 0xDF;
    int dbl = (d->crtc[9] & 0x80) ? 2 : 1;
    for (int y = 0; y < g->ch; y++) {
        uint8_t bits = plane(d, 2, font + (uint32_t)(y / dbl));
        for (int x = 0; x < g->cw; x++) {
            bool on = x < 8 ? (bits >> (7 - x)) & 1 : lg && (bits & 1);
            int px = c * g->cw + x, py = r * g->ch + y;
            if (f->px[(size_t)py * f->w + px] != (on ? fg : bg)) {
                fail("frame pixel %d,%d differs from the font in plane 2 (char 0x%02x, attr "
                     "0x%02x)", px, py, chr, at);
                return;
            }
        }
    }
}

/* Finds `s` in the characters of plane 0; returns false if it is not on the screen. */
static bool find_string(const VgaDump *d, const TextGeom *g, const char *s)
{
    size_t n = strlen(s);
    for (int r = 0; r < g->rows; r++) {
        for (int c = 0; c + (int)n <= g->cols; c++) {
            size_t i = 0;
            while (i < n && plane(d, 0, text_offset(d, g->start + (uint32_t)r * g->stride +
                                                           (uint32_t)(c + (int)i))) ==
                                (uint8_t)s[i])
                i++;
            if (i == n)
                return true;
        }
    }
    return false;
}

/* Mode 13h: pixel (x, y) is byte y * 320 + x of the chained memory, that is plane a & 3 at
 * planar offset a & ~3, shown through the PEL mask and the DAC. */
static void check_mode13(const VgaDump *d, const Image *f)
{
    uint32_t start = (uint32_t)d->crtc[0x0C] << 8 | d->crtc[0x0D];
    for (int y = 0; y < 200; y++) {
        for (int x = 0; x < 320; x++) {
            uint32_t a = start * 4 + (uint32_t)(y * 320 + x);
            unsigned idx = plane(d, (int)(a & 3), a & ~3u) & d->pel_mask;
            uint32_t rgb = 0;
            for (int i = 0; i < 3; i++) {
                uint32_t v = d->dac[idx * 3 + i];
                if (!d->dac8)
                    v = ((v & 0x3F) << 2) | ((v & 0x3F) >> 4);
                rgb = rgb << 8 | v;
            }
            if (f->px[(size_t)y * f->w + x] != rgb) {
                fail("mode 13h pixel %d,%d is %06x, video memory says %06x", x, y,
                     f->px[(size_t)y * f->w + x], rgb);
                return;
            }
        }
    }
}

static bool is_mode13(const VgaDump *d, const Image *f)
{
    return (d->attr[0x10] & 0x41) == 0x41 && (d->seq[4] & 0x08) && (d->crtc[0x14] & 0x40) &&
           f->w == 320 && f->h == 200;
}

static void check_window(const Image *frame, const char *path)
{
    Image win = {0};
    if (!load_png(path, &win)) {
        fail("cannot read the window screenshot %s", path);
        return;
    }
    if (win.w % frame->w || win.h % frame->h) {
        fail("window %s is %dx%d: not a whole multiple of the frame", path, win.w, win.h);
        free(win.px);
        return;
    }
    int sx = win.w / frame->w, sy = win.h / frame->h;
    for (int y = 0; y < win.h; y++) {
        for (int x = 0; x < win.w; x++) {
            if (win.px[(size_t)y * win.w + x] != frame->px[(size_t)(y / sy) * frame->w + x / sx]) {
                fail("window %s differs from the frame at %d,%d", path, x, y);
                free(win.px);
                return;
            }
        }
    }
    printf("check_screen: the window (%dx%d) shows the frame scaled %dx%d\n", win.w, win.h, sx,
           sy);
    free(win.px);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: check_screen FRAME.png VGA.bin TEXT.txt [--window W.png] STRING...\n");
        return 2;
    }
    Image frame = {0};
    VgaDump d;
    uint8_t *dump_buf = NULL;
    size_t text_len = 0;
    char *text = (char *)read_file(argv[3], &text_len);
    if (!load_png(argv[1], &frame) || !load_dump(argv[2], &d, &dump_buf) || !text) {
        fprintf(stderr, "check_screen: cannot read %s, %s or %s\n", argv[1], argv[2], argv[3]);
        return 1;
    }
    text = realloc(text, text_len + 1);
    text[text_len] = 0;
    TextGeom g;
    text_geometry(&d, &g);
    bool mode13 = is_mode13(&d, &frame);
    if (!mode13 && ((d.attr[0x10] & 1) || frame.w != g.cols * g.cw || frame.h != g.rows * g.ch)) {
        fprintf(stderr, "check_screen: not a text screen (frame %dx%d, %d x %d cells of %dx%d)\n",
                frame.w, frame.h, g.cols, g.rows, g.cw, g.ch);
        return 1;
    }
    int i = 4;
    const char *window = NULL;
    if (i + 1 < argc && !strcmp(argv[i], "--window")) {
        window = argv[i + 1];
        i += 2;
    }
    for (; i < argc && !mode13; i++) {
        if (!find_string(&d, &g, argv[i]))
            fail("'%s' is not in text memory", argv[i]);
        if (!strstr(text, argv[i]))
            fail("'%s' is not in the text dump", argv[i]);
    }
    if (mode13)
        check_mode13(&d, &frame);
    for (int r = 0; r < g.rows && !mode13; r++)
        for (int c = 0; c < g.cols; c++)
            check_cell(&d, &g, &frame, r, c);
    if (window)
        check_window(&frame, window);
    if (!failures && mode13)
        printf("check_screen: 320x200 mode 13h screen matches video memory\n");
    else if (!failures)
        printf("check_screen: %dx%d text screen (%d x %d cells) matches video memory\n", frame.w,
               frame.h, g.cols, g.rows);
    free(frame.px);
    free(dump_buf);
    free(text);
    return failures ? 1 : 0;
}
