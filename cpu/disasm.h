/* disasm.h — human-readable disassembly for traces, the monitor and the debugger.
 *
 * Contract: formats one instruction in Intel syntax using Capstone (the decoder of record
 * for people; the hot decode path is our own table). The bytes are given by the caller, so
 * this never touches guest memory. Returns the instruction length, or 0 when Capstone
 * cannot decode the bytes (the text then says "(bad)").
 */
#ifndef VMM86_CPU_DISASM_H
#define VMM86_CPU_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

unsigned disasm_format(const uint8_t *bytes, size_t len, bool code32, uint32_t eip, char *out,
                       size_t outlen);

#endif
