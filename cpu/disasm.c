/* disasm.c — Capstone-backed formatting (see disasm.h). */
#include "cpu/disasm.h"

#include <capstone/capstone.h>
#include <stdio.h>

#include "cpu/decode.h"

typedef struct CsMode {
    csh handle;
    cs_insn *insn; /* one preallocated instruction: no allocation per call */
    bool tried, ok;
} CsMode;

static CsMode modes[2];

static CsMode *mode_for(bool code32)
{
    CsMode *m = &modes[code32];
    if (!m->tried) {
        m->tried = true;
        if (cs_open(CS_ARCH_X86, code32 ? CS_MODE_32 : CS_MODE_16, &m->handle) != CS_ERR_OK)
            return m;
        m->insn = cs_malloc(m->handle);
        if (!m->insn) {
            cs_close(&m->handle);
            return m;
        }
        m->ok = true;
    }
    return m;
}

static unsigned bad(char *out, size_t outlen)
{
    if (out && outlen)
        snprintf(out, outlen, "(bad)");
    return 0;
}

unsigned disasm_format(const uint8_t *bytes, size_t len, bool code32, uint32_t eip, char *out,
                       size_t outlen)
{
    if (!bytes)
        len = 0;
    if (len > INSN_MAX_LEN)
        len = INSN_MAX_LEN;
    DecodedInsn di;
    if (len == 0 || decode(bytes, len, code32, &di) != DEC_OK)
        return bad(out, outlen);
    CsMode *m = mode_for(code32);
    if (!m->ok)
        return bad(out, outlen);
    const uint8_t *p = bytes;
    size_t n = di.len;
    uint64_t addr = eip;
    if (!cs_disasm_iter(m->handle, &p, &n, &addr, m->insn))
        return bad(out, outlen);
    if (out && outlen)
        snprintf(out, outlen, "%s%s%s", m->insn->mnemonic, m->insn->op_str[0] ? " " : "",
                 m->insn->op_str);
    return di.len;
}
