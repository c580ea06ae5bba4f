/* vga_mem.c — the legacy window 0xA0000-0xBFFFF: memory-map decode, chain-4 and odd/even
 * addressing, the latches, write modes 0-3 (rotate, set/reset, ALU function, bit mask) and
 * read modes 0-1 (see vga.h). With VBE enabled the window is instead a 64 KiB bank of the
 * linear video memory. */
#include "devices/vga_internal.h"

/* Every byte of a 32-bit latch word set to `b` (one byte per plane). */
static inline uint32_t spread(uint8_t b) { return b * 0x01010101u; }

/* Plane p's byte is 0xFF where bit p of `bits` is set. */
static uint32_t expand_bits(uint8_t bits)
{
    uint32_t r = 0;
    for (unsigned p = 0; p < 4; p++)
        if (bits & (1u << p))
            r |= 0xFFu << (8 * p);
    return r;
}

/* Window offset -> CPU address inside the selected map, or -1 outside it. */
static int32_t window_decode(const Vga *v, uint32_t offset)
{
    switch ((v->gc[GC_MISC] >> 2) & 3) {
    case 0:
        return (int32_t)(offset & (VGA_WINDOW_SIZE - 1));
    case 1:
        return offset < 0x10000 ? (int32_t)offset : -1;
    case 2:
        return offset >= 0x10000 && offset < 0x18000 ? (int32_t)(offset - 0x10000) : -1;
    default:
        return offset >= 0x18000 ? (int32_t)(offset - 0x18000) : -1;
    }
}

/* Banked VBE access: the bank register selects which 64 KiB of video memory 0xA0000 shows. */
static uint8_t *vbe_bank_ptr(Vga *v, uint32_t offset)
{
    if (offset >= 0x10000)
        return NULL;
    uint64_t addr = (uint64_t)v->vbe_regs[VBE_DISPI_INDEX_BANK] * 0x10000u + offset;
    return addr < VGA_VRAM_SIZE ? &v->vram[addr] : NULL;
}

/* The planar offset and the planes a CPU address reaches. `for_read` picks the read-side
 * odd/even control (graphics mode bit 4) over the write side (sequencer memory mode). */
static uint32_t planar_address(const Vga *v, uint32_t a, bool for_read, unsigned *planes)
{
    uint8_t mm = v->seq[SEQ_MEM_MODE];
    uint32_t mask = vga_planar_mask(v);
    if (mm & 0x08) {                       /* chain 4: address bits 0-1 pick the plane */
        *planes = 1u << (a & 3);
        return (a & ~3u) & mask;
    }
    bool odd_even = for_read ? (v->gc[GC_MODE] & 0x10) : !(mm & 0x04);
    if (odd_even) {                        /* address bit 0 picks plane 0/2 or 1/3 */
        *planes = (a & 1) ? 0xA : 0x5;
        return (a & ~1u) & mask;
    }
    *planes = 0xF;
    return a & mask;
}

static uint32_t load_latch(const Vga *v, uint32_t off)
{
    uint32_t l;
    __builtin_memcpy(&l, &v->vram[off << 2], 4); /* the four planes of one offset */
    return l;
}

static uint8_t planar_read(Vga *v, uint32_t a)
{
    unsigned planes;
    uint32_t off = planar_address(v, a, true, &planes);
    v->latch = load_latch(v, off);
    if (v->gc[GC_MODE] & 0x08) {           /* read mode 1: colour compare */
        uint32_t care = expand_bits(v->gc[GC_DONT_CARE] & 0xF);
        uint32_t diff = (v->latch ^ expand_bits(v->gc[GC_COLOR_CMP] & 0xF)) & care;
        uint8_t r = 0xFF;
        for (unsigned p = 0; p < 4; p++)
            r &= (uint8_t)~(diff >> (8 * p));
        return r;
    }
    unsigned plane;
    if (v->seq[SEQ_MEM_MODE] & 0x08)
        plane = a & 3;
    else if (v->gc[GC_MODE] & 0x10)
        plane = (v->gc[GC_READ_MAP] & 2) | (a & 1);
    else
        plane = v->gc[GC_READ_MAP] & 3;
    return (uint8_t)(v->latch >> (8 * plane));
}

static uint32_t alu(const Vga *v, uint32_t val)
{
    switch ((v->gc[GC_ROTATE] >> 3) & 3) {
    case 1:
        return val & v->latch;
    case 2:
        return val | v->latch;
    case 3:
        return val ^ v->latch;
    default:
        return val;
    }
}

/* The four plane bytes a write produces, before the map mask picks the planes. */
static uint32_t write_pipeline(const Vga *v, uint8_t value)
{
    unsigned count = v->gc[GC_ROTATE] & 7;
    uint8_t rotated = (uint8_t)((value >> count) | (value << ((8 - count) & 7)));
    uint32_t set_reset = expand_bits(v->gc[GC_SET_RESET] & 0xF);
    uint8_t mask = v->gc[GC_BIT_MASK];
    uint32_t val;
    switch (v->gc[GC_MODE] & 3) {
    case 0: {
        uint32_t esr = expand_bits(v->gc[GC_ENABLE_SR] & 0xF);
        val = (spread(rotated) & ~esr) | (set_reset & esr);
        break;
    }
    case 1:
        return v->latch;
    case 2:
        val = expand_bits(value & 0xF);
        break;
    default:
        val = set_reset;
        mask &= rotated;
        break;
    }
    uint32_t m = spread(mask);
    return (alu(v, val) & m) | (v->latch & ~m);
}

static void planar_write(Vga *v, uint32_t a, uint8_t value)
{
    unsigned planes;
    uint32_t off = planar_address(v, a, false, &planes);
    planes &= v->seq[SEQ_MAP_MASK] & 0xF;
    uint32_t result = write_pipeline(v, value);
    uint8_t *dst = &v->vram[off << 2];
    for (unsigned p = 0; p < 4; p++)
        if (planes & (1u << p))
            dst[p] = (uint8_t)(result >> (8 * p));
}

/* A planar VBE mode: the bank selects which 64 KiB of planar offsets 0xA0000 reaches. */
static int32_t vbe_planar_decode(const Vga *v, uint32_t offset)
{
    if (offset >= 0x10000)
        return -1;
    return (int32_t)(((uint32_t)v->vbe_regs[VBE_DISPI_INDEX_BANK] << 16) + offset);
}

uint8_t vga_mem_read(Vga *v, uint32_t offset)
{
    if (vga_vbe_planar(v)) {
        int32_t a = vbe_planar_decode(v, offset);
        return a < 0 ? 0xFF : planar_read(v, (uint32_t)a);
    }
    if (vga_vbe_on(v)) {
        uint8_t *p = vbe_bank_ptr(v, offset);
        return p ? *p : 0xFF;
    }
    int32_t a = window_decode(v, offset);
    return a < 0 ? 0xFF : planar_read(v, (uint32_t)a);
}

void vga_mem_write(Vga *v, uint32_t offset, uint8_t value)
{
    v->generation++;
    if (vga_vbe_planar(v)) {
        int32_t a = vbe_planar_decode(v, offset);
        if (a >= 0)
            planar_write(v, (uint32_t)a, value);
        return;
    }
    if (vga_vbe_on(v)) {
        uint8_t *p = vbe_bank_ptr(v, offset);
        if (p)
            *p = value;
        return;
    }
    int32_t a = window_decode(v, offset);
    if (a >= 0)
        planar_write(v, (uint32_t)a, value);
}
