/* char_backend.h — host ends of character devices: the terminal (stdout) and files.
 *
 * Contract: char_backend_open() turns a CharSpec into a CharSink the machine's devices
 * write to. Output is written through at once (a guest's console must not lag, and nothing
 * may be lost if vmm86 is killed); char_backend_close_all() flushes and closes every file
 * at exit. A file that cannot be created gives a one-line error.
 */
#ifndef VMM86_FRONTENDS_CHAR_BACKEND_H
#define VMM86_FRONTENDS_CHAR_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "devices/device.h"
#include "frontends/options.h"

bool char_backend_open(const CharSpec *spec, CharSink *sink, char *err, size_t errlen);
void char_backend_close_all(void);

#endif
