/* i8042.c — keyboard controller, PS/2 keyboard and PS/2 mouse; see i8042.h.
 *
 * Facts from the IBM PS/2 Hardware Interface Technical Reference (keyboard/auxiliary
 * device controller, keyboard and pointing device chapters) and the Intel 8042 data
 * sheet: status bits, command set, output-port bits (0 = system reset, 1 = A20), command
 * byte bits, keyboard and mouse command sets and replies, packet format, the 8042's fixed
 * set-2 -> set-1 translation table, the IntelliMouse sample-rate sequence 200, 100, 80.
 */
#include "devices/i8042.h"

#include <string.h>

#define ST_OBF 0x01
#define ST_SYS 0x04
#define ST_CMD 0x08
#define ST_UNLOCKED 0x10 /* keyboard not inhibited by the keylock */
#define ST_AUXB 0x20

#define CB_KBD_INT 0x01
#define CB_AUX_INT 0x02
#define CB_SYS 0x04
#define CB_KBD_OFF 0x10
#define CB_AUX_OFF 0x20
#define CB_XLAT 0x40

#define OP_RESET 0x01 /* low = reset the CPU */
#define OP_A20 0x02
#define OP_POWER_ON 0xCF

#define INPUT_PORT 0xA0 /* keylock off, no manufacturing jumper, colour display */

#define ACK 0xFA
#define RESEND 0xFE
#define BAT_OK 0xAA

#define CTRL_AUX_FLAG 0x100
#define MOTION_LIMIT 1000000 /* accumulated motion saturates here */
#define STATE_VERSION 1

/* The 8042's fixed translation of set-2 codes 0x00..0x7F into set 1. Codes from 0x80 up
 * pass unchanged, except 0x83 (F7) and 0x84 (Alt+SysRq). */
static const uint8_t xlat_table[128] = {
    0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
    0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, 0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
    0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, 0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, 0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
    0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, 0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
    0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, 0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, 0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
    0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45, 0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
};

static uint8_t xlat(uint8_t code)
{
    if (code < 0x80)
        return xlat_table[code];
    if (code == 0x83)
        return 0x41;
    if (code == 0x84)
        return 0x54;
    return code;
}

/* ---- byte queues ------------------------------------------------------------------ */

static unsigned q_room(const I8042Queue *q) { return I8042_QUEUE_SIZE - q->count; }

static void q_push(I8042Queue *q, uint8_t b)
{
    if (q->count == I8042_QUEUE_SIZE)
        return; /* a full device buffer drops the byte, as an overrun would */
    q->buf[(q->head + q->count) % I8042_QUEUE_SIZE] = b;
    q->count++;
}

static uint8_t q_pop(I8042Queue *q)
{
    uint8_t b = q->buf[q->head];
    q->head = (q->head + 1) % I8042_QUEUE_SIZE;
    q->count--;
    return b;
}

static void q_clear(I8042Queue *q) { q->head = q->count = 0; }

/* ---- the output buffer and the IRQ lines ------------------------------------------ */

static uint8_t cmd_byte(const I8042 *c) { return c->ram[0]; }

static void update_irq(I8042 *c)
{
    bool kbd = c->obf && !c->obf_aux && (cmd_byte(c) & CB_KBD_INT);
    bool aux = c->obf && c->obf_aux && (cmd_byte(c) & CB_AUX_INT);
    if (kbd != c->irq_kbd_level) {
        c->irq_kbd_level = kbd;
        irq_set(&c->irq_kbd, kbd);
    }
    if (aux != c->irq_aux_level) {
        c->irq_aux_level = aux;
        irq_set(&c->irq_aux, aux);
    }
}

static void load_output(I8042 *c, uint8_t b, bool aux)
{
    c->out_byte = b;
    c->obf = true;
    c->obf_aux = aux;
}

/* Takes the next keyboard byte through the translator. False if nothing came out yet. */
static bool take_kbd_byte(I8042 *c)
{
    while (c->kbd.out.count) {
        uint8_t b = q_pop(&c->kbd.out);
        if (!(cmd_byte(c) & CB_XLAT)) {
            load_output(c, b, false);
            return true;
        }
        if (b == 0xF0) {
            c->xlat_break = true;
            continue;
        }
        b = xlat(b);
        if (c->xlat_break)
            b |= 0x80;
        c->xlat_break = false;
        load_output(c, b, false);
        return true;
    }
    return false;
}

static void mouse_flush_motion(I8042 *c);

/* Fills an empty output buffer: controller replies, then keyboard, then mouse. */
static void pump(I8042 *c)
{
    if (!c->obf && c->ctrl_count) {
        uint16_t e = c->ctrl_q[c->ctrl_head];
        c->ctrl_head = (c->ctrl_head + 1) % I8042_CTRL_QUEUE;
        c->ctrl_count--;
        load_output(c, (uint8_t)e, e & CTRL_AUX_FLAG);
    }
    if (!c->obf && !(cmd_byte(c) & CB_KBD_OFF))
        take_kbd_byte(c);
    if (!c->obf && !(cmd_byte(c) & CB_AUX_OFF)) {
        if (!c->mouse.out.count)
            mouse_flush_motion(c);
        if (c->mouse.out.count)
            load_output(c, q_pop(&c->mouse.out), true);
    }
    update_irq(c);
}

static void ctrl_reply(I8042 *c, uint8_t b, bool as_aux)
{
    if (c->ctrl_count < I8042_CTRL_QUEUE) {
        c->ctrl_q[(c->ctrl_head + c->ctrl_count) % I8042_CTRL_QUEUE] =
            (uint16_t)(b | (as_aux ? CTRL_AUX_FLAG : 0));
        c->ctrl_count++;
    }
    pump(c);
}

/* ---- the keyboard ------------------------------------------------------------------ */

static void kbd_send(I8042 *c, uint8_t b)
{
    q_push(&c->kbd.out, b);
    c->kbd.last_sent = b;
}

static void kbd_defaults(I8042Keyboard *k)
{
    k->typematic = 0x2B; /* 10.9 characters/s after 500 ms */
    k->pending = 0;
}

static void kbd_power_on(I8042Keyboard *k)
{
    q_clear(&k->out);
    kbd_defaults(k);
    k->scancode_set = 2;
    k->scanning = true;
    k->leds = 0;
    k->last_sent = 0;
}

/* Parameter byte of ED, F3 or F0. Returns false if it is really a new command. */
static bool kbd_param(I8042 *c, uint8_t cmd, uint8_t v)
{
    I8042Keyboard *k = &c->kbd;
    if (v >= 0xED && cmd != 0xF0)
        return false;
    switch (cmd) {
    case 0xED:
        k->leds = v & 7;
        kbd_send(c, ACK);
        break;
    case 0xF3:
        k->typematic = v & 0x7F;
        kbd_send(c, ACK);
        break;
    case 0xF0:
        if (v == 0) {
            kbd_send(c, ACK);
            kbd_send(c, k->scancode_set);
        } else if (v <= 3) {
            k->scancode_set = v;
            kbd_send(c, ACK);
        } else {
            kbd_send(c, RESEND);
        }
        break;
    }
    return true;
}

static void kbd_command(I8042 *c, uint8_t v)
{
    I8042Keyboard *k = &c->kbd;
    switch (v) {
    case 0xED: case 0xF3: case 0xF0:
        kbd_send(c, ACK);
        k->pending = v;
        break;
    case 0xEE:
        kbd_send(c, 0xEE); /* echo */
        break;
    case 0xF2:
        kbd_send(c, ACK);
        kbd_send(c, 0xAB);
        kbd_send(c, 0x83);
        break;
    case 0xF4:
        q_clear(&k->out);
        k->scanning = true;
        kbd_send(c, ACK);
        break;
    case 0xF5: case 0xF6:
        q_clear(&k->out);
        kbd_defaults(k);
        k->scanning = v == 0xF6;
        kbd_send(c, ACK);
        break;
    case 0xF7: case 0xF8: case 0xF9: case 0xFA: case 0xFB: case 0xFC: case 0xFD:
        kbd_send(c, ACK); /* set-3 key types: accepted, not modelled */
        break;
    case 0xFE:
        kbd_send(c, k->last_sent);
        break;
    case 0xFF:
        kbd_power_on(k);
        kbd_send(c, ACK);
        kbd_send(c, BAT_OK);
        break;
    default:
        kbd_send(c, RESEND);
        break;
    }
}

static void kbd_write(I8042 *c, uint8_t v)
{
    uint8_t pending = c->kbd.pending;
    c->kbd.pending = 0;
    if (!pending || !kbd_param(c, pending, v))
        kbd_command(c, v);
    pump(c);
}

/* Set-2 sequence of a key event; returns its length (0 = not a key). */
static unsigned key_sequence(uint16_t key, bool pressed, uint8_t *seq)
{
    static const uint8_t pause[8] = {0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77};
    static const uint8_t prt_make[4] = {0xE0, 0x12, 0xE0, 0x7C};
    static const uint8_t prt_break[6] = {0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12};
    unsigned n = 0;
    if (key == I8042_KEY_PAUSE) {
        if (!pressed)
            return 0;
        memcpy(seq, pause, sizeof pause);
        return sizeof pause;
    }
    if (key == I8042_KEY_PRINT_SCREEN) {
        memcpy(seq, pressed ? prt_make : prt_break, pressed ? 4 : 6);
        return pressed ? 4 : 6;
    }
    uint8_t code = (uint8_t)key, prefix = (uint8_t)(key >> 8);
    if ((prefix != 0 && prefix != 0xE0) || code == 0 || code > 0x84)
        return 0;
    if (prefix)
        seq[n++] = 0xE0;
    if (!pressed)
        seq[n++] = 0xF0;
    seq[n++] = code;
    return n;
}

bool i8042_key_event(I8042 *c, uint16_t keycode, bool pressed)
{
    uint8_t seq[8];
    unsigned n = key_sequence(keycode, pressed, seq);
    if (!c->kbd.scanning || n == 0 || q_room(&c->kbd.out) < n)
        return false;
    bool brk = false;
    for (unsigned i = 0; i < n; i++) {
        uint8_t b = seq[i];
        /* A keyboard switched to set 1 does the translation itself. */
        if (c->kbd.scancode_set == 1) {
            if (b == 0xF0) {
                brk = true;
                continue;
            }
            b = (uint8_t)(xlat(b) | (brk ? 0x80 : 0));
            brk = false;
        }
        q_push(&c->kbd.out, b);
    }
    pump(c);
    return true;
}

/* ---- the mouse --------------------------------------------------------------------- */

static void mouse_send(I8042 *c, uint8_t b)
{
    q_push(&c->mouse.out, b);
    c->mouse.last_sent = b;
}

static void mouse_clear_motion(I8042Mouse *m)
{
    m->dx = m->dy = m->dz = 0;
    m->dirty = false;
}

static void mouse_defaults(I8042Mouse *m)
{
    m->sample_rate = 100;
    m->resolution = 2; /* 4 counts/mm */
    m->scaling_2to1 = false;
    m->reporting = false;
    m->pending = 0;
    mouse_clear_motion(m);
}

static void mouse_power_on(I8042Mouse *m)
{
    q_clear(&m->out);
    mouse_defaults(m);
    m->remote = false;
    m->wrap = false;
    m->id = 0;
    memset(m->last_rates, 0, sizeof m->last_rates);
    m->last_sent = 0;
}

/* 2:1 scaling as the PS/2 reference tabulates it: 1->1, 2->1, 3->3, 4->6, 5->9, n->2n. */
static int32_t scale_2to1(int32_t v)
{
    static const int8_t small[6] = {0, 1, 1, 3, 6, 9};
    int32_t mag = v < 0 ? -v : v;
    int32_t s = mag <= 5 ? small[mag] : 2 * mag;
    return v < 0 ? -s : s;
}

static unsigned packet_size(const I8042Mouse *m) { return m->id == 3 ? 4 : 3; }

static void mouse_packet(I8042 *c, bool scaled)
{
    I8042Mouse *m = &c->mouse;
    int32_t dx = scaled && m->scaling_2to1 ? scale_2to1(m->dx) : m->dx;
    int32_t dy = scaled && m->scaling_2to1 ? scale_2to1(m->dy) : m->dy;
    uint8_t b0 = 0x08 | (m->buttons & 7);
    /* Nine-bit two's complement counts; beyond that the overflow bit is set and the
     * count saturates. */
    if (dx > 255 || dx < -256) {
        b0 |= 0x40;
        dx = dx > 0 ? 255 : -256;
    }
    if (dy > 255 || dy < -256) {
        b0 |= 0x80;
        dy = dy > 0 ? 255 : -256;
    }
    if (dx < 0)
        b0 |= 0x10;
    if (dy < 0)
        b0 |= 0x20;
    mouse_send(c, b0);
    mouse_send(c, (uint8_t)dx);
    mouse_send(c, (uint8_t)dy);
    if (m->id == 3) {
        int32_t dz = m->dz < -8 ? -8 : m->dz > 7 ? 7 : m->dz;
        mouse_send(c, (uint8_t)dz);
    }
    mouse_clear_motion(m);
}

/* Stream mode: report accumulated motion once the whole packet fits. */
static void mouse_flush_motion(I8042 *c)
{
    I8042Mouse *m = &c->mouse;
    if (m->dirty && m->reporting && !m->remote && !m->wrap &&
        q_room(&m->out) >= packet_size(m))
        mouse_packet(c, true);
}

static int32_t saturate(int64_t v)
{
    return v > MOTION_LIMIT ? MOTION_LIMIT : v < -MOTION_LIMIT ? -MOTION_LIMIT : (int32_t)v;
}

bool i8042_mouse_event(I8042 *c, int dx, int dy, int dz, uint8_t buttons)
{
    I8042Mouse *m = &c->mouse;
    m->buttons = buttons & 7; /* the status request (E9) sees buttons even when disabled */
    if (!m->reporting && !m->remote)
        return false;
    m->dx = saturate((int64_t)m->dx + dx);
    m->dy = saturate((int64_t)m->dy + dy);
    m->dz = saturate((int64_t)m->dz + dz);
    m->dirty = true;
    mouse_flush_motion(c);
    pump(c);
    return true;
}

static void mouse_status(I8042 *c)
{
    I8042Mouse *m = &c->mouse;
    uint8_t b0 = (uint8_t)((m->remote ? 0x40 : 0) | (m->reporting ? 0x20 : 0) |
                           (m->scaling_2to1 ? 0x10 : 0));
    /* Status buttons are ordered left (bit 2), middle (bit 1), right (bit 0). */
    if (m->buttons & I8042_MOUSE_LEFT)
        b0 |= 0x04;
    if (m->buttons & I8042_MOUSE_MIDDLE)
        b0 |= 0x02;
    if (m->buttons & I8042_MOUSE_RIGHT)
        b0 |= 0x01;
    mouse_send(c, ACK);
    mouse_send(c, b0);
    mouse_send(c, m->resolution);
    mouse_send(c, m->sample_rate);
}

static void mouse_set_rate(I8042Mouse *m, uint8_t rate)
{
    m->sample_rate = rate;
    m->last_rates[0] = m->last_rates[1];
    m->last_rates[1] = m->last_rates[2];
    m->last_rates[2] = rate;
    if (m->id == 0 && m->last_rates[0] == 200 && m->last_rates[1] == 100 &&
        m->last_rates[2] == 80)
        m->id = 3;
}

static void mouse_param(I8042 *c, uint8_t cmd, uint8_t v)
{
    I8042Mouse *m = &c->mouse;
    if (cmd == 0xF3) {
        mouse_set_rate(m, v);
        mouse_send(c, ACK);
    } else if (v <= 3) { /* 0xE8 */
        m->resolution = v;
        mouse_send(c, ACK);
    } else {
        mouse_send(c, RESEND);
    }
}

static void mouse_command(I8042 *c, uint8_t v)
{
    I8042Mouse *m = &c->mouse;
    switch (v) {
    case 0xE6: case 0xE7:
        m->scaling_2to1 = v == 0xE7;
        mouse_send(c, ACK);
        break;
    case 0xE8: case 0xF3:
        m->pending = v;
        mouse_send(c, ACK);
        break;
    case 0xE9:
        mouse_status(c);
        break;
    case 0xEA: case 0xF0:
        m->remote = v == 0xF0;
        mouse_clear_motion(m);
        mouse_send(c, ACK);
        break;
    case 0xEB:
        mouse_send(c, ACK);
        mouse_packet(c, false);
        break;
    case 0xEC: case 0xEE:
        m->wrap = v == 0xEE;
        mouse_send(c, ACK);
        break;
    case 0xF2:
        mouse_send(c, ACK);
        mouse_send(c, m->id);
        break;
    case 0xF4: case 0xF5:
        m->reporting = v == 0xF4;
        mouse_clear_motion(m);
        mouse_send(c, ACK);
        break;
    case 0xF6:
        mouse_defaults(m);
        mouse_send(c, ACK);
        break;
    case 0xFE:
        mouse_send(c, m->last_sent);
        break;
    case 0xFF:
        mouse_power_on(m);
        mouse_send(c, ACK);
        mouse_send(c, BAT_OK);
        mouse_send(c, 0x00);
        break;
    default:
        mouse_send(c, RESEND);
        break;
    }
}

static void mouse_write(I8042 *c, uint8_t v)
{
    I8042Mouse *m = &c->mouse;
    uint8_t pending = m->pending;
    m->pending = 0;
    if (m->wrap && v != 0xEC && v != 0xFF)
        mouse_send(c, v); /* wrap mode echoes everything else */
    else if (pending)
        mouse_param(c, pending, v);
    else
        mouse_command(c, v);
    pump(c);
}

/* ---- the controller ------------------------------------------------------------- */

static void write_output_port(I8042 *c, uint8_t v)
{
    bool a20_before = c->output_port & OP_A20;
    c->output_port = v;
    if ((bool)(v & OP_A20) != a20_before && c->cb.set_a20)
        c->cb.set_a20(c->cb.opaque, v & OP_A20);
    if (!(v & OP_RESET) && c->cb.request_reset)
        c->cb.request_reset(c->cb.opaque);
}

/* Commands that carry a data byte through port 0x60. */
static void controller_param(I8042 *c, uint8_t cmd, uint8_t v)
{
    if (cmd >= 0x60 && cmd <= 0x7F) {
        c->ram[cmd & 0x1F] = v;
        pump(c);
        return;
    }
    switch (cmd) {
    case 0xD1:
        write_output_port(c, v);
        break;
    case 0xD2:
        ctrl_reply(c, v, false);
        break;
    case 0xD3:
        ctrl_reply(c, v, true);
        break;
    case 0xD4:
        mouse_write(c, v);
        break;
    }
}

static void set_cmd_bits(I8042 *c, uint8_t set, uint8_t clear)
{
    c->ram[0] = (uint8_t)((c->ram[0] | set) & ~clear);
    pump(c);
}

void i8042_write_command(I8042 *c, uint8_t v)
{
    c->last_was_cmd = true;
    c->pending_cmd = 0;
    if (v >= 0x20 && v <= 0x3F) {
        ctrl_reply(c, c->ram[v & 0x1F], false);
        return;
    }
    if ((v >= 0x60 && v <= 0x7F) || (v >= 0xD1 && v <= 0xD4)) {
        c->pending_cmd = v;
        return;
    }
    if (v >= 0xF0) {
        /* Pulse the output-port lines whose bit is 0; bit 0 is the CPU reset. */
        if (!(v & OP_RESET) && c->cb.request_reset)
            c->cb.request_reset(c->cb.opaque);
        return;
    }
    switch (v) {
    case 0xA4: ctrl_reply(c, 0xF1, false); break; /* no password installed */
    case 0xA7: set_cmd_bits(c, CB_AUX_OFF, 0); break;
    case 0xA8: set_cmd_bits(c, 0, CB_AUX_OFF); break;
    case 0xA9: ctrl_reply(c, 0x00, false); break;  /* aux interface test passed */
    case 0xAA:
        c->ram[0] |= CB_SYS;
        ctrl_reply(c, 0x55, false);
        break;
    case 0xAB: ctrl_reply(c, 0x00, false); break;  /* keyboard interface test passed */
    case 0xAD: set_cmd_bits(c, CB_KBD_OFF, 0); break;
    case 0xAE: set_cmd_bits(c, 0, CB_KBD_OFF); break;
    case 0xC0: ctrl_reply(c, INPUT_PORT, false); break;
    case 0xD0: ctrl_reply(c, c->output_port, false); break;
    case 0xDD: write_output_port(c, c->output_port & (uint8_t)~OP_A20); break;
    case 0xDF: write_output_port(c, c->output_port | OP_A20); break;
    case 0xE0: ctrl_reply(c, 0x00, false); break;  /* test inputs */
    default: break;                                 /* unknown: ignored */
    }
}

void i8042_write_data(I8042 *c, uint8_t v)
{
    uint8_t cmd = c->pending_cmd;
    c->last_was_cmd = false;
    c->pending_cmd = 0;
    if (cmd)
        controller_param(c, cmd, v);
    else
        kbd_write(c, v);
}

uint8_t i8042_read_data(I8042 *c)
{
    uint8_t v = c->out_byte;
    if (c->obf) {
        c->obf = false;
        c->obf_aux = false;
        update_irq(c); /* the line falls before the next byte raises it: one edge each */
        pump(c);
    }
    return v;
}

uint8_t i8042_read_status(const I8042 *c)
{
    uint8_t s = ST_UNLOCKED;
    if (c->obf)
        s |= ST_OBF | (c->obf_aux ? ST_AUXB : 0);
    if (cmd_byte(c) & CB_SYS)
        s |= ST_SYS;
    if (c->last_was_cmd)
        s |= ST_CMD;
    return s;
}

/* ---- port glue, life cycle -------------------------------------------------------- */

static uint32_t data_io_read(void *opaque, uint32_t addr, unsigned size)
{
    return i8042_read_data(opaque);
}

static void data_io_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    i8042_write_data(opaque, (uint8_t)value);
}

static uint32_t status_io_read(void *opaque, uint32_t addr, unsigned size)
{
    return i8042_read_status(opaque);
}

static void command_io_write(void *opaque, uint32_t addr, unsigned size, uint32_t value)
{
    i8042_write_command(opaque, (uint8_t)value);
}

static const IoOps data_ops = {.read = data_io_read, .write = data_io_write, .sizes = 1};
static const IoOps status_ops = {.read = status_io_read, .write = command_io_write, .sizes = 1};

void i8042_register(I8042 *c, IoPortSpace *io)
{
    ioport_register(io, I8042_DATA_PORT, 1, &data_ops, c);
    ioport_register(io, I8042_STATUS_PORT, 1, &status_ops, c);
}

void i8042_init(I8042 *c, IrqLine irq1, IrqLine irq12, I8042Callbacks cb)
{
    memset(c, 0, sizeof *c);
    c->irq_kbd = irq1;
    c->irq_aux = irq12;
    c->cb = cb;
    i8042_reset(c);
}

void i8042_reset(I8042 *c)
{
    memset(c->ram, 0, sizeof c->ram);
    c->ram[0] = CB_XLAT | CB_AUX_OFF | CB_KBD_INT;
    c->output_port = OP_POWER_ON;
    c->out_byte = 0;
    c->obf = c->obf_aux = false;
    c->pending_cmd = 0;
    c->last_was_cmd = false;
    c->xlat_break = false;
    c->ctrl_head = c->ctrl_count = 0;
    kbd_power_on(&c->kbd);
    mouse_power_on(&c->mouse);
    c->mouse.buttons = 0;
    update_irq(c);
    if (c->cb.set_a20)
        c->cb.set_a20(c->cb.opaque, true);
}

void i8042_get_info(const I8042 *c, I8042Info *info)
{
    memset(info, 0, sizeof *info);
    info->status = i8042_read_status(c);
    info->command_byte = cmd_byte(c);
    info->output_port = c->output_port;
    info->out_byte = c->out_byte;
    info->kbd_queued = c->kbd.out.count;
    info->mouse_queued = c->mouse.out.count;
    info->scancode_set = c->kbd.scancode_set;
    info->leds = c->kbd.leds;
    info->kbd_scanning = c->kbd.scanning;
    info->mouse_reporting = c->mouse.reporting;
    info->mouse_id = c->mouse.id;
    info->mouse_rate = c->mouse.sample_rate;
    info->mouse_resolution = c->mouse.resolution;
    info->a20 = c->output_port & OP_A20;
    info->irq_kbd_level = c->irq_kbd_level;
    info->irq_aux_level = c->irq_aux_level;
}

/* ---- save / load ---------------------------------------------------------------- */

static void save_queue(const I8042Queue *q, StateWriter *w)
{
    sw_bytes(w, q->buf, I8042_QUEUE_SIZE);
    sw_u8(w, q->head);
    sw_u8(w, q->count);
}

static bool load_queue(I8042Queue *q, StateReader *r)
{
    sr_bytes(r, q->buf, I8042_QUEUE_SIZE);
    q->head = sr_u8(r);
    q->count = sr_u8(r);
    return !r->error && q->head < I8042_QUEUE_SIZE && q->count <= I8042_QUEUE_SIZE;
}

/* Booleans go as one bit each of a byte. */
static uint8_t pack_bools(const bool *b, unsigned n)
{
    uint8_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint8_t)(b[i] << i);
    return v;
}

static void save_keyboard(const I8042Keyboard *k, StateWriter *w)
{
    save_queue(&k->out, w);
    sw_u8(w, k->scancode_set);
    sw_u8(w, k->scanning);
    sw_u8(w, k->leds);
    sw_u8(w, k->typematic);
    sw_u8(w, k->pending);
    sw_u8(w, k->last_sent);
}

static bool load_keyboard(I8042Keyboard *k, StateReader *r)
{
    if (!load_queue(&k->out, r))
        return false;
    k->scancode_set = sr_u8(r);
    uint8_t scanning = sr_u8(r);
    k->leds = sr_u8(r);
    k->typematic = sr_u8(r);
    k->pending = sr_u8(r);
    k->last_sent = sr_u8(r);
    k->scanning = scanning;
    return !r->error && k->scancode_set >= 1 && k->scancode_set <= 3 && scanning <= 1 &&
           k->leds <= 7 && k->typematic <= 0x7F &&
           (k->pending == 0 || k->pending == 0xED || k->pending == 0xF3 || k->pending == 0xF0);
}

static void save_mouse(const I8042Mouse *m, StateWriter *w)
{
    const bool flags[5] = {m->reporting, m->remote, m->wrap, m->scaling_2to1, m->dirty};
    save_queue(&m->out, w);
    sw_u8(w, pack_bools(flags, 5));
    sw_u8(w, m->sample_rate);
    sw_u8(w, m->resolution);
    sw_u8(w, m->id);
    sw_u8(w, m->pending);
    sw_bytes(w, m->last_rates, 3);
    sw_u8(w, m->buttons);
    sw_u32(w, (uint32_t)m->dx);
    sw_u32(w, (uint32_t)m->dy);
    sw_u32(w, (uint32_t)m->dz);
    sw_u8(w, m->last_sent);
}

static bool motion_ok(int32_t v) { return v >= -MOTION_LIMIT && v <= MOTION_LIMIT; }

static bool load_mouse(I8042Mouse *m, StateReader *r)
{
    if (!load_queue(&m->out, r))
        return false;
    uint8_t flags = sr_u8(r);
    m->sample_rate = sr_u8(r);
    m->resolution = sr_u8(r);
    m->id = sr_u8(r);
    m->pending = sr_u8(r);
    sr_bytes(r, m->last_rates, 3);
    m->buttons = sr_u8(r);
    m->dx = (int32_t)sr_u32(r);
    m->dy = (int32_t)sr_u32(r);
    m->dz = (int32_t)sr_u32(r);
    m->last_sent = sr_u8(r);
    m->reporting = flags & 1;
    m->remote = flags & 2;
    m->wrap = flags & 4;
    m->scaling_2to1 = flags & 8;
    m->dirty = flags & 16;
    return !r->error && flags < 32 && m->resolution <= 3 && (m->id == 0 || m->id == 3) &&
           (m->pending == 0 || m->pending == 0xE8 || m->pending == 0xF3) && m->buttons <= 7 &&
           motion_ok(m->dx) && motion_ok(m->dy) && motion_ok(m->dz);
}

void i8042_save(const I8042 *c, StateWriter *w)
{
    const bool flags[6] = {c->obf, c->obf_aux, c->last_was_cmd, c->xlat_break,
                           c->irq_kbd_level, c->irq_aux_level};
    sw_u8(w, STATE_VERSION);
    save_keyboard(&c->kbd, w);
    save_mouse(&c->mouse, w);
    sw_bytes(w, c->ram, sizeof c->ram);
    sw_u8(w, c->output_port);
    sw_u8(w, c->out_byte);
    sw_u8(w, c->pending_cmd);
    sw_u8(w, pack_bools(flags, 6));
    for (unsigned i = 0; i < I8042_CTRL_QUEUE; i++)
        sw_u16(w, c->ctrl_q[i]);
    sw_u8(w, c->ctrl_head);
    sw_u8(w, c->ctrl_count);
}

static bool pending_cmd_ok(uint8_t v)
{
    return v == 0 || (v >= 0x60 && v <= 0x7F) || (v >= 0xD1 && v <= 0xD4);
}

static bool load_controller(I8042 *t, StateReader *r)
{
    sr_bytes(r, t->ram, sizeof t->ram);
    t->output_port = sr_u8(r);
    t->out_byte = sr_u8(r);
    t->pending_cmd = sr_u8(r);
    uint8_t flags = sr_u8(r);
    bool q_ok = true;
    for (unsigned i = 0; i < I8042_CTRL_QUEUE; i++) {
        t->ctrl_q[i] = sr_u16(r);
        q_ok = q_ok && t->ctrl_q[i] <= (CTRL_AUX_FLAG | 0xFF);
    }
    t->ctrl_head = sr_u8(r);
    t->ctrl_count = sr_u8(r);
    t->obf = flags & 1;
    t->obf_aux = flags & 2;
    t->last_was_cmd = flags & 4;
    t->xlat_break = flags & 8;
    t->irq_kbd_level = flags & 16;
    t->irq_aux_level = flags & 32;
    return !r->error && flags < 64 && q_ok && pending_cmd_ok(t->pending_cmd) &&
           t->ctrl_head < I8042_CTRL_QUEUE && t->ctrl_count <= I8042_CTRL_QUEUE;
}

bool i8042_load(I8042 *c, StateReader *r)
{
    I8042 t = *c;
    if (sr_u8(r) != STATE_VERSION || !load_keyboard(&t.kbd, r) || !load_mouse(&t.mouse, r) ||
        !load_controller(&t, r))
        return sr_fail(r);
    *c = t;
    irq_set(&c->irq_kbd, c->irq_kbd_level);
    irq_set(&c->irq_aux, c->irq_aux_level);
    return true;
}
