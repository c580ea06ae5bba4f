/* disasm.c — Capstone-backed formatting (see disasm.h). */
#include "cpu/disasm.h"

#include <capstone/capstone.h>
#include <stdio.h>

static csh handles[2];
static bool opened[2];

static csh handle_for(bool code32)
{
    int i = code32 ? 1 : 0;
    if (!opened[i]) {
        if (cs_open(CS_ARCH_X86, code32 ? CS_MODE_32 : CS_MODE_16, &handles[i]) != CS_ERR_OK)
            return 0;
        opened[i] = true;
    }
    return handles[i];
}

unsigned disasm_format(const uint8_t *bytes, size_t len, bool code32, uint32_t eip, char *out,
                       size_t outlen)
{
    csh h = handle_for(code32);
    cs_insn *insn = NULL;
    size_t n = h ? cs_disasm(h, bytes, len, eip, 1, &insn) : 0;
    if (n == 0) {
        snprintf(out, outlen, "(bad)");
        return 0;
    }
    snprintf(out, outlen, "%s%s%s", insn->mnemonic, insn->op_str[0] ? " " : "", insn->op_str);
    unsigned size = insn->size;
    cs_free(insn, n);
    return size;
}
