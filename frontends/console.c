/* console.c — raw terminal and QEMU-style escape keys for COM1 (see console.h). */
#include "frontends/console.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* The one terminal in raw mode, for the exit paths (atexit and signal handlers). */
static struct termios saved_mode, raw_mode;
static volatile sig_atomic_t raw_fd = -1;
static bool hooks_installed;

static void restore_terminal(void)
{
    if (raw_fd >= 0)
        tcsetattr(raw_fd, TCSANOW, &saved_mode);
}

/* Async-signal-safe: restore, then die by the same signal with its default action. */
static void on_fatal_signal(int sig)
{
    restore_terminal();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void on_continue(int sig)
{
    (void)sig;
    if (raw_fd >= 0)
        tcsetattr(raw_fd, TCSANOW, &raw_mode);
}

static void install_hooks(void)
{
    static const int fatal[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT,
                                SIGSEGV, SIGBUS,  SIGFPE, SIGILL};
    if (hooks_installed)
        return;
    hooks_installed = true;
    atexit(restore_terminal);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_fatal_signal;
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        sigaction(fatal[i], &sa, NULL);
    sa.sa_handler = on_continue;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGCONT, &sa, NULL);
}

/* cfmakeraw() without touching output processing (the guest's "\n" still starts a line,
 * as in QEMU), with one-byte reads. */
static bool enter_raw(int fd, char *err, size_t errlen)
{
    if (tcgetattr(fd, &saved_mode) != 0) {
        snprintf(err, errlen, "cannot read the terminal's mode: %s", strerror(errno));
        return false;
    }
    raw_mode = saved_mode;
    raw_mode.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL |
                                    IXON | IXOFF);
    raw_mode.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    raw_mode.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    raw_mode.c_cflag |= CS8;
    raw_mode.c_cc[VMIN] = 1;
    raw_mode.c_cc[VTIME] = 0;
    install_hooks();
    raw_fd = fd;
    if (tcsetattr(fd, TCSANOW, &raw_mode) != 0) {
        raw_fd = -1;
        snprintf(err, errlen, "cannot put the terminal in raw mode: %s", strerror(errno));
        return false;
    }
    return true;
}

bool console_open(Console *c, int in_fd, int out_fd, bool escapes, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->in_fd = in_fd;
    c->out_fd = out_fd;
    c->tty = escapes;
    if (in_fd >= 0 && isatty(in_fd)) {
        if (!enter_raw(in_fd, err, errlen))
            return false;
        c->tty = true;
    }
    return true;
}

void console_close(Console *c)
{
    if (raw_fd >= 0 && raw_fd == c->in_fd) {
        restore_terminal();
        raw_fd = -1;
    }
}

static void say(const Console *c, const char *text)
{
    if (c->out_fd < 0)
        return;
    size_t len = strlen(text);
    while (len) {
        ssize_t n = write(c->out_fd, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        text += n;
        len -= (size_t)n;
    }
}

static const char help_text[] =
    "\r\n"
    "C-a h    print this help\r\n"
    "C-a x    exit vmm86\r\n"
    "C-a c    switch to the monitor (vmm86 has no monitor yet)\r\n"
    "C-a C-a  send C-a to the guest\r\n";

size_t console_filter(Console *c, const uint8_t *in, size_t n, uint8_t *out, bool *quit)
{
    size_t k = 0;
    *quit = false;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = in[i];
        if (!c->tty) {
            out[k++] = b;
            continue;
        }
        if (!c->escape) {
            if (b == CONSOLE_ESCAPE)
                c->escape = true;
            else
                out[k++] = b;
            continue;
        }
        c->escape = false;
        switch (b) {
        case 'x':
        case 'X':
            say(c, "\r\nvmm86: terminated (C-a x)\r\n");
            *quit = true;
            return k;
        case 'h':
        case 'H':
        case '?': say(c, help_text); break;
        case 'c':
        case 'C': say(c, "\r\nvmm86: there is no monitor yet (C-a h for help)\r\n"); break;
        case CONSOLE_ESCAPE: out[k++] = CONSOLE_ESCAPE; break;
        default: break; /* an unknown escape is dropped, as in QEMU */
        }
    }
    return k;
}

static long console_read(void *opaque, uint8_t *buf, size_t cap)
{
    Console *c = opaque;
    uint8_t raw[512];
    if (cap > sizeof raw)
        cap = sizeof raw;
    ssize_t n = read(c->in_fd, raw, cap);
    if (n < 0)
        return (errno == EINTR || errno == EAGAIN) ? 0 : INPUT_SOURCE_EOF;
    if (n == 0)
        return INPUT_SOURCE_EOF;
    bool quit;
    size_t k = console_filter(c, raw, (size_t)n, buf, &quit);
    return quit ? INPUT_SOURCE_QUIT : (long)k;
}

InputSource console_input_source(Console *c)
{
    InputSource s = {c->in_fd, c->tty, console_read, c};
    return s;
}
