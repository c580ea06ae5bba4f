; jit_div.asm — DIV r/m32 (which a JIT may translate inline): quotient and remainder, the
; flags left as they were, the divisor in EAX, EDX or memory, the largest quotient, and a
; precise #DE (zero divisor; quotient past 32 bits) or #PF (memory divisor): EIP of the
; DIV, EDX and the flags from before it (the exception recorder uses EAX). Each case runs four rounds: fresh
; translations, then reused and chained ones.
;   1  values: 0x12_34567890 / 0x1000, the largest quotient, divisor in EAX and in memory
;   2  the flags after DIV are those before it
;   3  #DE for a zero divisor and for EDX >= divisor (divisor EDX itself)
;   4  #PF on the memory divisor
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define NP_PAGE   0x300000       ; not present
%define VAR       SCRATCH

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    PAGING_IDENTITY
    mov dword [PT0_BASE + (NP_PAGE >> 12) * 4], 0
    mov eax, cr3
    mov cr3, eax
    mov ebp, 4                             ; rounds
.round:
    call case1
    call case2
    call case3
    call case4
    dec ebp
    jnz .round
    PASS

case1:
    mov edx, 0x12
    mov eax, 0x34567890
    mov ecx, 0x1000
    div ecx
    CHECK_EQ eax, 0x01234567, 10
    CHECK_EQ edx, 0x890, 11
    mov edx, 0xFFFFFFFE
    mov eax, 0xFFFFFFFF
    mov ecx, 0xFFFFFFFF
    div ecx
    CHECK_EQ eax, 0xFFFFFFFF, 12
    CHECK_EQ edx, 0xFFFFFFFE, 13
    mov edx, 1
    mov eax, 0x80000000
    div eax                                ; 0x1_80000000 / 0x80000000
    CHECK_EQ eax, 3, 14
    CHECK_EQ edx, 0, 15
    mov dword [VAR], 7
    mov edx, 0
    mov eax, 100
    div dword [VAR]
    CHECK_EQ eax, 14, 16
    CHECK_EQ edx, 2, 17
    ret

case2:
    mov ecx, 3
    mov eax, 0x7FFFFFFF
    add eax, 1                             ; OF SF AF PF
    pushfd
    pop edi
    mov edx, 0
    mov eax, 10
    div ecx
    pushfd
    pop esi
    SAME_FLAGS esi, edi, 20
    mov eax, 3
    sub eax, 5                             ; CF SF AF PF; read right after the DIV
    mov edx, 0
    mov eax, 9
    div ecx
    jnc .bad
    jns .bad
    CHECK_EQ eax, 3, 21
    ret
.bad:
    FAIL 22

case3:
    EXPECT_EXC 0, .a_after
    mov ecx, 0
    mov edx, 1
    mov eax, 2
    mov ebx, 3
    sub ebx, 5                             ; CF = SF = 1
.a_insn:
    div ecx
    FAIL 30
.a_after:
    CHECK_MEM32 EXC_EIP, OFF(.a_insn), 31
    CHECK_EQ edx, 1, 33
    mov esi, [EXC_EFL]
    mov ebx, 3
    sub ebx, 5
    pushfd
    pop edi
    SAME_FLAGS esi, edi, 34
    EXPECT_EXC 0, .b_after
    mov edx, 0x10
    mov eax, 0x55
    mov ebx, 3
    sub ebx, 5
    mov ebx, 0x7FFFFFFF
    inc ebx                                ; OF SF AF PF, CF = 1 from the SUB
.b_insn:
    div edx                                ; EDX >= EDX: quotient too large
    FAIL 35
.b_after:
    CHECK_MEM32 EXC_EIP, OFF(.b_insn), 36
    CHECK_EQ edx, 0x10, 38
    mov esi, [EXC_EFL]
    mov ebx, 3
    sub ebx, 5
    mov ebx, 0x7FFFFFFF
    inc ebx
    pushfd
    pop edi
    SAME_FLAGS esi, edi, 39
    EXPECT_EXC 0, .c_after
    mov ecx, 0x10
    mov edx, 0x10                          ; EDX == divisor
    mov eax, 0
.c_insn:
    div ecx
    FAIL 40
.c_after:
    CHECK_MEM32 EXC_EIP, OFF(.c_insn), 41
    CHECK_EQ edx, 0x10, 42
    ret

case4:
    EXPECT_EXC 14, .after
    mov edx, 0
    mov eax, 77
.insn:
    div dword [NP_PAGE + 8]
    FAIL 50
.after:
    CHECK_MEM32 EXC_EIP, OFF(.insn), 51
    CHECK_MEM32 EXC_ERR, 0, 52
    CHECK_EQ edx, 0, 54
    ret

ROM_END
