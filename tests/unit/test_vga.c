/* test_vga.c — the VGA card through its ports and its memory window, as a guest drives it:
 * the register model, the planar write and read modes, chain-4 and odd/even, the DAC, the
 * beam on the virtual clock, text rendering checked pixel by pixel against glyphs computed
 * from the font the test loads into plane 2, the standard graphics modes, and the Bochs VBE
 * interface with its linear frame buffer. Register tables for the BIOS modes are IBM's
 * published values; expected pixels are computed here from what the test reads back
 * through the ports (palette, DAC), never taken from the renderer. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "devices/vga.h"

static Vga vga;
static Scheduler sched;
static uint64_t icount;
static IoPortSpace io;
static PhysMem mem;

#define LFB 0xE0000000u

static void setup(void)
{
    icount = 0;
    sched_init(&sched, &icount, 0);
    ioport_init(&io);
    cr_assert(physmem_init(&mem, 1u << 20));
    cr_assert(vga_init(&vga, &sched));
    vga_register(&vga, &io, &mem, LFB);
}

static void teardown(void)
{
    vga_free(&vga);
    physmem_free(&mem);
}

TestSuite(vga, .init = setup, .fini = teardown);

static void outb(uint16_t port, uint8_t v) { ioport_write(&io, port, 1, v); }
static uint8_t inb(uint16_t port) { return (uint8_t)ioport_read(&io, port, 1); }
static void outw(uint16_t port, uint16_t v) { ioport_write(&io, port, 2, v); }
static uint16_t inw(uint16_t port) { return (uint16_t)ioport_read(&io, port, 2); }
static void memw(uint32_t pa, uint8_t v) { physmem_write(&mem, pa, 1, v); }
static uint8_t memr(uint32_t pa) { return (uint8_t)physmem_read(&mem, pa, 1); }
static void seq(uint8_t i, uint8_t v) { outb(0x3C4, i), outb(0x3C5, v); }
static void gc(uint8_t i, uint8_t v) { outb(0x3CE, i), outb(0x3CF, v); }
static void crtc(uint8_t i, uint8_t v) { outb(0x3D4, i), outb(0x3D5, v); }
static uint8_t crtc_rd(uint8_t i) { return outb(0x3D4, i), inb(0x3D5); }
static void attr(uint8_t i, uint8_t v)
{
    inb(0x3DA);
    outb(0x3C0, i);
    outb(0x3C0, v);
}
static uint8_t attr_rd(uint8_t i)
{
    inb(0x3DA);
    outb(0x3C0, i | 0x20);
    return inb(0x3C1);
}
static void screen_on(void)
{
    inb(0x3DA);
    outb(0x3C0, 0x20);
}
static uint8_t plane_byte(unsigned plane, uint32_t off) { return vga.vram[off * 4 + plane]; }
static void vbe(uint16_t index, uint16_t value) { outw(0x1CE, index), outw(0x1CF, value); }
static uint16_t vbe_rd(uint16_t index) { return outw(0x1CE, index), inw(0x1CF); }

/* A BIOS-style mode set from the register tables. */
typedef struct ModeRegs {
    uint8_t misc, seq[5], crtc[25], gc[9], attr[21];
} ModeRegs;

static void set_mode(const ModeRegs *m)
{
    outb(0x3C2, m->misc);
    for (int i = 0; i < 5; i++)
        seq(i, m->seq[i]);
    crtc(0x11, m->crtc[0x11] & 0x7F); /* unlock CR0-7 */
    for (int i = 0; i < 25; i++)
        crtc(i, m->crtc[i]);
    for (int i = 0; i < 9; i++)
        gc(i, m->gc[i]);
    for (int i = 0; i < 21; i++)
        attr(i, m->attr[i]);
    screen_on();
}

static const ModeRegs mode13 = {
    0x63,
    {0x03, 0x01, 0x0F, 0x00, 0x0E},
    {0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0x41, 0x00, 0x00, 0x00,
     0x00, 0x00, 0x00, 0x9C, 0x0E, 0x8F, 0x28, 0x40, 0x96, 0xB9, 0xA3, 0xFF},
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0F, 0xFF},
    {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D,
     0x0E, 0x0F, 0x41, 0x00, 0x0F, 0x00, 0x00}};

static const ModeRegs mode12 = {
    0xE3,
    {0x03, 0x01, 0x0F, 0x00, 0x06},
    {0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0x0B, 0x3E, 0x00, 0x40, 0x00, 0x00, 0x00,
     0x00, 0x00, 0x00, 0xEA, 0x0C, 0xDF, 0x28, 0x00, 0xE7, 0x04, 0xE3, 0xFF},
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0F, 0xFF},
    {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D,
     0x3E, 0x3F, 0x01, 0x00, 0x0F, 0x00, 0x00}};

/* CGA 320x200 4-colour (BIOS mode 4). */
static const ModeRegs mode04 = {
    0x63,
    {0x03, 0x09, 0x03, 0x00, 0x02},
    {0x2D, 0x27, 0x28, 0x90, 0x2B, 0x80, 0xBF, 0x1F, 0x00, 0xC1, 0x00, 0x00, 0x00,
     0x00, 0x00, 0x00, 0x9C, 0x8E, 0x8F, 0x14, 0x00, 0x96, 0xB9, 0xA2, 0xFF},
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x0F, 0x0F, 0xFF},
    {0x00, 0x13, 0x15, 0x17, 0x02, 0x04, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
     0x16, 0x17, 0x01, 0x00, 0x03, 0x00, 0x00}};

/* CGA 640x200 2-colour (BIOS mode 6). */
static const ModeRegs mode06 = {
    0x63,
    {0x03, 0x01, 0x01, 0x00, 0x06},
    {0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0xC1, 0x00, 0x00, 0x00,
     0x00, 0x00, 0x00, 0x9C, 0x8E, 0x8F, 0x28, 0x00, 0x96, 0xB9, 0xC2, 0xFF},
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0D, 0x00, 0xFF},
    {0x00, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17,
     0x17, 0x17, 0x01, 0x00, 0x01, 0x00, 0x00}};

/* The 8-bit colour the DAC shows for an index, read back through ports 0x3C7/0x3C9. */
static uint32_t dac_color(uint8_t index)
{
    outb(0x3C7, index);
    uint32_t c = 0;
    for (int i = 0; i < 3; i++) {
        uint32_t v = inb(0x3C9) & 0x3F;
        c = (c << 8) | (v << 2) | (v >> 4);
    }
    return c;
}

/* A 4-bit colour through the attribute palette (as read back) and the DAC. */
static uint32_t attr_color(uint8_t c)
{
    return dac_color(attr_rd(c & 0xF) & 0x3F);
}

static uint32_t pixel(const VgaFrame *f, int x, int y)
{
    return f->pixels[(size_t)y * f->stride + x];
}

/* ---- registers ---------------------------------------------------------------------------- */

Test(vga, index_data_pairs_read_back)
{
    seq(2, 0x05);
    gc(8, 0x3C);
    crtc(0x13, 0x50);
    cr_assert_eq(inb(0x3C4), 2);
    cr_assert_eq(inb(0x3C5), 0x05);
    cr_assert_eq(inb(0x3CE), 8);
    cr_assert_eq(inb(0x3CF), 0x3C);
    cr_assert_eq(crtc_rd(0x13), 0x50);
    outb(0x3C2, 0xE3);
    cr_assert_eq(inb(0x3CC), 0xE3);
    /* A 16-bit OUT to an index port writes the index, then the data port. */
    outw(0x3C4, 0x0A02);
    cr_assert_eq(inb(0x3C5), 0x0A);
}

Test(vga, misc_output_selects_the_crtc_ports)
{
    outb(0x3C2, 0x67); /* colour: CRTC at 0x3D4 */
    crtc(0x0C, 0x12);
    cr_assert_eq(inb(0x3B5), 0xFF, "the mono CRTC port is not decoded in colour mode");
    outb(0x3C2, 0x66); /* mono: CRTC at 0x3B4 */
    outb(0x3B4, 0x0C);
    cr_assert_eq(inb(0x3B5), 0x12, "same registers, other ports");
    cr_assert_eq(inb(0x3D5), 0xFF);
    outb(0x3B4, 0x0D);
    outb(0x3B5, 0x34);
    outb(0x3C2, 0x67);
    cr_assert_eq(crtc_rd(0x0D), 0x34);
}

Test(vga, crtc_protect_bit_guards_registers_0_to_7)
{
    crtc(0x11, 0x8E); /* protect on */
    uint8_t ht = crtc_rd(0), ov = crtc_rd(7);
    crtc(0, (uint8_t)(ht ^ 0xFF));
    cr_assert_eq(crtc_rd(0), ht);
    crtc(7, (uint8_t)(ov ^ 0xFF));
    cr_assert_eq(crtc_rd(7), (uint8_t)(ov ^ 0x10), "only the line compare bit 8 writes");
    crtc(0x13, 0x77); /* above 7: not protected */
    cr_assert_eq(crtc_rd(0x13), 0x77);
    crtc(0x11, 0x0E); /* protect off */
    crtc(0, 0x42);
    cr_assert_eq(crtc_rd(0), 0x42);
}

Test(vga, attribute_flip_flop_and_palette_address_source)
{
    inb(0x3DA); /* flip-flop to index */
    outb(0x3C0, 0x05);
    outb(0x3C0, 0x2A);
    cr_assert_eq(inb(0x3C0), 0x05, "0x3C0 reads the index");
    outb(0x3C0, 0x31); /* index 0x11 with PAS set: the flip-flop is at index again */
    outb(0x3C0, 0x09);
    cr_assert_eq(inb(0x3C0), 0x31);
    cr_assert_eq(inb(0x3C1), 0x09);
    cr_assert_eq(attr_rd(5), 0x2A);
    /* A read of 0x3DA between index and data resets the flip-flop: 0x07 is an index. */
    inb(0x3DA);
    outb(0x3C0, 0x06);
    inb(0x3DA);
    outb(0x3C0, 0x07);
    cr_assert_eq(inb(0x3C0), 0x07);
    /* Palette registers are 6 bits wide. */
    attr(3, 0xFF);
    cr_assert_eq(attr_rd(3), 0x3F);
}

Test(vga, dac_indexes_auto_increment_and_data_is_6_bits)
{
    outb(0x3C8, 10);
    const uint8_t vals[6] = {0x01, 0x7F, 0x3E, 0x20, 0xC0, 0x15};
    for (int i = 0; i < 6; i++)
        outb(0x3C9, vals[i]);
    cr_assert_eq(inb(0x3C8), 12, "two entries written");
    cr_assert_eq(inb(0x3C7), 0x00, "DAC state: write mode");
    outb(0x3C7, 10);
    cr_assert_eq(inb(0x3C7), 0x03, "DAC state: read mode");
    for (int i = 0; i < 6; i++)
        cr_assert_eq(inb(0x3C9), vals[i] & 0x3F, "component %d", i);
    /* An entry changes only when its third component is written. */
    uint32_t before = dac_color(20);
    outb(0x3C8, 20);
    outb(0x3C9, 1);
    outb(0x3C9, 2);
    cr_assert_eq(dac_color(20), before);
    outb(0x3C8, 20);
    outb(0x3C9, 1), outb(0x3C9, 2), outb(0x3C9, 3);
    cr_assert_eq(dac_color(20), (0x04u << 16) | (0x08u << 8) | 0x0C);
    outb(0x3C6, 0x0F);
    cr_assert_eq(inb(0x3C6), 0x0F);
    /* The write index wraps after entry 255. */
    outb(0x3C8, 255);
    for (int i = 0; i < 3; i++)
        outb(0x3C9, 9);
    cr_assert_eq(inb(0x3C8), 0);
}

Test(vga, vertical_retrace_follows_the_virtual_clock)
{
    /* Mode 3: 28.322 MHz dot clock, 100 characters of 9 dots a line, 449 lines a frame,
     * vertical retrace from line 412 for two lines (CRTC 0x10 = 0x9C + overflow bit 8,
     * CRTC 0x11 low nibble 0xE), display ends at dot 720. */
    uint64_t line = 900ull * 1000000000ull / 28322000ull;
    uint64_t frame = line * 449;
    struct {
        uint64_t t;
        uint8_t expect;
    } pts[] = {
        {10, 0x00},                        /* first line, displayed part */
        {line - 10, 0x01},                 /* first line, horizontal blanking */
        {411 * line + 5, 0x01},            /* vertical blanking, before retrace */
        {412 * line + 5, 0x09},            /* retrace */
        {413 * line + line - 5, 0x09},
        {414 * line + 5, 0x01},            /* retrace over */
        {frame + 10, 0x00},                /* the next frame */
        {frame + 412 * line + 5, 0x09},
    };
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        icount = pts[i].t;
        cr_assert_eq(inb(0x3DA) & 0x09, pts[i].expect, "at %llu ns",
                     (unsigned long long)pts[i].t);
    }
    cr_assert_eq(inb(0x3BA), 0xFF, "mono status port not decoded in colour mode");
}

/* ---- memory: write and read modes ----------------------------------------------------------- */

/* Planar 16-colour addressing at 0xA0000 (mode 12h's memory setup). */
static void planar_setup(void)
{
    seq(4, 0x06);
    seq(2, 0x0F);
    gc(5, 0x00);
    gc(6, 0x05);
    gc(1, 0x00);
    gc(3, 0x00);
    gc(8, 0xFF);
}

static void set_planes(uint32_t off, uint8_t p0, uint8_t p1, uint8_t p2, uint8_t p3)
{
    vga.vram[off * 4 + 0] = p0;
    vga.vram[off * 4 + 1] = p1;
    vga.vram[off * 4 + 2] = p2;
    vga.vram[off * 4 + 3] = p3;
}

Test(vga, write_mode_0_set_reset_rotate_and_map_mask)
{
    planar_setup();
    gc(0, 0x05);  /* set/reset colour 0101 */
    gc(1, 0x0F);  /* enabled on every plane */
    memw(0xA0000, 0x00);
    cr_assert_eq(plane_byte(0, 0), 0xFF);
    cr_assert_eq(plane_byte(1, 0), 0x00);
    cr_assert_eq(plane_byte(2, 0), 0xFF);
    cr_assert_eq(plane_byte(3, 0), 0x00);
    gc(1, 0x03);  /* planes 2 and 3 take the rotated CPU byte */
    gc(3, 0x03);  /* rotate right by 3 */
    memw(0xA0001, 0x81);
    cr_assert_eq(plane_byte(0, 1), 0xFF);
    cr_assert_eq(plane_byte(1, 1), 0x00);
    cr_assert_eq(plane_byte(2, 1), 0x30);
    cr_assert_eq(plane_byte(3, 1), 0x30);
    gc(1, 0x00);
    gc(3, 0x00);
    seq(2, 0x02); /* map mask: plane 1 only */
    memw(0xA0002, 0x5A);
    cr_assert_eq(plane_byte(0, 2), 0x00);
    cr_assert_eq(plane_byte(1, 2), 0x5A);
}

Test(vga, write_mode_0_bit_mask_and_alu_use_the_latches)
{
    planar_setup();
    set_planes(4, 0xF0, 0x0F, 0xAA, 0x55);
    memr(0xA0004);  /* loads the latches */
    gc(8, 0x0F);    /* bit mask: low nibble from the pipeline, high nibble from latches */
    memw(0xA0004, 0x00);
    cr_assert_eq(plane_byte(0, 4), 0xF0);
    cr_assert_eq(plane_byte(1, 4), 0x00);
    cr_assert_eq(plane_byte(2, 4), 0xA0);
    cr_assert_eq(plane_byte(3, 4), 0x50);
    gc(8, 0xFF);
    static const struct {
        uint8_t fn;
        uint8_t expect[4];
    } alu[] = {{0x08, {0xF0 & 0x3C, 0x0F & 0x3C, 0xAA & 0x3C, 0x55 & 0x3C}},
               {0x10, {0xF0 | 0x3C, 0x0F | 0x3C, 0xAA | 0x3C, 0x55 | 0x3C}},
               {0x18, {0xF0 ^ 0x3C, 0x0F ^ 0x3C, 0xAA ^ 0x3C, 0x55 ^ 0x3C}}};
    for (size_t i = 0; i < 3; i++) {
        set_planes(5, 0xF0, 0x0F, 0xAA, 0x55);
        memr(0xA0005);
        gc(3, alu[i].fn);
        memw(0xA0005, 0x3C);
        for (unsigned p = 0; p < 4; p++)
            cr_assert_eq(plane_byte(p, 5), alu[i].expect[p], "function %zu plane %u", i, p);
    }
}

Test(vga, write_mode_1_copies_the_latches)
{
    planar_setup();
    set_planes(0x100, 0x11, 0x22, 0x33, 0x44);
    gc(5, 0x01);
    memr(0xA0100);
    memw(0xA0200, 0xEE); /* the CPU byte is ignored */
    cr_assert_eq(plane_byte(0, 0x200), 0x11);
    cr_assert_eq(plane_byte(1, 0x200), 0x22);
    cr_assert_eq(plane_byte(2, 0x200), 0x33);
    cr_assert_eq(plane_byte(3, 0x200), 0x44);
}

Test(vga, write_mode_2_spreads_the_colour_under_the_bit_mask)
{
    planar_setup();
    gc(5, 0x02);
    set_planes(7, 0x00, 0xFF, 0x00, 0xFF);
    memr(0xA0007);
    gc(8, 0x81);
    memw(0xA0007, 0x09); /* colour 1001 on the pixels of mask 0x81 */
    cr_assert_eq(plane_byte(0, 7), 0x81);
    cr_assert_eq(plane_byte(1, 7), 0x7E);
    cr_assert_eq(plane_byte(2, 7), 0x00);
    cr_assert_eq(plane_byte(3, 7), 0xFF);
}

Test(vga, write_mode_3_masks_with_the_rotated_byte)
{
    planar_setup();
    gc(5, 0x03);
    gc(0, 0x06); /* set/reset colour 0110 */
    gc(8, 0xF0);
    gc(3, 0x04); /* rotate right 4: 0x3C -> 0xC3 */
    set_planes(9, 0x00, 0x00, 0x00, 0x00);
    memr(0xA0009);
    memw(0xA0009, 0x3C); /* mask = 0xC3 & 0xF0 = 0xC0 */
    cr_assert_eq(plane_byte(0, 9), 0x00);
    cr_assert_eq(plane_byte(1, 9), 0xC0);
    cr_assert_eq(plane_byte(2, 9), 0xC0);
    cr_assert_eq(plane_byte(3, 9), 0x00);
}

Test(vga, read_mode_0_and_read_mode_1)
{
    planar_setup();
    set_planes(3, 0x0F, 0x33, 0x55, 0xF0);
    for (unsigned p = 0; p < 4; p++) {
        gc(4, (uint8_t)p);
        cr_assert_eq(memr(0xA0003), plane_byte(p, 3));
    }
    gc(5, 0x08);  /* read mode 1 */
    gc(2, 0x0B);  /* colour 1011 */
    gc(7, 0x0F);
    /* Pixel i has colour (p3 p2 p1 p0) bits at position 7-i; compute the match mask. */
    uint8_t expect = 0;
    for (int b = 0; b < 8; b++) {
        unsigned c = ((0x0F >> b) & 1) | ((0x33 >> b) & 1) << 1 | ((0x55 >> b) & 1) << 2 |
                     ((0xF0 >> b) & 1) << 3;
        if (c == 0x0B)
            expect |= (uint8_t)(1 << b);
    }
    cr_assert_eq(memr(0xA0003), expect);
    gc(7, 0x00); /* nothing cared about: every pixel matches */
    cr_assert_eq(memr(0xA0003), 0xFF);
}

Test(vga, chain4_picks_the_plane_from_the_address)
{
    set_mode(&mode13);
    for (uint32_t a = 0; a < 8; a++)
        memw(0xA0000 + a, (uint8_t)(0x10 + a));
    for (uint32_t a = 0; a < 8; a++) {
        cr_assert_eq(plane_byte(a & 3, a & ~3u), 0x10 + a, "address %u", a);
        cr_assert_eq(memr(0xA0000 + a), 0x10 + a);
    }
}

Test(vga, odd_even_text_memory_and_the_memory_map)
{
    /* Power-on state is mode 3: text at 0xB8000, characters in plane 0, attributes in 1. */
    memw(0xB8000, 'H');
    memw(0xB8001, 0x1F);
    memw(0xB8002, 'i');
    memw(0xB8003, 0x2E);
    cr_assert_eq(plane_byte(0, 0), 'H');
    cr_assert_eq(plane_byte(1, 0), 0x1F);
    cr_assert_eq(plane_byte(0, 2), 'i');
    cr_assert_eq(plane_byte(1, 2), 0x2E);
    cr_assert_eq(memr(0xB8001), 0x1F);
    cr_assert_eq(memr(0xB8002), 'i');
    cr_assert_eq(memr(0xA0000), 0xFF, "A0000 is outside the B8000 map");
    memw(0xA0000, 0x77);
    cr_assert_eq(plane_byte(0, 0), 'H', "writes outside the map are dropped");
    gc(6, 0x02); /* map 0: the whole 128 KiB, B8000 becomes offset 0x18000 */
    cr_assert_eq(memr(0xA0000), 'H');
}

/* ---- text rendering against the font in plane 2 --------------------------------------------- */

/* Loads a font through the window as a BIOS does: sequential plane 2 at 0xA0000. */
static void load_test_font(uint8_t font[256][16])
{
    srand(1234);
    for (int ch = 0; ch < 256; ch++)
        for (int r = 0; r < 16; r++)
            font[ch][r] = (uint8_t)(rand() & 0xFF);
    seq(2, 0x04);
    seq(4, 0x06);
    gc(4, 0x02);
    gc(5, 0x00);
    gc(6, 0x04);
    for (int ch = 0; ch < 256; ch++)
        for (int r = 0; r < 16; r++)
            memw(0xA0000 + ch * 32 + r, font[ch][r]);
    seq(2, 0x03); /* back to mode 3's text addressing */
    seq(4, 0x02);
    gc(4, 0x00);
    gc(5, 0x10);
    gc(6, 0x0E);
}

static void check_cell(const VgaFrame *f, const uint8_t font[256][16], int row, int col,
                       uint8_t ch, uint8_t at, bool line_gfx)
{
    uint32_t fg = attr_color(at & 0xF), bg = attr_color((at >> 4) & 0x7);
    for (int rs = 0; rs < 16; rs++) {
        for (int x = 0; x < 9; x++) {
            bool on = x < 8 ? (font[ch][rs] >> (7 - x)) & 1
                            : line_gfx && ch >= 0xC0 && ch <= 0xDF && (font[ch][rs] & 1);
            cr_assert_eq(pixel(f, col * 9 + x, row * 16 + rs), on ? fg : bg,
                         "cell %d,%d char %02x line %d dot %d", row, col, ch, rs, x);
        }
    }
}

Test(vga, text_mode_pixels_match_the_font_in_plane_2)
{
    static uint8_t font[256][16];
    load_test_font(font);
    crtc(0x0A, 0x20); /* cursor off for this test */
    static const struct {
        int row, col;
        uint8_t ch, at;
    } cells[] = {{0, 0, 'A', 0x07}, {0, 1, 0xC4, 0x1E}, {3, 79, 0xDB, 0x4F},
                 {24, 0, 0xB3, 0x70}, {12, 40, 0x00, 0x2A}, {7, 13, 0xFF, 0x0C}};
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
        uint32_t a = 0xB8000 + (cells[i].row * 80 + cells[i].col) * 2;
        memw(a, cells[i].ch);
        memw(a + 1, cells[i].at);
    }
    const VgaFrame *f = vga_render(&vga);
    cr_assert_eq(f->width, 720);
    cr_assert_eq(f->height, 400);
    cr_assert(f->text);
    cr_assert_eq(f->cols, 80);
    cr_assert_eq(f->rows, 25);
    bool line_gfx = attr_rd(0x10) & 0x04;
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++)
        check_cell(f, font, cells[i].row, cells[i].col, cells[i].ch, cells[i].at, line_gfx);
    /* Without line-graphics the ninth dot is always background. */
    attr(0x10, 0x08);
    screen_on();
    f = vga_render(&vga);
    check_cell(f, font, 0, 1, 0xC4, 0x1E, false);
}

Test(vga, text_cursor_and_blink_follow_the_virtual_frame_count)
{
    static uint8_t font[256][16];
    load_test_font(font);
    memw(0xB8000 + (2 * 80 + 5) * 2, ' ');
    memw(0xB8000 + (2 * 80 + 5) * 2 + 1, 0x07);
    memw(0xB8000 + (2 * 80 + 6) * 2, 'Z');
    memw(0xB8000 + (2 * 80 + 6) * 2 + 1, 0x8E); /* blinking yellow on black */
    crtc(0x0A, 0x0D);
    crtc(0x0B, 0x0E);
    crtc(0x0E, 0);
    crtc(0x0F, 2 * 80 + 5);
    VgaTiming t;
    vga_timing(&vga, &t);
    uint32_t fg = attr_color(0x7), bg = attr_color(0);
    icount = t.frame_ns / 2; /* frame 0: cursor and blinking text visible */
    const VgaFrame *f = vga_render(&vga);
    for (int rs = 0; rs < 16; rs++) {
        bool cur = rs == 13 || rs == 14;
        bool glyph = (font[' '][rs] >> 7) & 1;
        cr_assert_eq(pixel(f, 5 * 9, 2 * 16 + rs), cur || glyph ? fg : bg, "line %d", rs);
    }
    check_cell(f, font, 2, 6, 'Z', 0x0E, true);
    icount = t.frame_ns * 24 + t.frame_ns / 2; /* frame 24: both blink phases off */
    f = vga_render(&vga);
    for (int rs = 0; rs < 16; rs++) {
        bool glyph = (font[' '][rs] >> 7) & 1;
        cr_assert_eq(pixel(f, 5 * 9, 2 * 16 + rs), glyph ? fg : bg, "cursor off, line %d", rs);
        for (int x = 0; x < 9; x++)
            cr_assert_eq(pixel(f, 6 * 9 + x, 2 * 16 + rs), bg, "blinked-off text");
    }
}

Test(vga, text_dump_reads_plane_0)
{
    const char *s = "vmm86 text";
    for (int i = 0; s[i]; i++) {
        memw(0xB8000 + 80 * 2 + i * 2, (uint8_t)s[i]);
        memw(0xB8000 + 80 * 2 + i * 2 + 1, 0x07);
    }
    static char buf[81 * 26 + 1];
    cr_assert(vga_text_dump(&vga, buf, sizeof buf));
    cr_assert_eq(strncmp(buf + 81, s, strlen(s)), 0, "row 1: %.20s", buf + 81);
    cr_assert_eq(buf[80], '\n');
}

/* ---- graphics modes ------------------------------------------------------------------------- */

Test(vga, mode_13h_is_320x200_with_chained_pixels_through_the_dac)
{
    set_mode(&mode13);
    outb(0x3C8, 0x80);
    outb(0x3C9, 63), outb(0x3C9, 0), outb(0x3C9, 31);
    memw(0xA0000 + 0, 0x80);
    memw(0xA0000 + 199 * 320 + 319, 0x80);
    memw(0xA0000 + 100 * 320 + 7, 0x02);
    const VgaFrame *f = vga_render(&vga);
    cr_assert_eq(f->width, 320);
    cr_assert_eq(f->height, 200);
    cr_assert_eq(pixel(f, 0, 0), dac_color(0x80));
    cr_assert_eq(pixel(f, 0, 0), 0xFF007Du);
    cr_assert_eq(pixel(f, 319, 199), dac_color(0x80));
    cr_assert_eq(pixel(f, 7, 100), dac_color(0x02));
    cr_assert_eq(pixel(f, 8, 100), dac_color(0x00));
}

Test(vga, mode_x_unchained_planes)
{
    set_mode(&mode13);
    seq(4, 0x06);           /* chain 4 off */
    crtc(0x14, 0x00);       /* doubleword mode off */
    crtc(0x17, 0xE3);       /* byte mode */
    crtc(0x11, 0x2C);       /* 480 scan lines: 240 doubled rows */
    crtc(0x06, 0x0D), crtc(0x07, 0x3E), crtc(0x10, 0xEA), crtc(0x11, 0xAC);
    crtc(0x12, 0xDF), crtc(0x15, 0xE7), crtc(0x16, 0x06);
    outb(0x3C2, 0xE3);
    /* Pixel (x, y) is plane x & 3 at offset y * 80 + x / 4. */
    int x = 201, y = 230;
    seq(2, (uint8_t)(1 << (x & 3)));
    memw(0xA0000 + y * 80 + x / 4, 0x0C);
    const VgaFrame *f = vga_render(&vga);
    cr_assert_eq(f->width, 320);
    cr_assert_eq(f->height, 240);
    cr_assert_eq(pixel(f, x, y), dac_color(0x0C));
    cr_assert_eq(pixel(f, x - 1, y), dac_color(0x00));
}

Test(vga, mode_12h_planar_16_colours_through_the_palette)
{
    set_mode(&mode12);
    gc(5, 0x02);
    int x = 333, y = 477;
    gc(8, (uint8_t)(0x80 >> (x & 7)));
    memr(0xA0000 + y * 80 + x / 8);
    memw(0xA0000 + y * 80 + x / 8, 0x06); /* colour 6: palette 0x14, the EGA brown */
    const VgaFrame *f = vga_render(&vga);
    cr_assert_eq(f->width, 640);
    cr_assert_eq(f->height, 480);
    cr_assert_eq(pixel(f, x, y), attr_color(6));
    cr_assert_eq(pixel(f, x, y), 0xAA5500u);
    cr_assert_eq(pixel(f, x + 1, y), attr_color(0));
    /* The colour plane enable register masks planes out of the pixel value. */
    attr(0x12, 0x0B);
    screen_on();
    f = vga_render(&vga);
    cr_assert_eq(pixel(f, x, y), attr_color(2));
}

Test(vga, cga_four_colour_mode_interleaves_even_and_odd_lines)
{
    set_mode(&mode04);
    /* CGA layout: even lines at B800:0000, odd lines at B800:2000, 2 bits a pixel. */
    memw(0xB8000 + 0 * 80 + 0, 0xE4);             /* line 0: colours 3, 2, 1, 0 */
    memw(0xB8000 + 0x2000 + 0 * 80 + 1, 0x40);    /* line 1, pixels 4-7: 1, 0, 0, 0 */
    const VgaFrame *f = vga_render(&vga);
    cr_assert_eq(f->width, 320);
    cr_assert_eq(f->height, 200);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pixel(f, i, 0), attr_color((uint8_t)(3 - i)), "pixel %d", i);
    cr_assert_eq(pixel(f, 4, 1), attr_color(1));
    cr_assert_eq(pixel(f, 5, 1), attr_color(0));
    cr_assert_eq(pixel(f, 4, 0), attr_color(0));
}

Test(vga, cga_two_colour_mode_one_bit_a_pixel)
{
    set_mode(&mode06);
    memw(0xB8000 + 2 * 80 + 3, 0x81);          /* line 4: pixels 24 and 31 */
    memw(0xB8000 + 0x2000 + 99 * 80 + 79, 0x01); /* line 199: pixel 639 */
    const VgaFrame *f = vga_render(&vga);
    cr_assert_eq(f->width, 640);
    cr_assert_eq(f->height, 200);
    uint32_t on = attr_color(1), off = attr_color(0);
    cr_assert_neq(on, off);
    cr_assert_eq(pixel(f, 24, 4), on);
    cr_assert_eq(pixel(f, 25, 4), off);
    cr_assert_eq(pixel(f, 31, 4), on);
    cr_assert_eq(pixel(f, 639, 199), on);
    cr_assert_eq(pixel(f, 639, 198), off);
}

Test(vga, blank_screen_when_the_palette_is_being_programmed)
{
    set_mode(&mode13);
    memw(0xA0000, 0x0F);
    inb(0x3DA);
    outb(0x3C0, 0x00); /* PAS clear: the CPU owns the palette, the screen is blank */
    const VgaFrame *f = vga_render(&vga);
    cr_assert_eq(pixel(f, 0, 0), 0u);
    screen_on();
    f = vga_render(&vga);
    cr_assert_eq(pixel(f, 0, 0), dac_color(0x0F));
}

/* ---- Bochs VBE -------------------------------------------------------------------------- */

Test(vga, vbe_id_handshake_and_capabilities)
{
    vbe(0, 0xB0C0);
    cr_assert_eq(vbe_rd(0), 0xB0C0);
    vbe(0, 0x1234);
    cr_assert_eq(vbe_rd(0), 0xB0C0, "an unknown ID is not taken");
    vbe(0, 0xB0C5);
    cr_assert_eq(vbe_rd(0), 0xB0C5);
    cr_assert_eq(vbe_rd(0xA), VGA_VRAM_SIZE >> 16);
    vbe(4, 0x02); /* GETCAPS */
    cr_assert_eq(vbe_rd(1), VGA_MAX_WIDTH);
    cr_assert_eq(vbe_rd(2), VGA_MAX_HEIGHT);
    cr_assert_eq(vbe_rd(3), 32);
    vbe(4, 0x00);
    vbe(1, 800);
    cr_assert_eq(vbe_rd(1), 800);
    vbe(1, 801); /* not a multiple of 8 */
    cr_assert_eq(vbe_rd(1), 800);
    vbe(3, 12); /* not a depth */
    cr_assert_eq(vbe_rd(3), 8);
}

Test(vga, vbe_32bpp_lfb_writes_appear_in_the_frame)
{
    vbe(1, 640), vbe(2, 480), vbe(3, 32);
    vbe(4, 0x41); /* enabled, LFB */
    cr_assert_eq(vbe_rd(6), 640, "virtual width starts as the screen width");
    physmem_write(&mem, LFB + (10 * 640 + 20) * 4, 4, 0x00123456);
    physmem_write(&mem, LFB + (479 * 640 + 639) * 4, 4, 0x00FEDCBA);
    const VgaFrame *f = vga_render(&vga);
    cr_assert_eq(f->width, 640);
    cr_assert_eq(f->height, 480);
    cr_assert_eq(pixel(f, 20, 10), 0x123456u);
    cr_assert_eq(pixel(f, 639, 479), 0xFEDCBAu);
    cr_assert_eq(pixel(f, 21, 10), 0u);
    /* Panning: with Y offset 10 and X offset 20 the pixel moves to the corner. */
    vbe(8, 20), vbe(9, 10);
    f = vga_render(&vga);
    cr_assert_eq(pixel(f, 0, 0), 0x123456u);
    /* An offset past video memory shows black, never memory outside it. */
    vbe(9, 0xFFFF);
    f = vga_render(&vga);
    cr_assert_eq(pixel(f, 0, 0), 0u);
    uint64_t seen = 0;
    cr_assert(vga_frame_dirty(&vga, &seen), "LFB writes are untracked: always dirty");
}

Test(vga, vbe_16_and_24_bpp_and_the_8_bit_dac)
{
    vbe(1, 64), vbe(2, 16), vbe(3, 16);
    vbe(4, 0x41);
    physmem_write(&mem, LFB + 2 * 3, 2, 0xF81F); /* 5-6-5 magenta */
    const VgaFrame *f = vga_render(&vga);
    cr_assert_eq(pixel(f, 3, 0), 0xFF00FFu);
    vbe(4, 0);
    vbe(3, 24);
    vbe(4, 0x41);
    physmem_write(&mem, LFB + 3 * 5, 1, 0x11);     /* blue */
    physmem_write(&mem, LFB + 3 * 5 + 1, 1, 0x22); /* green */
    physmem_write(&mem, LFB + 3 * 5 + 2, 1, 0x33); /* red */
    f = vga_render(&vga);
    cr_assert_eq(pixel(f, 5, 0), 0x332211u);
    vbe(4, 0);
    vbe(3, 8);
    vbe(4, 0x61); /* enabled, LFB, 8-bit DAC */
    outb(0x3C8, 7);
    outb(0x3C9, 0xFF), outb(0x3C9, 0x80), outb(0x3C9, 0x01);
    physmem_write(&mem, LFB + 9, 1, 7);
    f = vga_render(&vga);
    cr_assert_eq(pixel(f, 9, 0), 0xFF8001u, "8-bit DAC values are used as written");
}

Test(vga, vbe_4bpp_planar_mode_through_the_bank_window)
{
    vbe(1, 1024), vbe(2, 768), vbe(3, 4);
    vbe(4, 0x01);
    cr_assert_eq(vbe_rd(3), 4);
    cr_assert_eq(vbe_rd(7), VGA_VRAM_SIZE / 512, "virtual height: 512 bytes a line");
    seq(4, 0x06);
    seq(2, 0x0F);
    gc(5, 0x02); /* write mode 2 */
    /* Pixel (1023, 767) is planar offset 767 * 128 + 127: bank 1, offset 0x7FFF. */
    vbe(5, 1);
    gc(8, 0x01);
    memr(0xA7FFF);
    memw(0xA7FFF, 0x0C);
    cr_assert_eq(plane_byte(2, 0x17FFF), 0x01);
    cr_assert_eq(plane_byte(3, 0x17FFF), 0x01);
    cr_assert_eq(plane_byte(0, 0x17FFF), 0x00);
    vbe(5, 0); /* pixel (8, 0): offset 1, bit 7 */
    gc(8, 0x80);
    memr(0xA0001);
    memw(0xA0001, 0x06);
    const VgaFrame *f = vga_render(&vga);
    cr_assert_eq(f->width, 1024);
    cr_assert_eq(f->height, 768);
    cr_assert_eq(pixel(f, 1023, 767), attr_color(0x0C));
    cr_assert_eq(pixel(f, 8, 0), attr_color(0x06));
    cr_assert_eq(pixel(f, 9, 0), attr_color(0x00));
    vbe(8, 8); /* panning by 8 pixels moves it to the left edge */
    f = vga_render(&vga);
    cr_assert_eq(pixel(f, 0, 0), attr_color(0x06));
    gc(4, 3); /* read mode 0 sees the same planes */
    gc(5, 0x00);
    vbe(5, 1);
    cr_assert_eq(memr(0xA7FFF), 0x01);
}

Test(vga, vbe_bank_window_and_clear_on_enable)
{
    vga.vram[0x10000 + 5] = 0xAB;
    vbe(1, 320), vbe(2, 200), vbe(3, 8);
    vbe(4, 0x81); /* enabled, no clear */
    cr_assert_eq(vga.vram[0x10000 + 5], 0xAB);
    vbe(5, 1);    /* bank 1 */
    cr_assert_eq(memr(0xA0005), 0xAB);
    memw(0xA0006, 0xCD);
    cr_assert_eq(vga.vram[0x10006], 0xCD);
    vbe(5, 0xFFFF); /* beyond video memory: refused */
    cr_assert_eq(vbe_rd(5), 1);
    vbe(4, 0x00);
    vga.vram[100] = 0x55;
    vbe(4, 0x01); /* enabled, clears the screen's memory */
    cr_assert_eq(vga.vram[100], 0);
    cr_assert_eq(vbe_rd(7), VGA_VRAM_SIZE / 320, "virtual height from memory");
}

/* ---- save/restore and hostile programming ------------------------------------------------- */

Test(vga, save_and_load_round_trip)
{
    set_mode(&mode13);
    memw(0xA0000 + 1234, 0x42);
    outb(0x3C8, 3);
    outb(0x3C9, 1), outb(0x3C9, 2);
    vbe(1, 1024);
    StateWriter w;
    sw_init(&w);
    vga_save(&vga, &w);
    Vga copy;
    cr_assert(vga_init(&copy, &sched));
    StateReader r;
    sr_init(&r, w.buf, w.len);
    cr_assert(vga_load(&copy, &r));
    cr_assert_eq(memcmp(copy.vram, vga.vram, VGA_VRAM_SIZE), 0);
    cr_assert_eq(memcmp(copy.crtc, vga.crtc, sizeof vga.crtc), 0);
    cr_assert_eq(memcmp(copy.dac, vga.dac, sizeof vga.dac), 0);
    cr_assert_eq(copy.dac_write_sub, 2);
    cr_assert_eq(copy.vbe_regs[1], 1024);
    /* A truncated stream and an out-of-range bank are refused. */
    sr_init(&r, w.buf, w.len / 2);
    cr_assert_not(vga_load(&copy, &r));
    vga.vbe_regs[5] = 0xFFFF;
    StateWriter w2;
    sw_init(&w2);
    vga_save(&vga, &w2);
    sr_init(&r, w2.buf, w2.len);
    cr_assert_not(vga_load(&copy, &r));
    sw_free(&w);
    sw_free(&w2);
    vga_free(&copy);
}

Test(vga, random_register_programs_render_within_bounds)
{
    /* Whatever the guest writes, the renderer stays inside video memory and the frame
     * inside its limits (ASan checks the first half). */
    srand(99);
    for (int iter = 0; iter < 300; iter++) {
        for (int k = 0; k < 40; k++) {
            uint8_t i = (uint8_t)rand(), v = (uint8_t)rand();
            switch (rand() % 5) {
            case 0: crtc(i & 0x1F, v); break;
            case 1: seq(i & 7, v); break;
            case 2: gc(i & 0xF, v); break;
            case 3: attr(i & 0x1F, v); break;
            default: vbe((uint16_t)(i % 11), (uint16_t)(rand() & 0xFFFF)); break;
            }
        }
        screen_on();
        const VgaFrame *f = vga_render(&vga);
        cr_assert(f->width >= 1 && f->width <= VGA_MAX_WIDTH);
        cr_assert(f->height >= 1 && f->height <= VGA_MAX_HEIGHT);
        memw(0xA0000 + (uint32_t)(rand() & 0x1FFFF), (uint8_t)rand());
        (void)inb(0x3DA);
    }
}
