/* test_display.c — the display front end without a screen: the headless display and its
 * exit artefacts, and (in builds with SDL2) the SDL back end on SDL's "dummy" video driver:
 * host key and mouse events pushed into SDL's queue must reach the PS/2 devices as the
 * right scan codes and packets, Ctrl-Alt-G and focus loss behave as documented, closing
 * the window powers the guest off, and the window's pixels are the VGA frame. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/display.h"
#include "frontends/options.h"

#ifdef VMM86_HAVE_SDL
#include <SDL.h>
#endif

static Machine *m;

/* Just the parts of a board a display touches: the VGA, the i8042 behind the input gate,
 * the CPU's flags. */
static void setup(void)
{
    m = calloc(1, sizeof *m);
    cr_assert_not_null(m);
    sched_init(&m->sched, &m->cpu.icount, 0);
    cr_assert(vga_init(&m->vga, &m->sched));
    i8042_init(&m->kbc, (IrqLine){0}, (IrqLine){0}, (I8042Callbacks){0});
    input_gate_init(&m->input, &m->sched, &m->cpu.icount, &m->uart[0], &m->kbc);
}

static void teardown(void)
{
    vga_free(&m->vga);
    free(m);
}

TestSuite(display, .init = setup, .fini = teardown);

Test(display, headless_display_writes_the_exit_artefacts)
{
    char dir[] = "/tmp/vmm86-display-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char png[128], txt[128];
    snprintf(png, sizeof png, "%s/f.png", dir);
    snprintf(txt, sizeof txt, "%s/t.txt", dir);
    m->vga.vram[0] = 'O'; /* plane 0, offset 0: the first character */
    m->vga.vram[8] = 'K';
    DisplayOptions o = {.kind = DISPLAY_NONE, .screenshot = png, .text_dump = txt};
    char err[256];
    Display *d = display_open(&o, m, err, sizeof err);
    cr_assert_not_null(d, "%s", err);
    cr_assert_eq(m->host_poll_opaque, d);
    display_poll(d);
    cr_assert(display_close(d, err, sizeof err), "%s", err);
    cr_assert_null(m->host_poll, "the hook goes with the display");
    FILE *f = fopen(png, "rb");
    cr_assert_not_null(f);
    uint8_t sig[8];
    cr_assert_eq(fread(sig, 1, 8, f), 8u);
    fclose(f);
    cr_assert_eq(memcmp(sig, "\x89PNG\r\n\x1a\n", 8), 0);
    f = fopen(txt, "r");
    cr_assert_not_null(f);
    char line[128] = "";
    cr_assert_not_null(fgets(line, sizeof line, f));
    fclose(f);
    cr_assert_eq(strncmp(line, "OK", 2), 0, "text dump: '%s'", line);
    remove(png);
    remove(txt);
    remove(dir);
}

Test(display, window_screenshot_needs_a_window)
{
    DisplayOptions o = {.kind = DISPLAY_NONE, .window_screenshot = "/tmp/x.png"};
    char err[256] = "";
    cr_assert_null(display_open(&o, m, err, sizeof err));
    cr_assert(strstr(err, "sdl") != NULL, "%s", err);
}

/* ---- the command line's display options ------------------------------------------------ */

static ParseResult parse(VmOptions *o, char *err, int argc, const char **argv)
{
    options_defaults(o);
    return options_parse(argc, (char **)argv, o, err, 256);
}

Test(display, vga_and_screenshot_options)
{
    VmOptions o;
    char err[256];
    const char *a1[] = {"vmm86", "-vga", "none", "--screenshot", "s.png", "--screendump-text",
                        "t.txt", "--screendump-vga", "v.bin", "--screenshot-window", "w.png"};
    cr_assert_eq(parse(&o, err, 11, a1), PARSE_OK, "%s", err);
    cr_assert(o.no_vga);
    cr_assert_str_eq(o.screenshot, "s.png");
    cr_assert_str_eq(o.screendump_text, "t.txt");
    cr_assert_str_eq(o.screendump_vga, "v.bin");
    cr_assert_str_eq(o.screenshot_window, "w.png");
    cr_assert_not(o.display_given);
    const char *a2[] = {"vmm86", "-vga", "cirrus"};
    cr_assert_eq(parse(&o, err, 3, a2), PARSE_ERROR);
    cr_assert(strstr(err, "cirrus") != NULL, "%s", err);
    const char *a3[] = {"vmm86", "--vgabios", "/nonexistent/vgabios.bin"};
    cr_assert_eq(parse(&o, err, 3, a3), PARSE_ERROR);
    const char *a4[] = {"vmm86", "-display", "none"};
    cr_assert_eq(parse(&o, err, 3, a4), PARSE_OK);
    cr_assert(o.display_given);
    cr_assert_not(o.display_sdl);
    const char *a5[] = {"vmm86", "-display", "gtk"};
    cr_assert_eq(parse(&o, err, 3, a5), PARSE_ERROR);
}

Test(display, default_display_follows_the_host_session)
{
    unsetenv("DISPLAY");
    unsetenv("WAYLAND_DISPLAY");
    cr_assert_eq(display_default_kind(), DISPLAY_NONE);
    setenv("DISPLAY", ":99", 1);
    cr_assert_eq(display_default_kind(), display_sdl_built() ? DISPLAY_SDL : DISPLAY_NONE);
}

#ifndef VMM86_HAVE_SDL

Test(display, sdl_is_refused_without_sdl2)
{
    cr_assert_not(display_sdl_built());
    VmOptions opts;
    char perr[256];
    const char *args[] = {"vmm86", "-display", "sdl"};
    cr_assert_eq(parse(&opts, perr, 3, args), PARSE_ERROR);
    cr_assert(strstr(perr, "without SDL2") != NULL, "%s", perr);
    DisplayOptions o = {.kind = DISPLAY_SDL};
    char err[256] = "";
    cr_assert_null(display_open(&o, m, err, sizeof err));
    cr_assert(strstr(err, "without SDL2") != NULL, "%s", err);
}

#else

/* The bytes the keyboard controller holds for the guest, in order. */
static int drain(uint8_t *out, int cap)
{
    int n = 0;
    while (n < cap && (i8042_read_status(&m->kbc) & 0x01))
        out[n++] = i8042_read_data(&m->kbc);
    return n;
}

Test(display, sdl_option_is_accepted)
{
    VmOptions o;
    char err[256];
    const char *args[] = {"vmm86", "-display", "sdl"};
    cr_assert_eq(parse(&o, err, 3, args), PARSE_OK, "%s", err);
    cr_assert(o.display_sdl);
}

static Display *open_sdl(void)
{
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    setenv("SDL_RENDER_DRIVER", "software", 1);
    DisplayOptions o = {.kind = DISPLAY_SDL};
    char err[256];
    Display *d = display_open(&o, m, err, sizeof err);
    cr_assert_not_null(d, "%s", err);
    return d;
}

static void push_key(SDL_Scancode sc, bool down, Uint16 mod)
{
    SDL_Event e = {0};
    e.type = down ? SDL_KEYDOWN : SDL_KEYUP;
    e.key.state = down ? SDL_PRESSED : SDL_RELEASED;
    e.key.keysym.scancode = sc;
    e.key.keysym.mod = mod;
    SDL_PushEvent(&e);
}

static void push_simple(Uint32 type)
{
    SDL_Event e = {0};
    e.type = type;
    SDL_PushEvent(&e);
}

/* The display looks at its events at most ~60 times a host second; what it queued reaches
 * the devices at the gate's next service (an instruction boundary in a real run). */
static void poll_now(Display *d)
{
    SDL_Delay(20);
    display_poll(d);
    input_gate_service(&m->input);
}

static void close_sdl(Display *d)
{
    char err[256];
    cr_assert(display_close(d, err, sizeof err), "%s", err);
}

Test(display, sdl_keys_become_scan_codes)
{
    Display *d = open_sdl();
    /* The controller translates set 2 to set 1 (command byte bit 6 after reset). */
    push_key(SDL_SCANCODE_A, true, 0);
    push_key(SDL_SCANCODE_A, false, 0);
    push_key(SDL_SCANCODE_RIGHT, true, 0);
    push_key(SDL_SCANCODE_RIGHT, false, 0);
    push_key(SDL_SCANCODE_F7, true, 0);
    poll_now(d);
    uint8_t b[16];
    int n = drain(b, 16);
    static const uint8_t expect[] = {0x1E, 0x9E, 0xE0, 0x4D, 0xE0, 0xCD, 0x41};
    cr_assert_eq(n, (int)sizeof expect);
    cr_assert_eq(memcmp(b, expect, sizeof expect), 0);
    /* Focus loss releases what the guest still sees pressed (F7 here). */
    SDL_Event e = {0};
    e.type = SDL_WINDOWEVENT;
    e.window.event = SDL_WINDOWEVENT_FOCUS_LOST;
    SDL_PushEvent(&e);
    /* A release the guest never saw pressed is not sent. */
    push_key(SDL_SCANCODE_B, false, 0);
    poll_now(d);
    n = drain(b, 16);
    cr_assert_eq(n, 1);
    cr_assert_eq(b[0], 0xC1);
    close_sdl(d);
}

Test(display, sdl_mouse_grab_motion_and_release_key)
{
    /* The guest enables the mouse interface and data reporting. */
    i8042_write_command(&m->kbc, 0xA8);
    i8042_write_command(&m->kbc, 0xD4);
    i8042_write_data(&m->kbc, 0xF4);
    uint8_t b[16];
    cr_assert_eq(drain(b, 16), 1);
    cr_assert_eq(b[0], 0xFA, "mouse ACK");
    Display *d = open_sdl();
    SDL_Event e = {0};
    e.type = SDL_MOUSEMOTION;
    e.motion.xrel = 5;
    e.motion.yrel = -3;
    SDL_PushEvent(&e);
    poll_now(d);
    cr_assert_eq(drain(b, 16), 0, "no motion before the mouse is grabbed");
    SDL_Event click = {0};
    click.type = SDL_MOUSEBUTTONDOWN;
    click.button.button = SDL_BUTTON_LEFT;
    SDL_PushEvent(&click);
    poll_now(d); /* grabbing flushes queued motion, as SDL's relative mode does */
    SDL_PushEvent(&e);
    poll_now(d);
    cr_assert_eq(drain(b, 16), 3, "one packet: the grabbing click is the host's");
    cr_assert_eq(b[0] & 0x08, 0x08);
    cr_assert_eq(b[0] & 0x30, 0x00, "dx and dy positive");
    cr_assert_eq(b[1], 5);
    cr_assert_eq(b[2], 3, "screen up is PS/2 positive y");
    /* Ctrl-Alt-G lets the mouse go and is not the guest's key. */
    push_key(SDL_SCANCODE_G, true, KMOD_LCTRL | KMOD_LALT);
    SDL_PushEvent(&e);
    poll_now(d);
    cr_assert_eq(drain(b, 16), 0);
    close_sdl(d);
}

Test(display, sdl_window_close_powers_off)
{
    Display *d = open_sdl();
    push_simple(SDL_QUIT);
    poll_now(d);
    cr_assert(m->power_off);
    cr_assert(m->cpu.exit_request);
    close_sdl(d);
}

Test(display, sdl_window_shows_the_frame)
{
    /* Text cell 0 with a blue background; the rest black (no font loaded). */
    m->vga.vram[1] = 0x1F;
    Display *d = open_sdl();
    poll_now(d);
    int w = 0, h = 0;
    uint32_t *px = d->be->read_window(d, &w, &h);
    cr_assert_not_null(px);
    const VgaFrame *f = vga_render(&m->vga);
    cr_assert_eq(w, f->width);
    cr_assert_eq(h, f->height);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            cr_assert_eq(px[y * w + x], f->pixels[y * f->stride + x], "pixel %d,%d", x, y);
    cr_assert_eq(px[0], 0x0000AAu, "the blue background of cell 0");
    free(px);
    close_sdl(d);
}

#endif
