/* vga_regs.c — the VGA's I/O ports: misc output, sequencer, CRTC, graphics controller,
 * attribute controller, DAC and the input status registers (see vga.h). */
#include <string.h>

#include "devices/vga_internal.h"

/* BIOS mode 3 (80x25 colour text, 720x400 at 70 Hz), the card's power-on state. */
static const uint8_t mode3_seq[5] = {0x03, 0x00, 0x03, 0x00, 0x02};
static const uint8_t mode3_crtc[CR_COUNT] = {
    0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00,
    0x00, 0x00, 0x00, 0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF};
static const uint8_t mode3_gc[9] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xFF};
static const uint8_t mode3_attr[0x15] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14,
                                         0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D,
                                         0x3E, 0x3F, 0x0C, 0x00, 0x0F, 0x08, 0x00};

/* The EGA-compatible first 64 DAC entries: index bits 2,1,0 are red, green, blue at 2/3
 * intensity and bits 5,4,3 add 1/3 (the 6-bit DAC's 42 and 21). */
void vga_dac_reset(Vga *v)
{
    memset(v->dac, 0, sizeof v->dac);
    for (unsigned i = 0; i < 64; i++) {
        for (unsigned c = 0; c < 3; c++) {
            unsigned hi = (i >> (2 - c)) & 1, lo = (i >> (5 - c)) & 1;
            v->dac[i * 3 + c] = (uint8_t)(42 * hi + 21 * lo);
        }
    }
    v->dac_read_index = v->dac_write_index = 0;
    v->dac_read_sub = v->dac_write_sub = 0;
    v->dac_state_read = false;
    v->pel_mask = 0xFF;
}

void vga_regs_reset(Vga *v)
{
    v->misc = 0x67;
    v->feature = 0;
    v->vga_enable = 1;
    memset(v->seq, 0, sizeof v->seq);
    memset(v->gc, 0, sizeof v->gc);
    memset(v->crtc, 0, sizeof v->crtc);
    memset(v->attr, 0, sizeof v->attr);
    memcpy(v->seq, mode3_seq, sizeof mode3_seq);
    memcpy(v->crtc, mode3_crtc, sizeof mode3_crtc);
    memcpy(v->gc, mode3_gc, sizeof mode3_gc);
    memcpy(v->attr, mode3_attr, sizeof mode3_attr);
    v->seq_index = v->gc_index = v->crtc_index = 0;
    v->attr_index = AC_PAS;
    v->attr_flipflop = false;
    v->latch = 0;
    vga_dac_reset(v);
}

/* ---- input status 1: the beam position on the virtual clock -------------------------- */

static uint8_t input_status1(Vga *v)
{
    VgaTiming t;
    vga_timing(v, &t);
    uint64_t pos = sched_now(v->sched) % t.frame_ns;
    uint64_t line = pos / t.line_ns, in_line = pos % t.line_ns;
    bool vretrace = line >= t.vrs && line < t.vre;
    bool disabled = line >= t.vdisp || in_line >= t.hdisp_ns;
    v->attr_flipflop = false; /* reading input status 1 resets the attribute flip-flop */
    return (uint8_t)((disabled ? 0x01 : 0) | (vretrace ? 0x08 : 0));
}

/* ---- DAC -------------------------------------------------------------------------------- */

static uint8_t dac_data_read(Vga *v)
{
    uint8_t val = v->dac[v->dac_read_index * 3u + v->dac_read_sub];
    if (++v->dac_read_sub == 3) {
        v->dac_read_sub = 0;
        v->dac_read_index++; /* wraps at 256 */
    }
    return val;
}

static void dac_data_write(Vga *v, uint8_t value)
{
    bool dac8 = v->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC;
    v->dac_pending[v->dac_write_sub] = dac8 ? value : (value & 0x3F);
    if (++v->dac_write_sub == 3) {
        memcpy(&v->dac[v->dac_write_index * 3u], v->dac_pending, 3);
        v->dac_write_sub = 0;
        v->dac_write_index++;
    }
}

/* ---- CRTC and attribute controller ------------------------------------------------------ */

static bool crtc_port(const Vga *v, uint16_t port, uint16_t base)
{
    return (port & 0xFFF0) == ((v->misc & 1) ? 0x3D0 : 0x3B0) && (port & 0xF) == base;
}

static void crtc_write(Vga *v, uint8_t value)
{
    unsigned i = v->crtc_index;
    if (i >= CR_COUNT)
        return;
    if (i <= 7 && (v->crtc[CR_VRETRACE_END] & 0x80)) {
        /* Protected: only the line compare bit 8 of the overflow register still writes. */
        if (i == CR_OVERFLOW)
            v->crtc[i] = (uint8_t)((v->crtc[i] & ~0x10) | (value & 0x10));
        return;
    }
    v->crtc[i] = value;
}

static void attr_write(Vga *v, uint8_t value)
{
    if (!v->attr_flipflop) {
        v->attr_index = value & 0x3F;
    } else {
        unsigned i = v->attr_index & 0x1F;
        if (i < 0x10)
            v->attr[i] = value & 0x3F;
        else if (i <= AC_COLOR_SELECT)
            v->attr[i] = value;
    }
    v->attr_flipflop = !v->attr_flipflop;
}

/* ---- ports ------------------------------------------------------------------------------ */

uint8_t vga_port_read(Vga *v, uint16_t port)
{
    if (crtc_port(v, port, 0x4))
        return v->crtc_index;
    if (crtc_port(v, port, 0x5))
        return v->crtc_index < CR_COUNT ? v->crtc[v->crtc_index] : 0xFF;
    if (crtc_port(v, port, 0xA))
        return input_status1(v);
    switch (port) {
    case 0x3C0:
        return v->attr_index;
    case 0x3C1:
        return (v->attr_index & 0x1F) <= AC_COLOR_SELECT ? v->attr[v->attr_index & 0x1F] : 0;
    case 0x3C2:
        return 0x00; /* input status 0: no retrace interrupt, switch sense 0 */
    case 0x3C3:
        return v->vga_enable;
    case 0x3C4:
        return v->seq_index;
    case 0x3C5:
        return v->seq_index <= SEQ_MEM_MODE ? v->seq[v->seq_index] : 0xFF;
    case 0x3C6:
        return v->pel_mask;
    case 0x3C7:
        return v->dac_state_read ? 0x03 : 0x00;
    case 0x3C8:
        return v->dac_write_index;
    case 0x3C9:
        return dac_data_read(v);
    case 0x3CA:
        return v->feature;
    case 0x3CC:
        return v->misc;
    case 0x3CE:
        return v->gc_index;
    case 0x3CF:
        return v->gc_index <= GC_BIT_MASK ? v->gc[v->gc_index] : 0xFF;
    default:
        return 0xFF;
    }
}

void vga_port_write(Vga *v, uint16_t port, uint8_t value)
{
    v->generation++;
    if (crtc_port(v, port, 0x4)) {
        v->crtc_index = value & 0x3F;
        return;
    }
    if (crtc_port(v, port, 0x5)) {
        crtc_write(v, value);
        return;
    }
    if (crtc_port(v, port, 0xA)) {
        v->feature = value;
        return;
    }
    switch (port) {
    case 0x3C0:
        attr_write(v, value);
        break;
    case 0x3C2:
        v->misc = value;
        break;
    case 0x3C3:
        v->vga_enable = value & 1;
        break;
    case 0x3C4:
        v->seq_index = value & 7;
        break;
    case 0x3C5:
        if (v->seq_index <= SEQ_MEM_MODE)
            v->seq[v->seq_index] = value;
        break;
    case 0x3C6:
        v->pel_mask = value;
        break;
    case 0x3C7:
        v->dac_read_index = value;
        v->dac_read_sub = 0;
        v->dac_state_read = true;
        break;
    case 0x3C8:
        v->dac_write_index = value;
        v->dac_write_sub = 0;
        v->dac_state_read = false;
        break;
    case 0x3C9:
        dac_data_write(v, value);
        break;
    case 0x3CE:
        v->gc_index = value & 0x0F;
        break;
    case 0x3CF:
        if (v->gc_index <= GC_BIT_MASK)
            v->gc[v->gc_index] = value;
        break;
    default:
        break;
    }
}
