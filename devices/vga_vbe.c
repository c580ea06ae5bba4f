/* vga_vbe.c — the Bochs VBE "dispi" interface on ports 0x1CE (index) and 0x1CF (data):
 * resolution, depth (4 bpp planar, 8 bpp through the DAC, 15/16/24/32 bpp direct colour),
 * enable (with LFB, 8-bit DAC and no-clear flags), the 64 KiB bank, the virtual screen and
 * its offsets (see vga.h). */
#include <string.h>

#include "devices/vga_internal.h"

#define VBE_MAX_BPP 32

void vga_vbe_reset(Vga *v)
{
    memset(v->vbe_regs, 0, sizeof v->vbe_regs);
    v->vbe_regs[VBE_DISPI_INDEX_ID] = VBE_DISPI_ID5;
    v->vbe_regs[VBE_DISPI_INDEX_XRES] = 640;
    v->vbe_regs[VBE_DISPI_INDEX_YRES] = 480;
    v->vbe_regs[VBE_DISPI_INDEX_BPP] = 8;
    v->vbe_regs[VBE_DISPI_INDEX_VIDEO_MEMORY_64K] = (uint16_t)(VGA_VRAM_SIZE >> 16);
    v->vbe_index = 0;
    v->vbe_getcaps = false;
}

static bool bpp_valid(unsigned bpp)
{
    return bpp == 4 || bpp == 8 || bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32;
}

/* The virtual height follows from the video memory and the line length. */
static void update_virtual(Vga *v)
{
    unsigned line = vga_vbe_line_bytes(v);
    uint32_t h = line ? VGA_VRAM_SIZE / line : 0;
    v->vbe_regs[VBE_DISPI_INDEX_VIRT_HEIGHT] = (uint16_t)(h > 0xFFFF ? 0xFFFF : h);
}

static void vbe_enable(Vga *v, uint16_t value)
{
    uint16_t *r = v->vbe_regs;
    bool was_on = vga_vbe_on(v);
    v->vbe_getcaps = (value & VBE_DISPI_GETCAPS) != 0;
    r[VBE_DISPI_INDEX_ENABLE] =
        value & (VBE_DISPI_ENABLED | VBE_DISPI_8BIT_DAC | VBE_DISPI_LFB_ENABLED |
                 VBE_DISPI_NOCLEARMEM | VBE_DISPI_GETCAPS);
    if (!(value & VBE_DISPI_ENABLED) || was_on)
        return;
    /* Turning on: the virtual screen starts as the visible one at offset 0, bank 0. */
    r[VBE_DISPI_INDEX_VIRT_WIDTH] = r[VBE_DISPI_INDEX_XRES];
    r[VBE_DISPI_INDEX_X_OFFSET] = r[VBE_DISPI_INDEX_Y_OFFSET] = 0;
    r[VBE_DISPI_INDEX_BANK] = 0;
    update_virtual(v);
    if (!(value & VBE_DISPI_NOCLEARMEM)) {
        uint64_t used = (uint64_t)vga_vbe_line_bytes(v) * r[VBE_DISPI_INDEX_YRES];
        memset(v->vram, 0, used < VGA_VRAM_SIZE ? used : VGA_VRAM_SIZE);
    }
    /* The legacy side becomes a graphics mode with a 64 KiB window at 0xA0000. */
    v->gc[6] = (uint8_t)((v->gc[6] & ~0x0C) | 0x05);
}

static void vbe_data_write(Vga *v, uint16_t value)
{
    uint16_t *r = v->vbe_regs;
    bool on = vga_vbe_on(v);
    switch (v->vbe_index) {
    case VBE_DISPI_INDEX_ID:
        if (value >= VBE_DISPI_ID0 && value <= VBE_DISPI_ID5)
            r[VBE_DISPI_INDEX_ID] = value;
        break;
    case VBE_DISPI_INDEX_XRES:
        if (!on && value && value <= VGA_MAX_WIDTH && (value & 7) == 0)
            r[VBE_DISPI_INDEX_XRES] = value;
        break;
    case VBE_DISPI_INDEX_YRES:
        if (!on && value && value <= VGA_MAX_HEIGHT)
            r[VBE_DISPI_INDEX_YRES] = value;
        break;
    case VBE_DISPI_INDEX_BPP:
        if (value == 0)
            value = 8;
        if (!on && bpp_valid(value))
            r[VBE_DISPI_INDEX_BPP] = value;
        break;
    case VBE_DISPI_INDEX_ENABLE:
        vbe_enable(v, value);
        break;
    case VBE_DISPI_INDEX_BANK:
        if (value < (VGA_VRAM_SIZE >> 16))
            r[VBE_DISPI_INDEX_BANK] = value;
        break;
    case VBE_DISPI_INDEX_VIRT_WIDTH:
        /* Never narrower than the visible screen, never more lines than memory holds. */
        if (value >= r[VBE_DISPI_INDEX_XRES] && value <= 0x4000 &&
            (uint64_t)vga_vbe_line_bytes_for(v, value) * r[VBE_DISPI_INDEX_YRES] <=
                VGA_VRAM_SIZE) {
            r[VBE_DISPI_INDEX_VIRT_WIDTH] = value;
            update_virtual(v);
        }
        break;
    case VBE_DISPI_INDEX_X_OFFSET:
    case VBE_DISPI_INDEX_Y_OFFSET:
        r[v->vbe_index] = value; /* the renderer clips against video memory */
        break;
    default:
        break; /* VIRT_HEIGHT and VIDEO_MEMORY_64K are read-only */
    }
}

static uint16_t vbe_data_read(const Vga *v)
{
    if (v->vbe_getcaps) {
        switch (v->vbe_index) {
        case VBE_DISPI_INDEX_XRES:
            return VGA_MAX_WIDTH;
        case VBE_DISPI_INDEX_YRES:
            return VGA_MAX_HEIGHT;
        case VBE_DISPI_INDEX_BPP:
            return VBE_MAX_BPP;
        default:
            break;
        }
    }
    if (v->vbe_index >= VBE_DISPI_NUM_REGS)
        return 0;
    return v->vbe_regs[v->vbe_index];
}

uint16_t vga_vbe_read(Vga *v, uint16_t port)
{
    return port == VBE_DISPI_IOPORT_INDEX ? v->vbe_index : vbe_data_read(v);
}

void vga_vbe_write(Vga *v, uint16_t port, uint16_t value)
{
    v->generation++;
    if (port == VBE_DISPI_IOPORT_INDEX)
        v->vbe_index = value;
    else
        vbe_data_write(v, value);
}
