/* vga.c — the VGA card's life cycle, its bus glue, frame timing, the option ROM and
 * save/restore (see vga.h). Registers are in vga_regs.c, the memory window in vga_mem.c,
 * VBE in vga_vbe.c and the renderer in vga_render.c. */
#include "devices/vga.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "devices/vga_internal.h"

#define VGA_SAVE_VERSION 1

bool vga_init(Vga *v, Scheduler *s)
{
    memset(v, 0, sizeof *v);
    v->sched = s;
    void *p = mmap(NULL, VGA_VRAM_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return false;
    v->vram = p;
    vga_reset(v);
    return true;
}

void vga_free(Vga *v)
{
    if (v->vram)
        munmap(v->vram, VGA_VRAM_SIZE);
    free(v->rom);
    free(v->frame.pixels);
    memset(v, 0, sizeof *v);
}

void vga_reset(Vga *v)
{
    vga_regs_reset(v);
    vga_vbe_reset(v);
    v->generation++;
}

/* ---- bus glue --------------------------------------------------------------------------- */

static uint32_t port_read(void *opaque, uint32_t addr, unsigned size)
{
    return vga_port_read(opaque, (uint16_t)(0x3B0 + addr));
}
static void port_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    vga_port_write(opaque, (uint16_t)(0x3B0 + addr), (uint8_t)value);
}
static const IoOps vga_port_ops = {port_read, port_write, 1};

/* The dispi ports take 16-bit accesses; a byte access reaches the same register. 0x1D0 is
 * a second data port (a word access at 0x1CF covers it). */
static uint16_t vbe_port(uint32_t addr)
{
    return addr == 0 ? VBE_DISPI_IOPORT_INDEX : VBE_DISPI_IOPORT_DATA;
}
static uint32_t vbe_read(void *opaque, uint32_t addr, unsigned size)
{
    uint16_t v = vga_vbe_read(opaque, vbe_port(addr));
    return size == 1 ? (v & 0xFF) : v;
}
static void vbe_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    vga_vbe_write(opaque, vbe_port(addr),
                  (uint16_t)(size == 1 ? (value & 0xFF) : value));
}
static const IoOps vga_vbe_ops = {vbe_read, vbe_write, 1 | 2};

static uint32_t window_read(void *opaque, uint32_t addr, unsigned size)
{
    return vga_mem_read(opaque, addr);
}
static void window_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    vga_mem_write(opaque, addr, (uint8_t)value);
}
static const IoOps vga_window_ops = {window_read, window_write, 1};

void vga_register(Vga *v, IoPortSpace *io, PhysMem *mem, uint32_t lfb_base)
{
    v->mem = mem;
    ioport_register(io, 0x3B0, 0x30, &vga_port_ops, v);
    ioport_register(io, VBE_DISPI_IOPORT_INDEX, 3, &vga_vbe_ops, v);
    physmem_map_mmio(mem, VGA_WINDOW_BASE, VGA_WINDOW_SIZE, &vga_window_ops, v);
    vga_set_lfb_base(v, lfb_base);
}

void vga_set_lfb_base(Vga *v, uint32_t base)
{
    if (!v->mem)
        return;
    if (v->lfb_base)
        physmem_unmap(v->mem, v->lfb_base, VGA_VRAM_SIZE);
    base &= ~(VGA_VRAM_SIZE - 1); /* a BAR of this size is naturally aligned */
    /* RAM decodes first below its top, and the firmware and APICs own the last 20 MiB: a
     * frame buffer placed there is not decoded (nothing of theirs is unmapped). */
    if (base < v->mem->ram_size || base > VGA_LFB_LIMIT - VGA_VRAM_SIZE)
        base = 0;
    v->lfb_base = base;
    if (base)
        physmem_map_host(v->mem, base, v->vram, VGA_VRAM_SIZE, true);
}

/* ---- option ROM ------------------------------------------------------------------------- */

bool vga_load_rom(Vga *v, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open VGA BIOS '%s': %s", path, strerror(errno));
        return false;
    }
    uint8_t *buf = malloc(VGA_ROM_MAX + 1);
    size_t n = buf ? fread(buf, 1, VGA_ROM_MAX + 1, f) : 0;
    fclose(f);
    if (!buf || n < 512 || n > VGA_ROM_MAX || buf[0] != 0x55 || buf[1] != 0xAA) {
        snprintf(err, errlen,
                 "VGA BIOS '%s' is not an option ROM (0x55 0xAA signature, 512 bytes to "
                 "%u KiB)",
                 path, VGA_ROM_MAX >> 10);
        free(buf);
        return false;
    }
    free(v->rom);
    v->rom = buf;
    v->rom_size = (uint32_t)n;
    return true;
}

/* ---- timing ----------------------------------------------------------------------------- */

/* VBE modes have no CRTC program: a 60 Hz frame with a short blanking interval. */
static void vbe_timing(const Vga *v, VgaTiming *t)
{
    uint32_t h = v->vbe_regs[VBE_DISPI_INDEX_YRES];
    t->vdisp = h;
    t->lines = h + h / 20 + 10;
    t->vrs = h + 2;
    t->vre = t->vrs + 4;
    t->frame_ns = 16666667;
    t->line_ns = t->frame_ns / t->lines;
    t->hdisp_ns = t->line_ns * 4 / 5;
}

void vga_timing(const Vga *v, VgaTiming *t)
{
    if (vga_vbe_on(v)) {
        vbe_timing(v, t);
        return;
    }
    /* Dot clock from misc output bits 2-3 (25.175 or 28.322 MHz), 8 or 9 dots a character,
     * halved by the sequencer's dot clock divider. */
    uint64_t clock_hz = ((v->misc >> 2) & 3) == 1 ? 28322000 : 25175000;
    uint64_t dots = (v->seq[SEQ_CLOCKING] & 1) ? 8 : 9;
    if (v->seq[SEQ_CLOCKING] & 0x08)
        dots *= 2;
    uint64_t htotal = v->crtc[CR_HTOTAL] + 5u, hdisp = v->crtc[CR_HDISP_END] + 1u;
    if (hdisp > htotal)
        hdisp = htotal;
    t->line_ns = htotal * dots * 1000000000ull / clock_hz;
    t->hdisp_ns = hdisp * dots * 1000000000ull / clock_hz;
    t->lines = vga_vertical(v, 0x06, 0, 5) + 2;
    t->vdisp = vga_vertical(v, CR_VDISP_END, 1, 6) + 1;
    t->vrs = vga_vertical(v, CR_VRETRACE_START, 2, 7);
    /* Retrace ends when the line counter's low 4 bits match the end register. */
    uint32_t len = (v->crtc[CR_VRETRACE_END] - t->vrs) & 0xF;
    t->vre = t->vrs + (len ? len : 16);
    if (t->lines < 16)
        t->lines = 16; /* an unprogrammed CRTC still gives a beam that moves */
    if (t->line_ns == 0)
        t->line_ns = 1;
    t->frame_ns = t->line_ns * t->lines;
}

bool vga_frame_dirty(const Vga *v, uint64_t *seen)
{
    bool dirty = vga_vbe_on(v) || v->generation != *seen;
    *seen = v->generation;
    return dirty;
}

uint32_t vga_dac_rgb(const Vga *v, unsigned i)
{
    const uint8_t *c = &v->dac[(i & 0xFF) * 3];
    uint32_t r = c[0], g = c[1], b = c[2];
    if (!(v->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC)) {
        r = ((r & 0x3F) << 2) | ((r & 0x3F) >> 4);
        g = ((g & 0x3F) << 2) | ((g & 0x3F) >> 4);
        b = ((b & 0x3F) << 2) | ((b & 0x3F) >> 4);
    }
    return (r << 16) | (g << 8) | b;
}

/* ---- save / restore --------------------------------------------------------------------- */

/* Video memory is saved up to its last non-zero 64 KiB block. */
static uint32_t vram_used(const Vga *v)
{
    uint32_t end = VGA_VRAM_SIZE;
    while (end > 0) {
        const uint8_t *blk = v->vram + end - 0x10000;
        bool zero = true;
        for (uint32_t i = 0; i < 0x10000 && zero; i += 8) {
            uint64_t q;
            memcpy(&q, blk + i, 8);
            zero = q == 0;
        }
        if (!zero)
            break;
        end -= 0x10000;
    }
    return end;
}

void vga_save(const Vga *v, StateWriter *w)
{
    sw_u8(w, VGA_SAVE_VERSION);
    sw_u32(w, v->latch);
    sw_u8(w, v->misc);
    sw_u8(w, v->feature);
    sw_u8(w, v->vga_enable);
    sw_u8(w, v->seq_index);
    sw_bytes(w, v->seq, sizeof v->seq);
    sw_u8(w, v->gc_index);
    sw_bytes(w, v->gc, sizeof v->gc);
    sw_u8(w, v->crtc_index);
    sw_bytes(w, v->crtc, sizeof v->crtc);
    sw_u8(w, v->attr_index);
    sw_u8(w, v->attr_flipflop);
    sw_bytes(w, v->attr, sizeof v->attr);
    sw_bytes(w, v->dac, sizeof v->dac);
    sw_u8(w, v->dac_read_index);
    sw_u8(w, v->dac_write_index);
    sw_u8(w, v->dac_read_sub);
    sw_u8(w, v->dac_write_sub);
    sw_bytes(w, v->dac_pending, sizeof v->dac_pending);
    sw_u8(w, v->dac_state_read);
    sw_u8(w, v->pel_mask);
    sw_u16(w, v->vbe_index);
    for (int i = 0; i < VBE_DISPI_NUM_REGS; i++)
        sw_u16(w, v->vbe_regs[i]);
    sw_u8(w, v->vbe_getcaps);
    uint32_t used = vram_used(v);
    sw_u32(w, used);
    sw_bytes(w, v->vram, used);
}

/* Register values the rest of the card trusts to be in range. */
static bool loaded_state_valid(const Vga *v)
{
    const uint16_t *r = v->vbe_regs;
    return v->seq_index < 8 && v->gc_index < 16 && v->crtc_index < 64 &&
           v->dac_read_sub < 3 && v->dac_write_sub < 3 && r[VBE_DISPI_INDEX_XRES] &&
           r[VBE_DISPI_INDEX_XRES] <= VGA_MAX_WIDTH && r[VBE_DISPI_INDEX_YRES] &&
           r[VBE_DISPI_INDEX_YRES] <= VGA_MAX_HEIGHT &&
           (r[VBE_DISPI_INDEX_BPP] == 4 || r[VBE_DISPI_INDEX_BPP] == 8 ||
            r[VBE_DISPI_INDEX_BPP] == 15 ||
            r[VBE_DISPI_INDEX_BPP] == 16 || r[VBE_DISPI_INDEX_BPP] == 24 ||
            r[VBE_DISPI_INDEX_BPP] == 32) &&
           r[VBE_DISPI_INDEX_BANK] < (VGA_VRAM_SIZE >> 16) &&
           r[VBE_DISPI_INDEX_VIDEO_MEMORY_64K] == (VGA_VRAM_SIZE >> 16);
}

bool vga_load(Vga *v, StateReader *r)
{
    if (sr_u8(r) != VGA_SAVE_VERSION)
        return sr_fail(r);
    v->latch = sr_u32(r);
    v->misc = sr_u8(r);
    v->feature = sr_u8(r);
    v->vga_enable = sr_u8(r);
    v->seq_index = sr_u8(r);
    sr_bytes(r, v->seq, sizeof v->seq);
    v->gc_index = sr_u8(r);
    sr_bytes(r, v->gc, sizeof v->gc);
    v->crtc_index = sr_u8(r);
    sr_bytes(r, v->crtc, sizeof v->crtc);
    v->attr_index = sr_u8(r);
    v->attr_flipflop = sr_u8(r) != 0;
    sr_bytes(r, v->attr, sizeof v->attr);
    sr_bytes(r, v->dac, sizeof v->dac);
    v->dac_read_index = sr_u8(r);
    v->dac_write_index = sr_u8(r);
    v->dac_read_sub = sr_u8(r);
    v->dac_write_sub = sr_u8(r);
    sr_bytes(r, v->dac_pending, sizeof v->dac_pending);
    v->dac_state_read = sr_u8(r) != 0;
    v->pel_mask = sr_u8(r);
    v->vbe_index = sr_u16(r);
    for (int i = 0; i < VBE_DISPI_NUM_REGS; i++)
        v->vbe_regs[i] = sr_u16(r);
    v->vbe_getcaps = sr_u8(r) != 0;
    uint32_t used = sr_u32(r);
    if (r->error || used > VGA_VRAM_SIZE || !loaded_state_valid(v))
        return sr_fail(r);
    memset(v->vram + used, 0, VGA_VRAM_SIZE - used);
    if (!sr_bytes(r, v->vram, used))
        return false;
    v->generation++;
    return !r->error;
}
