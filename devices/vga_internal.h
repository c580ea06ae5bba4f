/* vga_internal.h — helpers shared by the VGA's source files (vga*.c); not for other users.
 *
 * Contract: register indexes and bit names as the IBM VGA documents them, and the few
 * derived facts (is VBE on, which CRTC port pair is live) every part needs the same way.
 */
#ifndef VMM86_DEVICES_VGA_INTERNAL_H
#define VMM86_DEVICES_VGA_INTERNAL_H

#include "devices/vga.h"

/* Sequencer. */
#define SEQ_CLOCKING 1     /* bit 0: 8-dot characters, bit 3: dot clock / 2, bit 5: off */
#define SEQ_MAP_MASK 2
#define SEQ_CHAR_MAP 3
#define SEQ_MEM_MODE 4     /* bit 2: odd/even disabled, bit 3: chain 4 */

/* Graphics controller. */
#define GC_SET_RESET 0
#define GC_ENABLE_SR 1
#define GC_COLOR_CMP 2
#define GC_ROTATE 3        /* bits 0-2 count, bits 3-4 function */
#define GC_READ_MAP 4
#define GC_MODE 5          /* bits 0-1 write mode, 3 read mode, 4 odd/even, 5 CGA, 6 256 */
#define GC_MISC 6          /* bit 0 graphics, bits 2-3 memory map */
#define GC_DONT_CARE 7
#define GC_BIT_MASK 8

/* Attribute controller. */
#define AC_MODE 0x10       /* bit 0 graphics, 1 mono, 2 line graphics, 3 blink, 5 pan
                            * compat, 6 8-bit pixels, 7 P5-4 from colour select */
#define AC_OVERSCAN 0x11
#define AC_PLANE_ENABLE 0x12
#define AC_PANNING 0x13
#define AC_COLOR_SELECT 0x14
#define AC_PAS 0x20        /* palette address source bit of the index */

/* CRTC. */
#define CR_HTOTAL 0x00
#define CR_HDISP_END 0x01
#define CR_OVERFLOW 0x07
#define CR_PRESET_ROW 0x08
#define CR_MAX_SCAN 0x09   /* bits 0-4 max scan line, bit 7 double scan */
#define CR_CURSOR_START 0x0A
#define CR_CURSOR_END 0x0B
#define CR_START_HI 0x0C
#define CR_START_LO 0x0D
#define CR_CURSOR_HI 0x0E
#define CR_CURSOR_LO 0x0F
#define CR_VRETRACE_START 0x10
#define CR_VRETRACE_END 0x11 /* bit 7: protect registers 0-7 */
#define CR_VDISP_END 0x12
#define CR_OFFSET 0x13
#define CR_UNDERLINE 0x14  /* bit 5 count by 4, bit 6 doubleword */
#define CR_MODE 0x17       /* bit 0 CMS, 1 SRS, 3 count by 2, 5 wrap, 6 byte mode */
#define CR_LINE_COMPARE 0x18
#define CR_COUNT 0x19

static inline bool vga_vbe_on(const Vga *v)
{
    return (v->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED) != 0;
}

/* Bytes per pixel of the VBE mode (15 bpp counts as 2; 4 bpp is planar, see below). */
static inline unsigned vga_vbe_bytes_pp(const Vga *v)
{
    return (v->vbe_regs[VBE_DISPI_INDEX_BPP] + 7u) / 8u;
}

/* 4 bpp VBE modes are planar: the VGA's four planes stretched over all of video memory
 * (planar offset o still at vram[o * 4]), 8 pixels per planar offset. */
static inline bool vga_vbe_planar(const Vga *v)
{
    return vga_vbe_on(v) && v->vbe_regs[VBE_DISPI_INDEX_BPP] == 4;
}

/* Video memory bytes of one line `width` pixels wide at the current depth. */
static inline unsigned vga_vbe_line_bytes_for(const Vga *v, unsigned width)
{
    if (v->vbe_regs[VBE_DISPI_INDEX_BPP] == 4)
        return width / 2; /* width / 8 planar offsets of 4 bytes */
    return width * vga_vbe_bytes_pp(v);
}

static inline unsigned vga_vbe_line_bytes(const Vga *v)
{
    return vga_vbe_line_bytes_for(v, v->vbe_regs[VBE_DISPI_INDEX_VIRT_WIDTH]);
}

/* Planar offsets the memory pipeline may reach: one plane of the VGA, or with a planar
 * VBE mode the whole of video memory. */
static inline uint32_t vga_planar_mask(const Vga *v)
{
    return vga_vbe_planar(v) ? VGA_VRAM_SIZE / 4 - 1 : VGA_PLANE_SIZE - 1;
}

/* Plane byte at planar offset `off` (masked to the plane size). */
static inline uint8_t vga_plane(const Vga *v, unsigned plane, uint32_t off)
{
    return v->vram[((off & (VGA_PLANE_SIZE - 1)) << 2) | (plane & 3)];
}

static inline uint32_t vga_vertical(const Vga *v, unsigned reg, int bit8, int bit9)
{
    uint8_t ov = v->crtc[CR_OVERFLOW];
    return v->crtc[reg] | (((ov >> bit8) & 1u) << 8) | (((ov >> bit9) & 1u) << 9);
}

void vga_dac_reset(Vga *v);
void vga_regs_reset(Vga *v);
void vga_vbe_reset(Vga *v);

#endif
