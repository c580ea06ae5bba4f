/* vga_render.c — draws the screen the guest programmed into 0x00RRGGBB pixels: text modes
 * (fonts from plane 2, 8/9-dot cells, cursor, blink), the planar 16-colour, CGA 4-colour
 * and 256-colour shift modes (chained or mode X), and the VBE modes: 4 bpp planar, 8 bpp
 * through the DAC, 15/16/24/32 bpp direct colour (see vga.h).
 *
 * The CRTC is followed as the hardware scans: a row counter that advances by Offset * 2
 * every (max scan line + 1) scan lines (twice as slowly with double scanning), reset by
 * the line compare; byte, word or doubleword address mapping; the CGA/Hercules row-scan
 * substitutions of address bits 13 and 14. Graphics modes whose scan lines repeat are
 * drawn once per repeat, so mode 13h gives a 320x200 frame, not 320x400. */
#include <stdlib.h>
#include <string.h>

#include "devices/vga_internal.h"

/* One scan of the CRTC: what the renderer needs for a mode. */
typedef struct Scan {
    int cols;           /* character clocks per line */
    int vlines;         /* scan lines displayed */
    int row_h;          /* scan lines per character row */
    bool dscan;         /* every scan line shown twice */
    uint32_t start;     /* start address (counter units) */
    uint32_t stride;    /* counter units per character row */
    uint32_t line_cmp;  /* scan line where the counter restarts at 0 */
    int preset;         /* row scan of the first line */
} Scan;

static bool ensure_frame(Vga *v, int w, int h)
{
    if (w < 1)
        w = 1;
    if (h < 1)
        h = 1;
    size_t need = (size_t)w * (size_t)h;
    if (need > v->frame_cap) {
        uint32_t *p = realloc(v->frame.pixels, need * sizeof *p);
        if (!p)
            return false;
        v->frame.pixels = p;
        v->frame_cap = need;
    }
    v->frame.width = v->frame.stride = w;
    v->frame.height = h;
    v->frame.text = false;
    v->frame.cols = v->frame.rows = v->frame.cell_w = v->frame.cell_h = 0;
    return true;
}

static void read_scan(const Vga *v, Scan *s)
{
    const uint8_t *cr = v->crtc;
    s->cols = cr[CR_HDISP_END] + 1;
    s->vlines = (int)vga_vertical(v, CR_VDISP_END, 1, 6) + 1;
    s->row_h = (cr[CR_MAX_SCAN] & 0x1F) + 1;
    s->dscan = (cr[CR_MAX_SCAN] & 0x80) != 0;
    s->start = ((uint32_t)cr[CR_START_HI] << 8 | cr[CR_START_LO]) + ((cr[CR_PRESET_ROW] >> 5) & 3);
    s->stride = (uint32_t)cr[CR_OFFSET] * 2;
    s->line_cmp = cr[CR_LINE_COMPARE] | ((cr[CR_OVERFLOW] >> 4) & 1u) << 8 |
                  ((cr[CR_MAX_SCAN] >> 6) & 1u) << 9;
    s->preset = cr[CR_PRESET_ROW] & 0x1F;
}

/* CRTC counter -> planar offset: byte, word (rotating MA13 or MA15 into bit 0) or
 * doubleword (MA14-15 into bits 0-1) mapping, then the row-scan substitutions. */
static uint32_t counter_to_planar(const Vga *v, uint32_t ma, int rs)
{
    uint8_t mode = v->crtc[CR_MODE];
    uint32_t a;
    if (v->crtc[CR_UNDERLINE] & 0x40)
        a = (ma << 2) | ((ma >> 14) & 3);
    else if (!(mode & 0x40))
        a = (ma << 1) | ((ma >> ((mode & 0x20) ? 15 : 13)) & 1);
    else
        a = ma;
    if (!(mode & 0x01))
        a = (a & ~0x2000u) | (uint32_t)(rs & 1) << 13;
    if (!(mode & 0x02))
        a = (a & ~0x4000u) | (uint32_t)(rs & 2) << 13;
    return a & (VGA_PLANE_SIZE - 1);
}

static uint32_t char_clock_divider(const Vga *v)
{
    if (v->crtc[CR_UNDERLINE] & 0x20)
        return 2; /* count by 4 */
    return (v->crtc[CR_MODE] & 0x08) ? 1 : 0; /* count by 2 */
}

/* A 4-bit attribute/pixel value through the attribute controller to a DAC index. */
static uint8_t attr_to_index(const Vga *v, unsigned c)
{
    uint8_t pal = v->attr[c & v->attr[AC_PLANE_ENABLE] & 0xF];
    uint8_t cs = v->attr[AC_COLOR_SELECT];
    unsigned idx = (v->attr[AC_MODE] & 0x80) ? ((pal & 0x0F) | (cs & 3u) << 4) : (pal & 0x3Fu);
    return (uint8_t)((idx | (cs & 0x0Cu) << 4) & v->pel_mask);
}

/* Blink phases from the virtual clock: the cursor toggles every 8 frames, blinking
 * characters every 16. */
static void blink_phase(const Vga *v, bool *cursor_on, bool *chars_on)
{
    VgaTiming t;
    vga_timing(v, &t);
    uint64_t frame = sched_now(v->sched) / t.frame_ns;
    *cursor_on = ((frame >> 3) & 1) == 0;
    *chars_on = ((frame >> 4) & 1) == 0;
}

/* Font offset in plane 2 for an attribute (bit 3 picks map A over map B). */
static uint32_t font_base(const Vga *v, uint8_t attr)
{
    uint8_t sr = v->seq[SEQ_CHAR_MAP];
    unsigned m = (attr & 0x08) ? (((sr >> 5) & 1u) << 2 | ((sr >> 2) & 3u))
                               : (((sr >> 4) & 1u) << 2 | (sr & 3u));
    return (m & 3) * 0x4000u + (m >> 2) * 0x2000u;
}

typedef struct TextState {
    uint32_t rgb[256];
    uint32_t cursor;
    int cur_start, cur_end;
    bool cursor_on, chars_on, blink, line_gfx, nine;
} TextState;

/* One character cell's `rs`-th line into out[0..cw-1]. */
static void text_cell(const Vga *v, const TextState *ts, uint32_t ma, int rs, uint32_t *out)
{
    uint32_t a = counter_to_planar(v, ma, rs);
    uint8_t ch = vga_plane(v, 0, a), at = vga_plane(v, 1, a);
    uint8_t bits = vga_plane(v, 2, font_base(v, at) + ch * 32u + (uint32_t)(rs & 31));
    unsigned fg = at & 0xF, bg = at >> 4;
    if (ts->blink) {
        bg &= 7;
        if ((at & 0x80) && !ts->chars_on)
            fg = bg;
    }
    if ((v->attr[AC_MODE] & 0x02) && (at & 0x77) == 0x01 &&
        rs == (v->crtc[CR_UNDERLINE] & 0x1F))
        bits = 0xFF; /* monochrome underline */
    if (ma == ts->cursor && ts->cursor_on && rs >= ts->cur_start && rs <= ts->cur_end)
        bits = 0xFF;
    uint32_t f = ts->rgb[attr_to_index(v, fg)], b = ts->rgb[attr_to_index(v, bg)];
    for (int i = 0; i < 8; i++)
        out[i] = (bits & (0x80 >> i)) ? f : b;
    if (ts->nine)
        out[8] = (ts->line_gfx && ch >= 0xC0 && ch <= 0xDF && (bits & 1)) ? f : b;
}

typedef void (*LineFn)(const Vga *v, const void *ctx, uint32_t row_addr, int rs, int chars,
                       uint32_t *out);

static void text_line(const Vga *v, const void *ctx, uint32_t row_addr, int rs, int chars,
                      uint32_t *out)
{
    const TextState *ts = ctx;
    int cw = ts->nine ? 9 : 8;
    unsigned div = char_clock_divider(v);
    for (int c = 0; c < chars; c++)
        text_cell(v, ts, row_addr + ((uint32_t)c >> div), rs, out + c * cw);
}

/* Graphics: each character clock fetches the four plane bytes of one planar offset. */
static void graphics_line(const Vga *v, const void *ctx, uint32_t row_addr, int rs,
                          int chars, uint32_t *out)
{
    const uint32_t *rgb = ctx;
    unsigned div = char_clock_divider(v);
    bool p256 = v->attr[AC_MODE] & 0x40, cga = v->gc[GC_MODE] & 0x20;
    for (int c = 0; c < chars; c++) {
        uint32_t a = counter_to_planar(v, row_addr + ((uint32_t)c >> div), rs);
        uint8_t p[4] = {vga_plane(v, 0, a), vga_plane(v, 1, a), vga_plane(v, 2, a),
                        vga_plane(v, 3, a)};
        if (p256) {
            for (int i = 0; i < 4; i++)
                *out++ = rgb[p[i] & v->pel_mask];
            continue;
        }
        for (int i = 0; i < 8; i++) {
            unsigned px;
            if (cga) {
                int sh = 6 - 2 * (i & 3);
                unsigned lo = i < 4 ? p[0] : p[1], hi = i < 4 ? p[2] : p[3];
                px = ((lo >> sh) & 3) | ((hi >> sh) & 3) << 2;
            } else {
                int b = 7 - i;
                px = ((p[0] >> b) & 1) | ((p[1] >> b) & 1) << 1 | ((p[2] >> b) & 1) << 2 |
                     ((p[3] >> b) & 1) << 3;
            }
            *out++ = rgb[attr_to_index(v, px)];
        }
    }
}

/* Runs the CRTC's scan: calls `fn` for every displayed scan line whose index is a multiple
 * of `repeat`, drawing it (shifted left by `pan` pixels) as output line y / repeat. */
static void scan_frame(Vga *v, const Scan *s, int repeat, int cell_px, int pan, LineFn fn,
                       const void *ctx)
{
    int chars = s->cols + (pan ? 1 : 0);
    uint32_t *line = malloc((size_t)chars * (size_t)cell_px * sizeof *line);
    if (!line)
        return;
    uint32_t row_addr = s->start;
    int rs = s->preset % s->row_h, width = v->frame.width;
    for (int y = 0; y < s->vlines; y++) {
        if ((uint32_t)y == s->line_cmp && y) {
            row_addr = 0;
            rs = 0;
            if (v->attr[AC_MODE] & 0x20)
                pan = 0; /* pixel panning compatibility: the split screen does not pan */
        }
        if (y % repeat == 0 && y / repeat < v->frame.height) {
            fn(v, ctx, row_addr, rs, chars, line);
            memcpy(v->frame.pixels + (size_t)(y / repeat) * v->frame.stride, line + pan,
                   (size_t)width * sizeof *line);
        }
        if (!s->dscan || (y & 1)) {
            if (++rs >= s->row_h) {
                rs = 0;
                row_addr += s->stride;
            }
        }
    }
    free(line);
}

static void fill_rgb(const Vga *v, uint32_t rgb[256])
{
    for (unsigned i = 0; i < 256; i++)
        rgb[i] = vga_dac_rgb(v, i);
}

static void render_text(Vga *v, const Scan *s)
{
    TextState ts;
    fill_rgb(v, ts.rgb);
    ts.nine = !(v->seq[SEQ_CLOCKING] & 1);
    ts.blink = v->attr[AC_MODE] & 0x08;
    ts.line_gfx = v->attr[AC_MODE] & 0x04;
    ts.cursor = (uint32_t)v->crtc[CR_CURSOR_HI] << 8 | v->crtc[CR_CURSOR_LO];
    ts.cur_start = v->crtc[CR_CURSOR_START] & 0x1F;
    ts.cur_end = v->crtc[CR_CURSOR_END] & 0x1F;
    blink_phase(v, &ts.cursor_on, &ts.chars_on);
    if (v->crtc[CR_CURSOR_START] & 0x20)
        ts.cursor_on = false;
    int cw = ts.nine ? 9 : 8;
    if (!ensure_frame(v, s->cols * cw, s->vlines))
        return;
    int cell_h = s->row_h * (s->dscan ? 2 : 1);
    v->frame.text = true;
    v->frame.cols = s->cols;
    v->frame.rows = s->vlines / cell_h;
    v->frame.cell_w = cw;
    v->frame.cell_h = cell_h;
    unsigned p = v->attr[AC_PANNING] & 0xF;
    int pan = ts.nine ? (p >= 8 ? 0 : (int)p + 1) : (int)(p & 7);
    scan_frame(v, s, 1, cw, pan, text_line, &ts);
}

static void render_graphics(Vga *v, const Scan *s)
{
    uint32_t rgb[256];
    fill_rgb(v, rgb);
    bool p256 = v->attr[AC_MODE] & 0x40;
    int px_per_char = p256 ? 4 : 8;
    /* Scan lines that repeat the same memory are drawn once. */
    bool substituted = !(v->crtc[CR_MODE] & 0x01) || !(v->crtc[CR_MODE] & 0x02);
    int repeat = (s->dscan ? 2 : 1) * (substituted ? 1 : s->row_h);
    if (repeat > s->vlines)
        repeat = 1;
    if (!ensure_frame(v, s->cols * px_per_char, s->vlines / repeat))
        return;
    unsigned p = v->attr[AC_PANNING];
    int pan = p256 ? (int)((p >> 1) & 3) : (int)(p & 7);
    scan_frame(v, s, repeat, px_per_char, pan, graphics_line, rgb);
}

static uint32_t vbe_pixel(const Vga *v, const uint8_t *p, unsigned bpp, const uint32_t *rgb)
{
    switch (bpp) {
    case 8:
        return rgb[p[0]];
    case 15: {
        unsigned w = p[0] | p[1] << 8;
        unsigned r = (w >> 10) & 31, g = (w >> 5) & 31, b = w & 31;
        return (r << 3 | r >> 2) << 16 | (g << 3 | g >> 2) << 8 | (b << 3 | b >> 2);
    }
    case 16: {
        unsigned w = p[0] | p[1] << 8;
        unsigned r = (w >> 11) & 31, g = (w >> 5) & 63, b = w & 31;
        return (r << 3 | r >> 2) << 16 | (g << 2 | g >> 4) << 8 | (b << 3 | b >> 2);
    }
    default: /* 24 and 32: blue, green, red in memory order */
        return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
    }
}

/* 4 bpp: pixel x of a line is bit 7 - x % 8 of the four planes at offset x / 8, through the
 * attribute palette as in the VGA's 16-colour modes. */
static void render_vbe_planar(Vga *v)
{
    const uint16_t *r = v->vbe_regs;
    int w = r[VBE_DISPI_INDEX_XRES], h = r[VBE_DISPI_INDEX_YRES];
    uint64_t line = r[VBE_DISPI_INDEX_VIRT_WIDTH] / 8u;
    uint64_t x0 = r[VBE_DISPI_INDEX_X_OFFSET];
    uint32_t rgb[256];
    fill_rgb(v, rgb);
    for (int y = 0; y < h; y++) {
        uint32_t *out = v->frame.pixels + (size_t)y * v->frame.stride;
        uint64_t first = ((uint64_t)r[VBE_DISPI_INDEX_Y_OFFSET] + (uint64_t)y) * line;
        if ((first + (x0 + (uint64_t)w + 7) / 8) * 4 > VGA_VRAM_SIZE) {
            memset(out, 0, (size_t)w * sizeof *out); /* past video memory: black */
            continue;
        }
        for (int x = 0; x < w; x++) {
            uint64_t px = x0 + (uint64_t)x;
            const uint8_t *p = v->vram + (first + px / 8) * 4;
            int b = 7 - (int)(px & 7);
            unsigned c = ((p[0] >> b) & 1) | ((p[1] >> b) & 1) << 1 | ((p[2] >> b) & 1) << 2 |
                         ((p[3] >> b) & 1) << 3;
            out[x] = rgb[attr_to_index(v, c)];
        }
    }
}

static void render_vbe(Vga *v)
{
    const uint16_t *r = v->vbe_regs;
    int w = r[VBE_DISPI_INDEX_XRES], h = r[VBE_DISPI_INDEX_YRES];
    if (!ensure_frame(v, w, h))
        return;
    if (r[VBE_DISPI_INDEX_BPP] == 4) {
        render_vbe_planar(v);
        return;
    }
    uint32_t rgb[256];
    fill_rgb(v, rgb);
    unsigned bpp = r[VBE_DISPI_INDEX_BPP], bytes = vga_vbe_bytes_pp(v);
    uint64_t line = vga_vbe_line_bytes(v);
    uint64_t start = (uint64_t)r[VBE_DISPI_INDEX_Y_OFFSET] * line +
                     (uint64_t)r[VBE_DISPI_INDEX_X_OFFSET] * bytes;
    for (int y = 0; y < h; y++) {
        uint32_t *out = v->frame.pixels + (size_t)y * v->frame.stride;
        uint64_t off = start + (uint64_t)y * line;
        if (off + (uint64_t)w * bytes > VGA_VRAM_SIZE) {
            memset(out, 0, (size_t)w * sizeof *out); /* past video memory: black */
            continue;
        }
        const uint8_t *src = v->vram + off;
        for (int x = 0; x < w; x++, src += bytes)
            out[x] = vbe_pixel(v, src, bpp, rgb);
    }
}

const VgaFrame *vga_render(Vga *v)
{
    if (vga_vbe_on(v)) {
        render_vbe(v);
        return &v->frame;
    }
    Scan s;
    read_scan(v, &s);
    if (v->attr[AC_MODE] & 0x01)
        render_graphics(v, &s);
    else
        render_text(v, &s);
    bool blank = !(v->attr_index & AC_PAS) || (v->seq[SEQ_CLOCKING] & 0x20);
    if (blank && v->frame.pixels) {
        for (int y = 0; y < v->frame.height; y++)
            memset(v->frame.pixels + (size_t)y * v->frame.stride, 0,
                   (size_t)v->frame.width * sizeof(uint32_t));
    }
    return &v->frame;
}

bool vga_text_dump(const Vga *v, char *buf, size_t cap)
{
    if (vga_vbe_on(v) || (v->attr[AC_MODE] & 0x01) || cap == 0)
        return false;
    Scan s;
    read_scan(v, &s);
    int rows = s.vlines / (s.row_h * (s.dscan ? 2 : 1));
    unsigned div = char_clock_divider(v);
    size_t n = 0;
    for (int r = 0; r < rows; r++) {
        uint32_t row_addr = s.start + (uint32_t)r * s.stride;
        for (int c = 0; c < s.cols && n + 1 < cap; c++) {
            uint8_t ch = vga_plane(v, 0, counter_to_planar(v, row_addr + ((uint32_t)c >> div), 0));
            buf[n++] = (char)(ch >= 0x20 && ch < 0x7F ? ch : (ch == 0 ? ' ' : '.'));
        }
        if (n + 1 < cap)
            buf[n++] = '\n';
    }
    buf[n] = 0;
    return true;
}
