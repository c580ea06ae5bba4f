/* disasm.h — human-readable disassembly for traces, the monitor and the debugger.
 *
 * Contract: formats one instruction in Intel syntax using Capstone (the formatter of record
 * for people; the hot decode path is our own table). The bytes are given by the caller, so
 * this never touches guest memory; at most 15 of them are looked at. The instruction is
 * first decoded by cpu/decode: bytes our CPU does not accept (undefined, misplaced LOCK,
 * too long, cut short, or an extension beyond the i686 that Capstone would still show)
 * give the text "(bad)" and the result 0, as do bytes Capstone cannot format. Otherwise the
 * result is the length the CPU uses. `out` always receives a NUL-terminated string when
 * outlen > 0. Not thread-safe (one Capstone handle per mode, opened on first use).
 */
#ifndef VMM86_CPU_DISASM_H
#define VMM86_CPU_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

unsigned disasm_format(const uint8_t *bytes, size_t len, bool code32, uint32_t eip, char *out,
                       size_t outlen);

#endif
