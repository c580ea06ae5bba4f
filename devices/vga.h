/* vga.h — the VGA card: IBM VGA registers, four-plane video memory behind the legacy
 * 0xA0000-0xBFFFF window, the renderer, and the Bochs VBE "dispi" extension with a linear
 * frame buffer (QEMU's "std VGA").
 *
 * Contract: the card owns VGA_VRAM_SIZE bytes of video memory. The planar VGA sees its first
 * 256 KiB as four 64 KiB planes, interleaved so that byte `p` of planar offset `o` lives at
 * vram[o * 4 + p]; the VBE modes see the whole of it as one linear buffer, which is also
 * mapped into guest-physical memory as RAM at the LFB base (writes cost the guest nothing
 * and are not tracked). Ports: 0x3B4/0x3B5/0x3BA or 0x3D4/0x3D5/0x3DA (selected by misc
 * output bit 0), 0x3C0-0x3CF, and the dispi index/data pair 0x1CE/0x1CF. The legacy window
 * is one MMIO region decoded through graphics-controller register 6 (or, with VBE enabled,
 * the 64 KiB bank at 0xA0000; a 4 bpp VBE mode is planar, its bank a window on planar
 * offsets that then span all of video memory). Every guest-supplied offset is masked or
 * checked against
 * the video memory, so no register value makes the card touch host memory outside it.
 *
 * Timing: input status 1 (display-disabled and vertical-retrace bits) and the text blink
 * phase come only from the scheduler's virtual clock, through a frame timing computed from
 * the CRTC, the clock select and the character width.
 *
 * Rendering is host-side observation: vga_render() draws the current screen into the card's
 * frame (0x00RRGGBB pixels) only when the display asks; guest writes only bump `generation`
 * so a display can skip unchanged frames (VBE LFB writes are not seen: with VBE enabled a
 * display renders every time). Rendering never changes guest-visible state.
 *
 * Power-on state is the register set of BIOS mode 3 (80x25 text) with the EGA-compatible
 * 64-colour DAC, so a guest without a VGA BIOS can still write text memory at 0xB8000 (the
 * font plane starts empty: only a VGA BIOS loads a font).
 */
#ifndef VMM86_DEVICES_VGA_H
#define VMM86_DEVICES_VGA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/device.h"
#include "machine/savestate.h"
#include "machine/scheduler.h"
#include "softmmu/ioport.h"
#include "softmmu/physmem.h"

#define VGA_VRAM_SIZE (16u << 20)
#define VGA_PLANE_SIZE 0x10000u       /* bytes per plane of the standard VGA */
#define VGA_WINDOW_BASE 0xA0000u
#define VGA_WINDOW_SIZE 0x20000u
#define VGA_LFB_DEFAULT_BASE 0xE0000000u
#define VGA_LFB_LIMIT 0xFEC00000u     /* the frame buffer must end at or below this */
#define VGA_ROM_BASE 0xC0000u
#define VGA_ROM_MAX (128u << 10)

#define VGA_MAX_WIDTH 2560
#define VGA_MAX_HEIGHT 1600

/* Bochs VBE dispi interface. */
#define VBE_DISPI_IOPORT_INDEX 0x1CE
#define VBE_DISPI_IOPORT_DATA 0x1CF
#define VBE_DISPI_INDEX_ID 0x0
#define VBE_DISPI_INDEX_XRES 0x1
#define VBE_DISPI_INDEX_YRES 0x2
#define VBE_DISPI_INDEX_BPP 0x3
#define VBE_DISPI_INDEX_ENABLE 0x4
#define VBE_DISPI_INDEX_BANK 0x5
#define VBE_DISPI_INDEX_VIRT_WIDTH 0x6
#define VBE_DISPI_INDEX_VIRT_HEIGHT 0x7
#define VBE_DISPI_INDEX_X_OFFSET 0x8
#define VBE_DISPI_INDEX_Y_OFFSET 0x9
#define VBE_DISPI_INDEX_VIDEO_MEMORY_64K 0xA
#define VBE_DISPI_NUM_REGS 0xB
#define VBE_DISPI_ID0 0xB0C0
#define VBE_DISPI_ID5 0xB0C5
#define VBE_DISPI_ENABLED 0x01
#define VBE_DISPI_GETCAPS 0x02
#define VBE_DISPI_8BIT_DAC 0x20
#define VBE_DISPI_LFB_ENABLED 0x40
#define VBE_DISPI_NOCLEARMEM 0x80

/* A rendered screen: `width` x `height` pixels, 0x00RRGGBB, rows `stride` pixels apart. */
typedef struct VgaFrame {
    uint32_t *pixels;
    int width, height, stride;
    bool text;          /* a text mode (cols x rows cells of cell_w x cell_h pixels) */
    int cols, rows, cell_w, cell_h;
} VgaFrame;

/* Where the beam is, from the CRTC and the virtual clock (also used by the tests). */
typedef struct VgaTiming {
    uint64_t line_ns, frame_ns;  /* one scan line, one whole frame */
    uint32_t lines;              /* vertical total */
    uint32_t vdisp, vrs, vre;    /* display end, retrace start and end (lines) */
    uint64_t hdisp_ns;           /* displayed part of a line */
} VgaTiming;

typedef struct Vga {
    Scheduler *sched;
    PhysMem *mem;
    uint8_t *vram;              /* VGA_VRAM_SIZE bytes, page aligned */
    uint32_t lfb_base;          /* 0: not mapped */
    uint32_t latch;             /* the four plane latches, plane p in bits 8p..8p+7 */

    uint8_t misc;               /* misc output (0x3C2 / 0x3CC) */
    uint8_t feature;            /* feature control */
    uint8_t vga_enable;         /* 0x3C3 */
    uint8_t seq_index, seq[8];
    uint8_t gc_index, gc[16];
    uint8_t crtc_index, crtc[32];
    uint8_t attr_index;         /* bits 0-4 register, bit 5 palette address source */
    bool attr_flipflop;         /* true: the next 0x3C0 write is data */
    uint8_t attr[32];

    uint8_t dac[256 * 3];       /* R, G, B; 6 significant bits unless the 8-bit DAC is on */
    uint8_t dac_read_index, dac_write_index;
    uint8_t dac_read_sub, dac_write_sub; /* which component comes next */
    uint8_t dac_pending[3];     /* components written before the entry is complete */
    bool dac_state_read;        /* the last index written was the read index (0x3C7) */
    uint8_t pel_mask;

    uint16_t vbe_index;
    uint16_t vbe_regs[VBE_DISPI_NUM_REGS];
    bool vbe_getcaps;

    uint64_t generation;        /* bumped by every guest write that can change the screen */

    uint8_t *rom;               /* the option ROM image, if one was loaded */
    uint32_t rom_size;

    VgaFrame frame;             /* the last vga_render() result; owns frame.pixels */
    size_t frame_cap;           /* pixels allocated */
} Vga;

/* Allocates video memory; false when the host has none. Then vga_reset(). */
bool vga_init(Vga *v, Scheduler *s);
void vga_free(Vga *v);
/* Registers the ports, the legacy window and (lfb_base != 0) the linear frame buffer. */
void vga_register(Vga *v, IoPortSpace *io, PhysMem *mem, uint32_t lfb_base);
/* Moves the linear frame buffer (e.g. when a PCI BAR is programmed); 0 unmaps it. A base
 * that would cover guest RAM or reach past VGA_LFB_LIMIT leaves it unmapped. The caller
 * flushes the CPU's TLBs. */
void vga_set_lfb_base(Vga *v, uint32_t base);
/* Mode 3 registers, VBE off, latches clear. Video memory keeps its contents. */
void vga_reset(Vga *v);

/* Reads an option ROM image (0x55 0xAA signature, at most VGA_ROM_MAX bytes) into v->rom.
 * Returns false with a one-line reason. */
bool vga_load_rom(Vga *v, const char *path, char *err, size_t errlen);

/* Legacy window accesses (offset from 0xA0000), as the MMIO region sees them. */
uint8_t vga_mem_read(Vga *v, uint32_t offset);
void vga_mem_write(Vga *v, uint32_t offset, uint8_t value);

/* Port accesses (absolute port numbers), as the port space sees them. */
uint8_t vga_port_read(Vga *v, uint16_t port);
void vga_port_write(Vga *v, uint16_t port, uint8_t value);
uint16_t vga_vbe_read(Vga *v, uint16_t port);
void vga_vbe_write(Vga *v, uint16_t port, uint16_t value);

/* The frame timing of the current mode (never zero lengths). */
void vga_timing(const Vga *v, VgaTiming *t);

/* Draws the current screen into v->frame and returns it. Blank screens (palette address
 * source clear, screen off) are drawn black at the mode's size. */
const VgaFrame *vga_render(Vga *v);
/* True when VBE is on (LFB writes are untracked) or `generation` moved past *seen;
 * updates *seen. */
bool vga_frame_dirty(const Vga *v, uint64_t *seen);

/* The 8-bit colour of DAC entry i as 0x00RRGGBB (6-bit entries are widened). */
uint32_t vga_dac_rgb(const Vga *v, unsigned i);

/* Text-mode screen as characters (rows of cols, no attributes) for dumps and tests:
 * writes at most cap-1 bytes plus a NUL, rows separated by '\n'. Returns false in
 * graphics modes. */
bool vga_text_dump(const Vga *v, char *buf, size_t cap);

void vga_save(const Vga *v, StateWriter *w);
bool vga_load(Vga *v, StateReader *r);

#endif
