/* console.h — the host terminal as COM1's input (-nographic, -serial stdio).
 *
 * Contract: console_open() looks at the input descriptor. A terminal is put in raw mode
 * (no echo, no line editing, no signal keys: Ctrl-C goes to the guest; output processing is
 * left as it was) and its bytes pass through QEMU's escape keys: Ctrl-A x quits, Ctrl-A h
 * prints the list, Ctrl-A c would switch to a monitor (there is none yet: it says so),
 * Ctrl-A Ctrl-A sends one Ctrl-A; another key after Ctrl-A is dropped. The terminal's mode
 * is restored on every way out: console_close(), exit(), and the signals that end a
 * process (SIGINT, SIGTERM, SIGHUP, SIGQUIT and the crash signals, which are then re-raised);
 * raw mode comes back after SIGCONT. Anything else (a pipe, a file) is read as a plain byte
 * stream with no escapes. console_input_source() hands the console to the machine's input
 * gate (machine/input_gate.h), which is the only reader.
 */
#ifndef VMM86_FRONTENDS_CONSOLE_H
#define VMM86_FRONTENDS_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/input_gate.h"

#define CONSOLE_ESCAPE 0x01 /* Ctrl-A */

typedef struct Console {
    int in_fd;        /* bytes for the guest */
    int out_fd;       /* where escape help goes (-1: nowhere) */
    bool tty;         /* in_fd is a terminal in raw mode, with escapes */
    bool escape;      /* the previous byte was Ctrl-A */
} Console;

/* Opens the console on in_fd; `escapes` forces escape handling on a non-terminal (tests).
 * Returns false with a message if the terminal cannot be switched to raw mode. */
bool console_open(Console *c, int in_fd, int out_fd, bool escapes, char *err, size_t errlen);
/* Restores the terminal (safe to call twice). */
void console_close(Console *c);
InputSource console_input_source(Console *c);

/* Escape handling over `n` host bytes: the guest's bytes go to `out` (room for n); returns
 * how many, and sets *quit on Ctrl-A x (the bytes after it are dropped). */
size_t console_filter(Console *c, const uint8_t *in, size_t n, uint8_t *out, bool *quit);

#endif
