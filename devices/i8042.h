/* i8042.h — the PS/2 keyboard controller (ports 0x60 data, 0x64 status/command) with its
 * keyboard (IRQ 1) and PS/2 mouse (IRQ 12) attached.
 *
 * Contract: the controller holds one output-buffer byte at a time. Its own replies go
 * first, then keyboard bytes (unless the keyboard interface is disabled, command-byte bit
 * 4), then mouse bytes (unless bit 5). The next byte is loaded the moment the guest reads
 * port 0x60, so no timer is needed and the IRQ line falls and rises again (an edge) for
 * every byte. IRQ 1 is high while a keyboard byte waits and command-byte bit 0 is set;
 * IRQ 12 likewise for a mouse byte and bit 1. With bit 6 set, keyboard bytes pass through
 * the 8042's set-2 -> set-1 translation table (an F0 prefix becomes bit 7 of the next code).
 * Commands are executed at once, so the input buffer is never full (status bit 1 = 0).
 *
 * Outputs to the machine go through I8042Callbacks: set_a20 when the output port's A20
 * bit changes (and with `true` from init/reset, where the output port starts at 0xCF), and
 * request_reset when the guest pulses or writes output-port bit 0 low (command 0xFE or 0xD1).
 *
 * Keys: i8042_key_event takes a neutral key code that is the key's scan-code-set-2 make
 * code: 0x00xx for plain keys, 0xE0xx for E0-prefixed ones, plus I8042_KEY_PAUSE and
 * I8042_KEY_PRINT_SCREEN whose sequences are special. The keyboard turns it into the make
 * or break sequence of its current set (2, or 1 when the guest selected set 1; set 3 is
 * accepted by F0 but keys are still sent as set 2). Auto-repeat is the front end's job: a
 * repeated key is another press event. Mouse: i8042_mouse_event takes relative motion in
 * PS/2 convention (dx right, dy up, dz positive = wheel towards the user) and buttons
 * (bit 0 left, bit 1 right, bit 2 middle); in stream mode with reporting on it becomes a
 * 3-byte packet, or 4 bytes after the IntelliMouse 200/100/80 sample-rate knock (ID 3).
 */
#ifndef VMM86_DEVICES_I8042_H
#define VMM86_DEVICES_I8042_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/device.h"
#include "machine/savestate.h"
#include "softmmu/ioport.h"

#define I8042_DATA_PORT 0x60
#define I8042_STATUS_PORT 0x64
#define I8042_KBD_IRQ 1
#define I8042_AUX_IRQ 12

#define I8042_KEY_EXT(code) (0xE000 | (code))
#define I8042_KEY_PAUSE 0xE114        /* E1 14 77 E1 F0 14 F0 77 on press, nothing on release */
#define I8042_KEY_PRINT_SCREEN 0xE07C /* E0 12 E0 7C / E0 F0 7C E0 F0 12 */

#define I8042_QUEUE_SIZE 32 /* bytes a device can hold before the controller takes them */
#define I8042_CTRL_QUEUE 4  /* controller replies waiting for the output buffer */

#define I8042_MOUSE_LEFT 0x01
#define I8042_MOUSE_RIGHT 0x02
#define I8042_MOUSE_MIDDLE 0x04

typedef struct I8042Callbacks {
    void (*set_a20)(void *opaque, bool on);
    void (*request_reset)(void *opaque);
    void *opaque;
} I8042Callbacks;

typedef struct I8042Queue {
    uint8_t buf[I8042_QUEUE_SIZE];
    uint8_t head, count;
} I8042Queue;

typedef struct I8042Keyboard {
    I8042Queue out;
    uint8_t scancode_set; /* 1, 2 or 3 */
    bool scanning;        /* F4 enable / F5 disable */
    uint8_t leds;         /* bit 0 scroll, 1 num, 2 caps */
    uint8_t typematic;    /* F3 parameter */
    uint8_t pending;      /* command waiting for its parameter byte, or 0 */
    uint8_t last_sent;    /* for FE resend */
} I8042Keyboard;

typedef struct I8042Mouse {
    I8042Queue out;
    bool reporting, remote, wrap, scaling_2to1;
    uint8_t sample_rate, resolution, id;
    uint8_t pending;
    uint8_t last_rates[3]; /* the last three sample rates set, newest last */
    uint8_t buttons;
    bool dirty;            /* motion or buttons not yet reported */
    int32_t dx, dy, dz;    /* accumulated motion not yet reported */
    uint8_t last_sent;
} I8042Mouse;

typedef struct I8042 {
    IrqLine irq_kbd, irq_aux;
    I8042Callbacks cb;
    I8042Keyboard kbd;
    I8042Mouse mouse;
    uint8_t ram[32];       /* controller RAM; ram[0] is the command byte */
    uint8_t output_port;
    uint8_t out_byte;      /* output buffer */
    bool obf, obf_aux;     /* output buffer full; the byte came from the mouse */
    uint8_t pending_cmd;   /* controller command waiting for a data byte, or 0 */
    bool last_was_cmd;     /* status bit 3: last write went to port 0x64 */
    bool xlat_break;       /* translation saw F0; the next code gets bit 7 */
    uint16_t ctrl_q[I8042_CTRL_QUEUE]; /* byte | 0x100 when it is to look like mouse data */
    uint8_t ctrl_head, ctrl_count;
    bool irq_kbd_level, irq_aux_level;
} I8042;

/* Read-only snapshot for the monitor. */
typedef struct I8042Info {
    uint8_t status, command_byte, output_port, out_byte;
    unsigned kbd_queued, mouse_queued;
    uint8_t scancode_set, leds;
    bool kbd_scanning, mouse_reporting;
    uint8_t mouse_id, mouse_rate, mouse_resolution;
    bool a20, irq_kbd_level, irq_aux_level;
} I8042Info;

/* Power-on state (also calls i8042_reset). The callbacks are copied. */
void i8042_init(I8042 *c, IrqLine irq1, IrqLine irq12, I8042Callbacks cb);
/* Registers ports 0x60 and 0x64. */
void i8042_register(I8042 *c, IoPortSpace *io);
/* Controller, keyboard and mouse back to their power-on state; command byte 0x61
 * (translation, keyboard IRQ, mouse interface disabled); A20 on. */
void i8042_reset(I8042 *c);

/* Host input. Return false when the event was dropped (device disabled or its buffer
 * full). */
bool i8042_key_event(I8042 *c, uint16_t keycode, bool pressed);
bool i8042_mouse_event(I8042 *c, int dx, int dy, int dz, uint8_t buttons);

/* Port-level access. */
uint8_t i8042_read_data(I8042 *c);
uint8_t i8042_read_status(const I8042 *c);
void i8042_write_data(I8042 *c, uint8_t value);
void i8042_write_command(I8042 *c, uint8_t value);

void i8042_get_info(const I8042 *c, I8042Info *info);

void i8042_save(const I8042 *c, StateWriter *w);
bool i8042_load(I8042 *c, StateReader *r);

#endif
