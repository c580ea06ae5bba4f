/* test_i8042.c — the keyboard controller, keyboard and mouse through ports 0x60/0x64, with
 * recording IRQ 1 / IRQ 12 lines and recording machine callbacks. */
#include <criterion/criterion.h>
#include <string.h>

#include "devices/i8042.h"

static IoPortSpace io;
static I8042 kbc;
static int irq_level[16];
static int irq_raises[16];
static int a20_calls;
static bool a20_state;
static int reset_requests;

static void fake_irq(void *opaque, int n, int level)
{
    if (level && !irq_level[n])
        irq_raises[n]++;
    irq_level[n] = level;
}

static void fake_a20(void *opaque, bool on)
{
    a20_calls++;
    a20_state = on;
}

static void fake_reset(void *opaque) { reset_requests++; }

static void setup(void)
{
    memset(irq_level, 0, sizeof irq_level);
    memset(irq_raises, 0, sizeof irq_raises);
    a20_calls = 0;
    a20_state = false;
    reset_requests = 0;
    ioport_init(&io);
    IrqLine irq1 = {.set = fake_irq, .opaque = NULL, .n = 1};
    IrqLine irq12 = {.set = fake_irq, .opaque = NULL, .n = 12};
    I8042Callbacks cb = {.set_a20 = fake_a20, .request_reset = fake_reset, .opaque = NULL};
    i8042_init(&kbc, irq1, irq12, cb);
    i8042_register(&kbc, &io);
}

TestSuite(i8042, .init = setup);

static uint8_t status(void) { return (uint8_t)ioport_read(&io, 0x64, 1); }
static uint8_t data(void) { return (uint8_t)ioport_read(&io, 0x60, 1); }
static void command(uint8_t v) { ioport_write(&io, 0x64, 1, v); }
static void put_data(uint8_t v) { ioport_write(&io, 0x60, 1, v); }

/* Reads everything the controller has to give; returns the count. */
static size_t drain(uint8_t *out, size_t cap)
{
    size_t n = 0;
    while ((status() & 0x01) && n < cap)
        out[n++] = data();
    return n;
}

#define EXPECT_BYTES(...)                                                                      \
    do {                                                                                       \
        const uint8_t want_[] = {__VA_ARGS__};                                                 \
        uint8_t got_[64];                                                                      \
        size_t n_ = drain(got_, sizeof got_);                                                  \
        cr_assert_eq(n_, sizeof want_, "got %zu bytes, want %zu", n_, sizeof want_);           \
        for (size_t i_ = 0; i_ < n_; i_++)                                                     \
            cr_assert_eq(got_[i_], want_[i_], "byte %zu: %02x != %02x", i_, got_[i_],          \
                         want_[i_]);                                                           \
    } while (0)

static void set_command_byte(uint8_t v)
{
    command(0x60);
    put_data(v);
}

Test(i8042, power_on_state)
{
    cr_assert_eq(status() & 0x1F, 0x10, "nothing waiting, keylock off");
    cr_assert_eq(a20_calls, 1);
    cr_assert(a20_state, "A20 starts enabled");
    command(0x20);
    cr_assert_eq(data(), 0x61);
}

Test(i8042, self_test_and_interface_tests)
{
    command(0xAA);
    cr_assert_eq(status() & 0x0D, 0x0D, "OBF, system flag, last write was a command");
    EXPECT_BYTES(0x55);
    command(0xAB);
    EXPECT_BYTES(0x00);
    command(0xA9);
    EXPECT_BYTES(0x00);
    command(0xC0);
    cr_assert_eq(data() & 0x80, 0x80, "input port: keyboard not inhibited");
}

Test(i8042, command_byte_round_trip)
{
    set_command_byte(0x47);
    cr_assert_eq(status() & 0x08, 0, "last write was data");
    command(0x20);
    EXPECT_BYTES(0x47);
    cr_assert_eq(status() & 0x04, 0x04, "system flag follows command-byte bit 2");
    command(0xA7);
    command(0xAD);
    command(0x20);
    EXPECT_BYTES(0x77);
    command(0xA8);
    command(0xAE);
    command(0x20);
    EXPECT_BYTES(0x47);
    command(0x7F); /* controller RAM byte 31 */
    put_data(0x5A);
    command(0x3F);
    EXPECT_BYTES(0x5A);
}

Test(i8042, a20_through_the_output_port)
{
    command(0xD0);
    EXPECT_BYTES(0xCF);
    command(0xD1);
    put_data(0xCD);
    cr_assert_eq(a20_calls, 2);
    cr_assert_not(a20_state);
    command(0xD0);
    EXPECT_BYTES(0xCD);
    command(0xD1);
    put_data(0xCD);
    cr_assert_eq(a20_calls, 2, "called on change only");
    command(0xDF);
    cr_assert(a20_state);
    command(0xDD);
    cr_assert_not(a20_state);
    cr_assert_eq(reset_requests, 0);
}

Test(i8042, reset_line)
{
    command(0xFF);
    cr_assert_eq(reset_requests, 0, "FF pulses nothing");
    command(0xFE);
    cr_assert_eq(reset_requests, 1);
    command(0xD1);
    put_data(0xCE);
    cr_assert_eq(reset_requests, 2, "output-port bit 0 low resets");
}

Test(i8042, keyboard_reset_and_identify)
{
    set_command_byte(0x01); /* no translation */
    put_data(0xFF);
    EXPECT_BYTES(0xFA, 0xAA);
    put_data(0xF2);
    EXPECT_BYTES(0xFA, 0xAB, 0x83);
    set_command_byte(0x41); /* translated: 83 reads as 41 */
    put_data(0xF2);
    EXPECT_BYTES(0xFA, 0xAB, 0x41);
}

Test(i8042, keyboard_commands)
{
    set_command_byte(0x00);
    put_data(0xED);
    put_data(0x07);
    EXPECT_BYTES(0xFA, 0xFA);
    I8042Info info;
    i8042_get_info(&kbc, &info);
    cr_assert_eq(info.leds, 7);
    put_data(0xEE);
    EXPECT_BYTES(0xEE);
    put_data(0xF3);
    put_data(0x20);
    EXPECT_BYTES(0xFA, 0xFA);
    put_data(0xF0);
    put_data(0x00);
    EXPECT_BYTES(0xFA, 0xFA, 0x02);
    put_data(0xF0);
    put_data(0x01);
    put_data(0xF0);
    put_data(0x00);
    EXPECT_BYTES(0xFA, 0xFA, 0xFA, 0xFA, 0x01);
    put_data(0xF0);
    put_data(0x07);
    EXPECT_BYTES(0xFA, 0xFE); /* bad set number */
    put_data(0x12);
    EXPECT_BYTES(0xFE); /* unknown command */
    put_data(0xFE);
    EXPECT_BYTES(0xFE); /* resend repeats the last byte */
    put_data(0xED);
    put_data(0xF4); /* a command where a parameter was expected */
    EXPECT_BYTES(0xFA, 0xFA);
}

Test(i8042, key_events_untranslated_set2)
{
    set_command_byte(0x00);
    cr_assert(i8042_key_event(&kbc, 0x1C, true)); /* A */
    cr_assert(i8042_key_event(&kbc, 0x1C, false));
    cr_assert(i8042_key_event(&kbc, I8042_KEY_EXT(0x14), true)); /* right Ctrl */
    cr_assert(i8042_key_event(&kbc, I8042_KEY_EXT(0x14), false));
    EXPECT_BYTES(0x1C, 0xF0, 0x1C, 0xE0, 0x14, 0xE0, 0xF0, 0x14);
    cr_assert_not(i8042_key_event(&kbc, 0x00, true), "not a key");
    cr_assert_not(i8042_key_event(&kbc, 0x1234, true), "not a key");
}

Test(i8042, key_events_translated_to_set1)
{
    set_command_byte(0x40);
    i8042_key_event(&kbc, 0x1C, true);
    i8042_key_event(&kbc, 0x1C, false);
    i8042_key_event(&kbc, I8042_KEY_EXT(0x14), true);
    i8042_key_event(&kbc, I8042_KEY_EXT(0x14), false);
    i8042_key_event(&kbc, 0x76, true); /* Esc */
    i8042_key_event(&kbc, 0x83, true); /* F7 */
    EXPECT_BYTES(0x1E, 0x9E, 0xE0, 0x1D, 0xE0, 0x9D, 0x01, 0x41);
    i8042_key_event(&kbc, I8042_KEY_PAUSE, true);
    cr_assert_not(i8042_key_event(&kbc, I8042_KEY_PAUSE, false), "Pause has no break");
    EXPECT_BYTES(0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5);
    i8042_key_event(&kbc, I8042_KEY_PRINT_SCREEN, true);
    i8042_key_event(&kbc, I8042_KEY_PRINT_SCREEN, false);
    EXPECT_BYTES(0xE0, 0x2A, 0xE0, 0x37, 0xE0, 0xB7, 0xE0, 0xAA);
}

Test(i8042, keyboard_in_set1_without_translation)
{
    set_command_byte(0x00);
    put_data(0xF0);
    put_data(0x01);
    EXPECT_BYTES(0xFA, 0xFA);
    i8042_key_event(&kbc, 0x1C, true);
    i8042_key_event(&kbc, 0x1C, false);
    EXPECT_BYTES(0x1E, 0x9E);
}

Test(i8042, scanning_disable_and_full_buffer)
{
    set_command_byte(0x00);
    put_data(0xF5);
    EXPECT_BYTES(0xFA);
    cr_assert_not(i8042_key_event(&kbc, 0x1C, true));
    put_data(0xF4);
    EXPECT_BYTES(0xFA);
    int accepted = 0;
    while (i8042_key_event(&kbc, I8042_KEY_EXT(0x14), false))
        accepted++;
    cr_assert_eq(accepted, (I8042_QUEUE_SIZE + 1) / 3, "whole sequences only");
}

Test(i8042, keyboard_interface_disable_holds_bytes)
{
    set_command_byte(0x00);
    command(0xAD);
    i8042_key_event(&kbc, 0x1C, true);
    cr_assert_eq(status() & 1, 0, "held in the keyboard");
    command(0xAE);
    EXPECT_BYTES(0x1C);
}

Test(i8042, irq1_only_when_enabled_and_once_per_byte)
{
    set_command_byte(0x00);
    i8042_key_event(&kbc, 0x1C, true);
    cr_assert_eq(irq_level[1], 0, "interrupt disabled in the command byte");
    data();
    set_command_byte(0x01);
    i8042_key_event(&kbc, 0x1C, false);
    cr_assert_eq(irq_level[1], 1);
    cr_assert_eq(irq_raises[1], 1);
    cr_assert_eq(data(), 0xF0);
    cr_assert_eq(irq_level[1], 1, "next byte loaded at once");
    cr_assert_eq(irq_raises[1], 2, "with a fresh edge");
    cr_assert_eq(data(), 0x1C);
    cr_assert_eq(irq_level[1], 0);
    cr_assert_eq(irq_level[12], 0);
}

static void mouse_cmd(uint8_t v)
{
    command(0xD4);
    put_data(v);
}

Test(i8042, mouse_reset_and_enable)
{
    set_command_byte(0x03); /* both interrupts, both interfaces on, no translation */
    mouse_cmd(0xFF);
    cr_assert_eq(status() & 0x21, 0x21, "AUXB: the byte is from the mouse");
    cr_assert_eq(irq_level[12], 1);
    cr_assert_eq(irq_level[1], 0);
    EXPECT_BYTES(0xFA, 0xAA, 0x00);
    cr_assert_eq(irq_level[12], 0);
    mouse_cmd(0xF2);
    EXPECT_BYTES(0xFA, 0x00);
    mouse_cmd(0xF3);
    mouse_cmd(40);
    mouse_cmd(0xE8);
    mouse_cmd(3);
    mouse_cmd(0xE7);
    mouse_cmd(0xE9);
    EXPECT_BYTES(0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0x10, 3, 40);
    cr_assert_not(i8042_mouse_event(&kbc, 1, 1, 0, 0), "reporting off");
    mouse_cmd(0xF4);
    EXPECT_BYTES(0xFA);
    mouse_cmd(0xE9);
    EXPECT_BYTES(0xFA, 0x30, 3, 40);
}

Test(i8042, mouse_movement_packets)
{
    set_command_byte(0x02);
    mouse_cmd(0xF4);
    EXPECT_BYTES(0xFA);
    cr_assert(i8042_mouse_event(&kbc, 10, -5, 0, I8042_MOUSE_LEFT));
    EXPECT_BYTES(0x29, 0x0A, 0xFB);
    i8042_mouse_event(&kbc, -300, 300, 0, I8042_MOUSE_RIGHT | I8042_MOUSE_MIDDLE);
    EXPECT_BYTES(0x08 | 0x06 | 0x10 | 0x40 | 0x80, 0x00, 0xFF);
    i8042_mouse_event(&kbc, 0, 0, 0, 0);
    EXPECT_BYTES(0x08, 0x00, 0x00);
    mouse_cmd(0xE7); /* 2:1 scaling */
    EXPECT_BYTES(0xFA);
    i8042_mouse_event(&kbc, 4, -7, 0, 0);
    EXPECT_BYTES(0x28, 0x06, 0xF2);
}

Test(i8042, mouse_remote_mode_read_data)
{
    set_command_byte(0x02);
    mouse_cmd(0xF0);
    EXPECT_BYTES(0xFA);
    i8042_mouse_event(&kbc, 3, 0, 0, 0);
    i8042_mouse_event(&kbc, 4, 2, 0, 0);
    cr_assert_eq(status() & 1, 0, "remote mode: nothing streamed");
    mouse_cmd(0xEB);
    EXPECT_BYTES(0xFA, 0x08, 0x07, 0x02);
}

Test(i8042, intellimouse_knock)
{
    set_command_byte(0x02);
    const uint8_t seq[] = {0xF3, 200, 0xF3, 100, 0xF3, 80, 0xF2};
    for (size_t i = 0; i < sizeof seq; i++)
        mouse_cmd(seq[i]);
    EXPECT_BYTES(0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0x03);
    mouse_cmd(0xF4);
    EXPECT_BYTES(0xFA);
    i8042_mouse_event(&kbc, 1, 1, -1, 0);
    EXPECT_BYTES(0x08, 0x01, 0x01, 0xFF);
    i8042_mouse_event(&kbc, 0, 0, 20, 0);
    EXPECT_BYTES(0x08, 0x00, 0x00, 0x07);
    mouse_cmd(0xFF);
    mouse_cmd(0xF2);
    EXPECT_BYTES(0xFA, 0xAA, 0x00, 0xFA, 0x00);
}

Test(i8042, mouse_wrap_mode)
{
    set_command_byte(0x02);
    mouse_cmd(0xEE);
    mouse_cmd(0x12);
    mouse_cmd(0xEC);
    EXPECT_BYTES(0xFA, 0x12, 0xFA);
}

Test(i8042, irq12_only_when_enabled)
{
    set_command_byte(0x00);
    mouse_cmd(0xF2);
    cr_assert_eq(status() & 0x21, 0x21);
    cr_assert_eq(irq_level[12], 0);
    EXPECT_BYTES(0xFA, 0x00);
    set_command_byte(0x22); /* interrupt on, aux interface off */
    mouse_cmd(0xF2);
    cr_assert_eq(status() & 1, 0, "held while the aux interface is disabled");
    command(0xA8);
    cr_assert_eq(irq_level[12], 1);
    EXPECT_BYTES(0xFA, 0x00);
}

Test(i8042, write_output_buffers)
{
    set_command_byte(0x03);
    command(0xD2);
    put_data(0x42);
    cr_assert_eq(status() & 0x21, 0x01);
    cr_assert_eq(irq_level[1], 1);
    EXPECT_BYTES(0x42);
    command(0xD3);
    put_data(0x24);
    cr_assert_eq(status() & 0x21, 0x21);
    cr_assert_eq(irq_level[12], 1);
    EXPECT_BYTES(0x24);
}

Test(i8042, save_load_round_trip)
{
    set_command_byte(0x43);
    put_data(0xED);
    put_data(0x05);
    mouse_cmd(0xF3);
    mouse_cmd(200);
    mouse_cmd(0xF3);
    mouse_cmd(100);
    mouse_cmd(0xF3);
    mouse_cmd(80);
    mouse_cmd(0xF4);
    i8042_key_event(&kbc, 0x1C, true);
    i8042_mouse_event(&kbc, 5, 5, 1, 0);
    command(0xD1);
    put_data(0xCD);
    StateWriter w;
    sw_init(&w);
    i8042_save(&kbc, &w);
    uint8_t before[64];
    size_t n_before = drain(before, sizeof before);

    setup();
    StateReader r;
    sr_init(&r, w.buf, w.len);
    cr_assert(i8042_load(&kbc, &r));
    cr_assert_eq(r.pos, w.len);
    cr_assert_eq(irq_level[1], 1, "line re-driven from the saved state");
    uint8_t after[64];
    size_t n_after = drain(after, sizeof after);
    cr_assert_eq(n_after, n_before);
    cr_assert(memcmp(before, after, n_after) == 0);
    I8042Info info;
    i8042_get_info(&kbc, &info);
    cr_assert_eq(info.leds, 5);
    cr_assert_eq(info.mouse_id, 3);
    cr_assert_not(info.a20);
    cr_assert_eq(info.command_byte, 0x43);
    sw_free(&w);
}

Test(i8042, truncated_or_bad_stream_rejected)
{
    set_command_byte(0x47);
    StateWriter w;
    sw_init(&w);
    i8042_save(&kbc, &w);
    set_command_byte(0x00);
    for (size_t cut = 0; cut < w.len; cut++) {
        StateReader r;
        sr_init(&r, w.buf, cut);
        cr_assert_not(i8042_load(&kbc, &r), "truncated at %zu", cut);
    }
    command(0x20);
    cr_assert_eq(data(), 0x00, "a failed load changes nothing");
    w.buf[1 + I8042_QUEUE_SIZE] = I8042_QUEUE_SIZE; /* keyboard queue head out of range */
    StateReader r;
    sr_init(&r, w.buf, w.len);
    cr_assert_not(i8042_load(&kbc, &r));
    w.buf[1 + I8042_QUEUE_SIZE] = 0;
    w.buf[1 + I8042_QUEUE_SIZE + 2] = 4; /* scancode set 4 */
    sr_init(&r, w.buf, w.len);
    cr_assert_not(i8042_load(&kbc, &r));
    sw_free(&w);
}
