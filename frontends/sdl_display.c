/* sdl_display.c — the SDL2 window (see display.h): shows the VGA frame scaled to the window
 * about 60 times a host second, sends keys and (while grabbed) relative mouse motion to the
 * guest through the display's input entry, grabs the mouse on a click and lets it go on
 * Ctrl-Alt-G as QEMU does, and powers the guest off when the window is closed.
 *
 * Everything here runs on the machine's thread from the host-poll hook, so the VGA is
 * read while the CPU is stopped; host time only decides when to look, never what the
 * guest sees. */
#include <SDL.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frontends/display.h"
#include "frontends/sdl_display.h"

#define FRAME_NS 16666667ull        /* ~60 Hz */
#define FORCED_REDRAW_NS 100000000ull /* text blink without guest writes */

typedef struct SdlState {
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    int tex_w, tex_h;
    uint64_t last_poll_ns, last_draw_ns;
    bool grabbed;
    uint8_t buttons;              /* PS/2 button bits */
    bool down[SDL_NUM_SCANCODES]; /* keys the guest saw pressed */
} SdlState;

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Small modes get a bigger window (320x200 shows as 640x400, as on a monitor). */
static void window_size_for(int w, int h, int *ww, int *wh)
{
    *ww = w < 640 ? w * 2 : w;
    *wh = h < 300 ? h * 2 : h;
}

static void set_title(SdlState *s)
{
    SDL_SetWindowTitle(s->win, s->grabbed ? "vmm86 - press Ctrl-Alt-G to release the mouse"
                                          : "vmm86");
}

static void set_grab(SdlState *s, bool on)
{
    s->grabbed = on;
    SDL_SetRelativeMouseMode(on ? SDL_TRUE : SDL_FALSE);
    SDL_SetWindowGrab(s->win, on ? SDL_TRUE : SDL_FALSE);
    set_title(s);
}

/* Uploads the frame (a new texture when its size changed) and draws it to the window. */
static bool draw_frame(Display *d, SdlState *s)
{
    const VgaFrame *f = vga_render(&d->m->vga);
    if (!f->pixels)
        return false;
    if (!s->tex || s->tex_w != f->width || s->tex_h != f->height) {
        if (s->tex)
            SDL_DestroyTexture(s->tex);
        s->tex = SDL_CreateTexture(s->ren, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING,
                                   f->width, f->height);
        if (!s->tex)
            return false;
        SDL_SetTextureBlendMode(s->tex, SDL_BLENDMODE_NONE);
        s->tex_w = f->width;
        s->tex_h = f->height;
        int ww, wh;
        window_size_for(f->width, f->height, &ww, &wh);
        SDL_SetWindowSize(s->win, ww, wh);
    }
    SDL_UpdateTexture(s->tex, NULL, f->pixels, f->stride * (int)sizeof(uint32_t));
    SDL_RenderClear(s->ren);
    SDL_RenderCopy(s->ren, s->tex, NULL, NULL);
    return true;
}

static void release_all_keys(Display *d, SdlState *s)
{
    for (int sc = 0; sc < SDL_NUM_SCANCODES; sc++) {
        if (s->down[sc]) {
            s->down[sc] = false;
            display_input_key(d, sdl_key_to_set2(sc), false);
        }
    }
}

static void on_key(Display *d, SdlState *s, const SDL_KeyboardEvent *k)
{
    SDL_Scancode sc = k->keysym.scancode;
    bool press = k->type == SDL_KEYDOWN;
    if (press && sc == SDL_SCANCODE_G && (k->keysym.mod & KMOD_CTRL) &&
        (k->keysym.mod & KMOD_ALT)) {
        if (s->grabbed)
            set_grab(s, false);
        return; /* the hot key is the host's, as in QEMU */
    }
    uint16_t code = sdl_key_to_set2(sc);
    if (!code || (unsigned)sc >= SDL_NUM_SCANCODES)
        return;
    if (!press && !s->down[sc])
        return;
    s->down[sc] = press; /* an auto-repeat is another press, as the keyboard sends it */
    display_input_key(d, code, press);
}

static uint8_t ps2_buttons(uint32_t sdl_state)
{
    return (uint8_t)(((sdl_state & SDL_BUTTON_LMASK) ? I8042_MOUSE_LEFT : 0) |
                     ((sdl_state & SDL_BUTTON_RMASK) ? I8042_MOUSE_RIGHT : 0) |
                     ((sdl_state & SDL_BUTTON_MMASK) ? I8042_MOUSE_MIDDLE : 0));
}

static void on_mouse(Display *d, SdlState *s, const SDL_Event *e)
{
    if (!s->grabbed) {
        if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT)
            set_grab(s, true); /* the grabbing click itself is not the guest's */
        return;
    }
    s->buttons = ps2_buttons(SDL_GetMouseState(NULL, NULL));
    switch (e->type) {
    case SDL_MOUSEMOTION:
        /* PS/2 counts y upwards; the screen counts it downwards. */
        display_input_mouse(d, e->motion.xrel, -e->motion.yrel, 0, s->buttons);
        break;
    case SDL_MOUSEWHEEL: {
        int y = e->wheel.direction == SDL_MOUSEWHEEL_FLIPPED ? -e->wheel.y : e->wheel.y;
        display_input_mouse(d, 0, 0, -y, s->buttons); /* positive dz: towards the user */
        break;
    }
    default:
        display_input_mouse(d, 0, 0, 0, s->buttons);
        break;
    }
}

static void on_event(Display *d, SdlState *s, const SDL_Event *e)
{
    switch (e->type) {
    case SDL_QUIT:
        display_input_quit(d);
        break;
    case SDL_KEYDOWN:
    case SDL_KEYUP:
        on_key(d, s, &e->key);
        break;
    case SDL_MOUSEMOTION:
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
    case SDL_MOUSEWHEEL:
        on_mouse(d, s, e);
        break;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_FOCUS_LOST) {
            release_all_keys(d, s);
            if (s->grabbed)
                set_grab(s, false);
        } else if (e->window.event == SDL_WINDOWEVENT_CLOSE) {
            display_input_quit(d);
        } else if (e->window.event == SDL_WINDOWEVENT_EXPOSED) {
            s->last_draw_ns = 0; /* redraw soon */
        }
        break;
    default:
        break;
    }
}

static void sdl_poll(Display *d)
{
    SdlState *s = d->priv;
    uint64_t now = mono_ns();
    if (now - s->last_poll_ns < FRAME_NS)
        return;
    s->last_poll_ns = now;
    SDL_Event e;
    while (SDL_PollEvent(&e))
        on_event(d, s, &e);
    bool dirty = vga_frame_dirty(&d->m->vga, &d->seen_gen);
    if (dirty || now - s->last_draw_ns >= FORCED_REDRAW_NS) {
        if (draw_frame(d, s))
            SDL_RenderPresent(s->ren);
        s->last_draw_ns = now;
    }
}

/* Lets a resize the window system has not confirmed yet land (at most about a second):
 * the screenshot should show the window at the size asked for the current frame. */
static void settle_size(Display *d, SdlState *s)
{
    for (int tries = 0; tries < 100; tries++) {
        SDL_Event e;
        while (SDL_PollEvent(&e))
            if (e.type != SDL_QUIT)
                on_event(d, s, &e);
        int want_w, want_h, w = 0, h = 0;
        window_size_for(s->tex_w, s->tex_h, &want_w, &want_h);
        if (SDL_GetRendererOutputSize(s->ren, &w, &h) != 0 || (w == want_w && h == want_h))
            return;
        SDL_Delay(10);
    }
}

static uint32_t *sdl_read_window(Display *d, int *w, int *h)
{
    SdlState *s = d->priv;
    if (!draw_frame(d, s))
        return NULL;
    settle_size(d, s);
    if (!draw_frame(d, s) || SDL_GetRendererOutputSize(s->ren, w, h) != 0)
        return NULL;
    uint32_t *px = malloc((size_t)*w * (size_t)*h * sizeof *px);
    if (px && SDL_RenderReadPixels(s->ren, NULL, SDL_PIXELFORMAT_RGB888, px,
                                   *w * (int)sizeof *px) != 0) {
        free(px);
        px = NULL;
    }
    SDL_RenderPresent(s->ren);
    return px;
}

static void sdl_close(Display *d)
{
    SdlState *s = d->priv;
    if (s->tex)
        SDL_DestroyTexture(s->tex);
    if (s->ren)
        SDL_DestroyRenderer(s->ren);
    if (s->win)
        SDL_DestroyWindow(s->win);
    SDL_Quit(); /* all of SDL: it also lets go of its D-Bus connection */
    free(s);
    d->priv = NULL;
}

static const DisplayBackend sdl_backend = {sdl_poll, sdl_read_window, sdl_close};

bool sdl_display_open(Display *d, char *err, size_t errlen)
{
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1"); /* Ctrl-C keeps ending vmm86 */
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "0"); /* nearest: sharp text */
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        SDL_snprintf(err, errlen, "-display sdl: cannot initialise SDL video: %s",
                     SDL_GetError());
        return false;
    }
    SdlState *s = calloc(1, sizeof *s);
    const VgaFrame *f = s ? vga_render(&d->m->vga) : NULL;
    int ww = 720, wh = 400;
    if (f && f->pixels)
        window_size_for(f->width, f->height, &ww, &wh);
    if (s)
        s->win = SDL_CreateWindow("vmm86", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, ww,
                                  wh, SDL_WINDOW_RESIZABLE);
    if (s && s->win)
        s->ren = SDL_CreateRenderer(s->win, -1, 0);
    if (!s || !s->win || !s->ren) {
        SDL_snprintf(err, errlen, "-display sdl: cannot open a window: %s", SDL_GetError());
        if (s && s->win)
            SDL_DestroyWindow(s->win);
        free(s);
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return false;
    }
    d->priv = s;
    d->be = &sdl_backend;
    set_title(s);
    return true;
}
