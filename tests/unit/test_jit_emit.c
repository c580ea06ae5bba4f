/* test_jit_emit.c — the x86-64 encoder of the JIT backend (translator/x86_64_emit.h)
 * against Capstone, an oracle nobody here wrote: every register (REX bits, byte registers
 * SPL..DIL, the RSP/R12 SIB and RBP/R13 displacement special cases), every addressing form
 * the backend uses, operand sizes 1/2/4/8, immediates of 8 and 32 bits, and branches with
 * their rel32 targets. Each encoding must disassemble to exactly the expected text and
 * consume exactly the bytes written.
 */
#include <capstone/capstone.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "translator/x86_64_emit.h"

static csh cs;
static uint8_t buf[256];
static CodeBuf cb;

static void setup(void)
{
    cr_assert_eq(cs_open(CS_ARCH_X86, CS_MODE_64, &cs), CS_ERR_OK);
}
static void teardown(void) { cs_close(&cs); }

static void begin(void) { cb = (CodeBuf){buf, buf, buf + sizeof buf, false}; }

/* The single instruction in buf must read `want` (Capstone's Intel syntax). */
static void expect(const char *want)
{
    cr_assert(!cb.overflow);
    size_t len = (size_t)(cb.p - cb.start);
    cs_insn *insn;
    size_t n = cs_disasm(cs, buf, len, 0x1000, 0, &insn);
    cr_assert(n >= 1, "no instruction decoded for '%s'", want);
    char text[512];
    snprintf(text, sizeof text, "%s%s%s", insn[0].mnemonic, insn[0].op_str[0] ? " " : "",
             insn[0].op_str);
    size_t used = insn[0].size;
    cs_free(insn, n);
    cr_assert_str_eq(text, want);
    cr_assert_eq(used, len, "'%s': %zu bytes written, %zu decoded", want, len, used);
}

static const char *const r64[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                    "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
static const char *const r32[16] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
                                    "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
static const char *const r16[16] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
                                    "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"};
static const char *const r8[16] = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
                                   "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"};

static const char *reg(unsigned size, int r)
{
    return size == 8 ? r64[r] : size == 4 ? r32[r] : size == 2 ? r16[r] : r8[r];
}

TestSuite(jit_emit, .init = setup, .fini = teardown);

Test(jit_emit, mov_register_every_pair_and_size)
{
    static const unsigned sizes[4] = {1, 2, 4, 8};
    char want[64];
    for (unsigned s = 0; s < 4; s++)
        for (int d = 0; d < 16; d++)
            for (int r = 0; r < 16; r++) {
                begin();
                x_mov_rr(&cb, sizes[s], d, r);
                snprintf(want, sizeof want, "mov %s, %s", reg(sizes[s], d), reg(sizes[s], r));
                expect(want);
            }
}

/* Capstone prints memory operands as "dword ptr [base + index*scale + disp]" (no width
 * for LEA: `width` NULL; no "base + " without a base). */
static void mem_text(char *out, size_t n, const char *width, XMem m)
{
    char idx[32] = "";
    if (m.index != X_NOREG)
        snprintf(idx, sizeof idx, "%s%s%s", m.base == X_NOREG ? "" : " + ", r64[m.index],
                 m.scale ? (m.scale == 1 ? "*2" : m.scale == 2 ? "*4" : "*8") : "");
    char disp[32] = ""; /* Capstone writes 0-9 in decimal, larger values in hex */
    unsigned mag = m.disp < 0 ? 0u - (unsigned)m.disp : (unsigned)m.disp;
    if (m.disp)
        snprintf(disp, sizeof disp, mag <= 9 ? " %c %u" : " %c 0x%x", m.disp < 0 ? '-' : '+', mag);
    snprintf(out, n, "%s%s[%s%s%s]", width ? width : "", width ? " ptr " : "",
             m.base == X_NOREG ? "" : r64[m.base], idx, disp);
}

Test(jit_emit, loads_and_stores_every_base_index_displacement)
{
    static const int32_t disps[] = {0, 8, -4, 127, 128, -129, 0x36C, 0x7FFF0000};
    char want[128], m[96];
    for (int base = 0; base < 16; base++)
        for (unsigned d = 0; d < sizeof disps / sizeof disps[0]; d++)
            for (int index = -1; index < 16; index += 5) {
                if (index == X_RSP)
                    continue;
                XMem x = xmem_idx(base, index < 0 ? X_NOREG : index, (unsigned)(d & 3), disps[d]);
                mem_text(m, sizeof m, "dword", x);
                begin();
                x_load(&cb, 4, X_R11, x);
                snprintf(want, sizeof want, "mov r11d, %s", m);
                expect(want);
                begin();
                x_store(&cb, 4, x, X_RSI);
                snprintf(want, sizeof want, "mov %s, esi", m);
                expect(want);
            }
}

/* No base register: [index*scale + disp32] (SIB base 101b with mod 00), the form the
 * backend's IR_ADDR uses for a scaled index plus a constant. */
Test(jit_emit, lea_and_loads_without_a_base_register)
{
    static const int32_t disps[] = {0, 8, -4, 0x100880, -0x61C88647};
    char want[128], m[96];
    for (int index = 0; index < 16; index++)
        for (unsigned d = 0; d < sizeof disps / sizeof disps[0]; d++) {
            if (index == X_RSP)
                continue;
            XMem x = xmem_idx(X_NOREG, index, (unsigned)(d & 3), disps[d]);
            mem_text(m, sizeof m, NULL, x);
            begin();
            x_lea(&cb, 4, X_R9, x);
            snprintf(want, sizeof want, "lea r9d, %s", m);
            expect(want);
            mem_text(m, sizeof m, "dword", x);
            begin();
            x_load(&cb, 4, X_RDX, x);
            snprintf(want, sizeof want, "mov edx, %s", m);
            expect(want);
        }
}

Test(jit_emit, byte_registers_need_rex_for_spl_to_dil)
{
    begin();
    x_mov_rr(&cb, 1, X_RSI, X_RDI);
    expect("mov sil, dil");
    begin();
    x_setcc(&cb, XC_P, X_RDI);
    expect("setp dil");
    begin();
    x_movzx_rr(&cb, 1, X_RAX, X_RBP);
    expect("movzx eax, bpl");
    begin();
    x_movsx_rr(&cb, 1, X_R12, X_RSP);
    expect("movsx r12d, spl");
    begin();
    x_test_rr(&cb, 1, X_RSI, X_RSI);
    expect("test sil, sil");
    begin();
    x_store(&cb, 1, xmem_idx(X_R10, X_RCX, 0, 0), X_RDI);
    expect("mov byte ptr [r10 + rcx], dil");
}

Test(jit_emit, alu_immediates_pick_the_short_form)
{
    begin();
    x_alu_ri(&cb, XA_ADD, 4, X_RAX, 5);
    cr_assert_eq(cb.p - cb.start, 3); /* 83 /0 ib */
    expect("add eax, 5");
    begin();
    x_alu_ri(&cb, XA_AND, 4, X_R11, 0x1FE0);
    expect("and r11d, 0x1fe0");
    begin();
    x_alu_ri(&cb, XA_CMP, 8, X_R15, 0x27);
    expect("cmp r15, 0x27");
    begin();
    x_alu_ri(&cb, XA_SUB, 8, X_RSP, 520);
    expect("sub rsp, 0x208");
    begin();
    x_alu_ri(&cb, XA_XOR, 2, X_RDX, 0x1234);
    expect("xor dx, 0x1234");
    begin();
    x_alu_ri(&cb, XA_OR, 1, X_RSI, 0x80);
    expect("or sil, 0x80");
    begin();
    x_alu_mi(&cb, XA_ADD, 8, xmem(X_RBP, 0x240), 3);
    expect("add qword ptr [rbp + 0x240], 3");
    begin();
    x_alu_rm(&cb, XA_CMP, 4, X_R10, xmem_idx(X_RBP, X_R11, 0, 0x36C));
    expect("cmp r10d, dword ptr [rbp + r11 + 0x36c]");
    begin();
    x_store_imm(&cb, 4, xmem(X_RBP, 0x4C), 0xB);
    expect("mov dword ptr [rbp + 0x4c], 0xb");
    begin();
    x_store_imm(&cb, 2, xmem(X_RAX, 2), 0xBEEF);
    expect("mov word ptr [rax + 2], 0xbeef");
}

Test(jit_emit, shifts_multiplies_and_misc)
{
    begin();
    x_shift_ri(&cb, XS_SHR, 4, X_R11, 7);
    expect("shr r11d, 7");
    begin();
    x_shift_ri(&cb, XS_SHL, 4, X_RAX, 1);
    expect("shl eax, 1");
    begin();
    x_shift_ri(&cb, XS_SAR, 8, X_R10, 32);
    expect("sar r10, 0x20");
    begin();
    x_shift_rcl(&cb, XS_ROL, 4, X_RBX);
    expect("rol ebx, cl");
    begin();
    x_imul_rr(&cb, 8, X_R10, X_R11);
    expect("imul r10, r11");
    begin();
    x_imul_rri(&cb, 4, X_RCX, X_R13, 0xFFF1);
    expect("imul ecx, r13d, 0xfff1");
    begin();
    x_imul_rri(&cb, 4, X_RCX, X_RCX, (uint32_t)-17);
    expect("imul ecx, ecx, -0x11");
    begin();
    x_rr(&cb, 0x63, 8, X_R10, X_RSI);
    expect("movsxd r10, esi");
    begin();
    x_unary(&cb, 3, 4, X_R9);
    expect("neg r9d");
    begin();
    x_cmov_rr(&cb, XC_NE, 4, X_RAX, X_R12);
    expect("cmovne eax, r12d");
    begin();
    x_bt_ri(&cb, 8, X_R10, 32);
    expect("bt r10, 0x20");
    begin();
    x_lea(&cb, 8, X_R11, xmem(X_RCX, 3));
    expect("lea r11, [rcx + 3]");
    begin();
    x_lea(&cb, 4, X_RCX, xmem(X_R13, -0x30d40));
    expect("lea ecx, [r13 - 0x30d40]");
    begin();
    x_movzx_rm(&cb, 2, X_RDX, xmem_idx(X_R10, X_RDX, 0, 0));
    expect("movzx edx, word ptr [r10 + rdx]");
    begin();
    x_mov_ri64(&cb, X_R11, 0x123456789ABCull);
    expect("movabs r11, 0x123456789abc");
    begin();
    x_mov_ri(&cb, X_R9, 0xFFFFFFFFu);
    expect("mov r9d, 0xffffffff");
    begin();
    x_push(&cb, X_R15);
    expect("push r15");
    begin();
    x_pop(&cb, X_RBX);
    expect("pop rbx");
}

Test(jit_emit, branches_reach_their_targets)
{
    begin();
    uint8_t *target = buf + 100;
    x_jcc(&cb, XC_BE, target);
    cs_insn *insn;
    size_t n = cs_disasm(cs, buf, (size_t)(cb.p - cb.start), (uint64_t)(uintptr_t)buf, 0, &insn);
    cr_assert_eq(n, 1);
    char want[64];
    snprintf(want, sizeof want, "0x%llx", (unsigned long long)(uintptr_t)target);
    cr_assert_str_eq(insn[0].mnemonic, "jbe");
    cr_assert_str_eq(insn[0].op_str, want);
    cs_free(insn, n);
    /* A forward branch patched later. */
    begin();
    uint8_t *field = x_jmp_fwd(&cb);
    x_patch_rel32(field, buf + 40);
    n = cs_disasm(cs, buf, (size_t)(cb.p - cb.start), (uint64_t)(uintptr_t)buf, 0, &insn);
    cr_assert_eq(n, 1);
    snprintf(want, sizeof want, "0x%llx", (unsigned long long)(uintptr_t)(buf + 40));
    cr_assert_str_eq(insn[0].op_str, want);
    cs_free(insn, n);
    begin();
    x_rm(&cb, 0xFF, 4, 4, xmem(X_RDX, 0x38));
    expect("jmp qword ptr [rdx + 0x38]");
    begin();
    x_jmp_reg(&cb, X_RAX);
    expect("jmp rax");
}

Test(jit_emit, a_full_buffer_stops_writing)
{
    uint8_t small[30];
    CodeBuf c = {small, small, small + sizeof small, false};
    for (int i = 0; i < 10; i++)
        x_mov_ri64(&c, X_R11, 0x123456789ABCull);
    cr_assert(c.overflow);
    cr_assert(c.p <= c.end);
}
