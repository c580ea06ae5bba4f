/* display.h — the host's view of the guest's screen: a window (SDL2) or nothing, plus
 * screenshots for tests.
 *
 * Contract: display_open() attaches a display to a built machine and installs
 * display_poll() as the machine's host-poll hook. The machine loop calls that hook between
 * instruction slices and while it paces idle time; the display then (at most ~60 times a
 * host second) renders the VGA frame, shows it, and turns host events into guest input.
 * Rendering only observes the card, and every key or mouse event enters the guest through
 * the input gate (display_input_*), so a display never changes guest timing. Closing the window powers the guest off (machine_run returns 0).
 * display_close() writes the exit artefacts that were asked for: the VGA frame as PNG
 * (`--screenshot`, any display), the SDL window's own pixels as PNG (`--screenshot-window`,
 * SDL only), the text screen as plain text (`--screendump-text`) and the VGA's state
 * (`--screendump-vga`, for tests that check a screenshot against video memory):
 *     "VMM86VGA" 1 misc seq[8] gc[16] crtc[32] attr[32] attr_index pel_mask dac8 dac[768]
 *     planes[4 * 65536]   (byte p of planar offset o at o * 4 + p; all fields bytes)
 *
 * With DISPLAY_NONE nothing is shown and no host library is touched; this file and
 * display.c build without SDL2. The SDL back end lives in sdl_display.c, compiled only
 * when SDL2 is found (VMM86_HAVE_SDL).
 */
#ifndef VMM86_FRONTENDS_DISPLAY_H
#define VMM86_FRONTENDS_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/machine.h"

typedef enum DisplayKind { DISPLAY_NONE = 0, DISPLAY_SDL } DisplayKind;

typedef struct DisplayOptions {
    DisplayKind kind;
    const char *screenshot;        /* PNG of the VGA frame, written at exit */
    const char *window_screenshot; /* PNG of the window's pixels, written at exit (SDL) */
    const char *text_dump;         /* the text screen, written at exit */
    const char *vga_dump;          /* the VGA's registers and planes, written at exit */
} DisplayOptions;

typedef struct Display Display;

/* A back end: polled from the machine loop, asked for its window's pixels, closed. */
typedef struct DisplayBackend {
    void (*poll)(Display *d);
    /* 0x00RRGGBB pixels of what the window shows now (malloc'd; caller frees), or NULL. */
    uint32_t *(*read_window)(Display *d, int *w, int *h);
    void (*close)(Display *d);
} DisplayBackend;

struct Display {
    DisplayOptions opt;
    Machine *m;
    const DisplayBackend *be;
    void *priv;           /* the back end's state */
    uint64_t seen_gen;    /* VGA generation last shown */
};

/* True when this build has the SDL back end. */
bool display_sdl_built(void);
/* The display to use when the command line names none: SDL when it is built and the host
 * has a graphical session ($DISPLAY or $WAYLAND_DISPLAY), as QEMU does; otherwise none. */
DisplayKind display_default_kind(void);

Display *display_open(const DisplayOptions *opt, Machine *m, char *err, size_t errlen);
/* The machine's host-poll hook (opaque is the Display). */
void display_poll(void *opaque);
/* Writes the exit artefacts, closes the window. Returns false (with a one-line reason in
 * err) if an artefact could not be written. */
bool display_close(Display *d, char *err, size_t errlen);

/* ---- the entry of host input into the guest --------------------------------------------
 * Keys and mouse events are queued in the machine's input gate (machine/input_gate.h),
 * which delivers them to the i8042 at the next instruction boundary and stamps each with
 * the instruction count; nothing else in the display touches guest devices. */
void display_input_key(Display *d, uint16_t keycode, bool pressed);
void display_input_mouse(Display *d, int dx, int dy, int dz, uint8_t buttons);
/* The user closed the window: power the guest off. */
void display_input_quit(Display *d);

/* Writes 0x00RRGGBB pixels as an 8-bit RGB PNG. Returns false with a reason. */
bool display_write_png(const char *path, const uint32_t *pixels, int w, int h, int stride,
                       char *err, size_t errlen);

#ifdef VMM86_HAVE_SDL
/* sdl_display.c: opens the window. */
bool sdl_display_open(Display *d, char *err, size_t errlen);
#endif

#endif
