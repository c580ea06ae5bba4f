/* display.c — the display interface without any host library: the headless display, the
 * exit artefacts (screenshots, text dump) and the entry of host input (see display.h). */
#include "frontends/display.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool display_sdl_built(void)
{
#ifdef VMM86_HAVE_SDL
    return true;
#else
    return false;
#endif
}

DisplayKind display_default_kind(void)
{
    const char *x = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
    bool session = (x && *x) || (wl && *wl);
    return display_sdl_built() && session ? DISPLAY_SDL : DISPLAY_NONE;
}

static void none_poll(Display *d) { (void)d; }
static void none_close(Display *d) { (void)d; }
static const DisplayBackend none_backend = {none_poll, NULL, none_close};

Display *display_open(const DisplayOptions *opt, Machine *m, char *err, size_t errlen)
{
    if (opt->window_screenshot && opt->kind != DISPLAY_SDL) {
        snprintf(err, errlen, "--screenshot-window needs -display sdl");
        return NULL;
    }
    if ((opt->kind != DISPLAY_NONE || opt->screenshot || opt->text_dump || opt->vga_dump) &&
        !m->vga.vram) {
        snprintf(err, errlen, "a display or screenshot needs the VGA (not -vga none)");
        return NULL;
    }
    Display *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    d->opt = *opt;
    d->m = m;
    d->be = &none_backend;
    if (opt->kind == DISPLAY_SDL) {
#ifdef VMM86_HAVE_SDL
        if (!sdl_display_open(d, err, errlen)) {
            free(d);
            return NULL;
        }
#else
        snprintf(err, errlen, "-display sdl: this vmm86 was built without SDL2");
        free(d);
        return NULL;
#endif
    }
    m->host_poll = display_poll;
    m->host_poll_opaque = d;
    return d;
}

void display_poll(void *opaque)
{
    Display *d = opaque;
    d->be->poll(d);
}

static bool write_text_dump(Display *d, char *err, size_t errlen)
{
    static char buf[256 * 130]; /* the widest text screen the CRTC can describe */
    if (!vga_text_dump(&d->m->vga, buf, sizeof buf))
        buf[0] = 0; /* graphics mode: an empty dump */
    FILE *f = fopen(d->opt.text_dump, "w");
    if (!f || fputs(buf, f) < 0 || fclose(f) != 0) {
        snprintf(err, errlen, "cannot write text dump '%s': %s", d->opt.text_dump,
                 strerror(errno));
        return false;
    }
    return true;
}

static bool write_vga_dump(Display *d, char *err, size_t errlen)
{
    const Vga *v = &d->m->vga;
    uint8_t head[16 + 8 + 16 + 32 + 32 + 3];
    uint8_t *p = head;
    memcpy(p, "VMM86VGA", 8);
    p += 8;
    *p++ = 1;
    *p++ = v->misc;
    memcpy(p, v->seq, 8), p += 8;
    memcpy(p, v->gc, 16), p += 16;
    memcpy(p, v->crtc, 32), p += 32;
    memcpy(p, v->attr, 32), p += 32;
    *p++ = v->attr_index;
    *p++ = v->pel_mask;
    *p++ = (v->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC) ? 1 : 0;
    FILE *f = fopen(d->opt.vga_dump, "wb");
    size_t len = (size_t)(p - head);
    bool ok = f && fwrite(head, 1, len, f) == len &&
              fwrite(v->dac, 1, sizeof v->dac, f) == sizeof v->dac &&
              fwrite(v->vram, 1, 4 * VGA_PLANE_SIZE, f) == 4 * VGA_PLANE_SIZE;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok)
        snprintf(err, errlen, "cannot write VGA dump '%s'", d->opt.vga_dump);
    return ok;
}

static bool write_window_shot(Display *d, char *err, size_t errlen)
{
    int w = 0, h = 0;
    uint32_t *px = d->be->read_window ? d->be->read_window(d, &w, &h) : NULL;
    if (!px) {
        snprintf(err, errlen, "screenshot '%s': cannot read the window's pixels",
                 d->opt.window_screenshot);
        return false;
    }
    bool ok = display_write_png(d->opt.window_screenshot, px, w, h, w, err, errlen);
    free(px);
    return ok;
}

bool display_close(Display *d, char *err, size_t errlen)
{
    if (!d)
        return true;
    bool ok = true;
    if (d->opt.screenshot) {
        const VgaFrame *f = vga_render(&d->m->vga);
        ok = display_write_png(d->opt.screenshot, f->pixels, f->width, f->height, f->stride,
                               err, errlen);
    }
    if (ok && d->opt.text_dump)
        ok = write_text_dump(d, err, errlen);
    if (ok && d->opt.vga_dump)
        ok = write_vga_dump(d, err, errlen);
    if (ok && d->opt.window_screenshot)
        ok = write_window_shot(d, err, errlen);
    d->be->close(d);
    if (d->m->host_poll_opaque == d) {
        d->m->host_poll = NULL;
        d->m->host_poll_opaque = NULL;
    }
    free(d);
    return ok;
}

/* ---- host input, through the input gate -------------------------------------------------- */

void display_input_key(Display *d, uint16_t keycode, bool pressed)
{
    input_gate_key(&d->m->input, keycode, pressed);
}

void display_input_mouse(Display *d, int dx, int dy, int dz, uint8_t buttons)
{
    input_gate_mouse(&d->m->input, dx, dy, dz, buttons);
}

void display_input_quit(Display *d)
{
    d->m->power_off = true;
    d->m->cpu.exit_request = true;
}
