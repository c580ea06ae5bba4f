; jit_fault.asm — precise exceptions in the middle of straight-line code: the handler sees
; the faulting instruction's EIP, the registers and flags of the instructions before it,
; their stores done and nothing of the instructions after it. Each case runs four times:
; from fresh translations, and again from translations reused (and chained) — the results
; must not depend on where an engine cut its blocks.
;   1  #PF on a load (not-present page) after register, flag and memory updates
;   2  #PF on the store of a read-modify-write (read-only page, CR0.WP): memory, register
;      and flags unchanged, error code P|W
;   3  #GP(0) on a load that crosses the limit of a small data segment (FS)
;   4  #DE from DIV (an instruction a JIT hands to the interpreter)
;   5  #PF on the load of PUSH m32: nothing pushed, ESP unchanged
;   6  #UD (UD2) after an INC: the flags of the INC, CF from the instruction before it
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define NP_PAGE   0x300000       ; not present
%define RO_PAGE   0x301000       ; present, read-only
%define SEL_SMALL SEL_FREE       ; data segment base 0x20000, limit 0xFFF
%define VARS      SCRATCH        ; three dwords the cases store to
%define EFL_MASK  0x8D5          ; OF SF ZF AF PF CF

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    PAGING_IDENTITY
    mov dword [RO_PAGE + 0x20], 0x01020304 ; before the page becomes read-only
    mov dword [PT0_BASE + (NP_PAGE >> 12) * 4], 0
    mov dword [PT0_BASE + (RO_PAGE >> 12) * 4], RO_PAGE | 1
    mov eax, cr3
    mov cr3, eax
    mov eax, cr0
    or eax, 0x10000                        ; CR0.WP: supervisor writes obey R/W
    mov cr0, eax
    SETDESC SEL_SMALL, 0x20000, 0xFFF, ACC_DATA, FLG_32

    mov ebp, 4                             ; rounds
.round:
    call case1
    call case2
    call case3
    call case4
    call case5
    call case6
    dec ebp
    jnz .round
    PASS

; EXPECT_FLAGS reg, code: the arithmetic flags recorded at the fault must equal those in
; `reg` (taken with PUSHFD after the same computation, outside the faulting sequence).
%macro EXPECT_FLAGS 2
    mov eax, [EXC_EFL]
    and eax, EFL_MASK
    mov edx, %1
    and edx, EFL_MASK
    cmp eax, edx
    je %%ok
    FAIL %2
%%ok:
%endmacro

case1:
    mov dword [VARS], 0
    mov dword [VARS + 4], 0
    mov dword [VARS + 8], 0
    EXPECT_EXC 14, .after
    mov ebx, 0x11111111
    mov ecx, 0x22222222
    mov dword [VARS], 1
    add ebx, ecx
    mov edx, 0x33333333
    mov dword [VARS + 4], 2
.insn:
    mov edi, [NP_PAGE + 0x10]
    mov ebx, 0xDEADBEEF
    mov dword [VARS + 8], 3
    FAIL 10
.after:
    CHECK_MEM32 EXC_EIP, OFF(.insn), 11
    CHECK_MEM32 EXC_ERR, 0, 12
    mov eax, cr2
    cmp eax, NP_PAGE + 0x10
    je .cr2
    FAIL 13
.cr2:
    cmp ebx, 0x33333333
    jne .bad
    cmp ecx, 0x22222222
    jne .bad
    cmp edx, 0x33333333
    jne .bad
    CHECK_MEM32 VARS, 1, 14
    CHECK_MEM32 VARS + 4, 2, 15
    CHECK_MEM32 VARS + 8, 0, 16
    mov esi, 0x11111111                    ; the reference ADD
    add esi, 0x22222222
    pushfd
    pop esi
    EXPECT_FLAGS esi, 17
    ret
.bad:
    FAIL 18

case2:
    EXPECT_EXC 14, .after
    mov ebx, 5
    sub ebx, 7                             ; CF = SF = 1
.insn:
    add [RO_PAGE + 0x20], ebx              ; the load works, the store faults
    mov ebx, 0
    FAIL 20
.after:
    CHECK_MEM32 EXC_EIP, OFF(.insn), 21
    CHECK_MEM32 EXC_ERR, 3, 22             ; present, write
    CHECK_MEM32 RO_PAGE + 0x20, 0x01020304, 23
    cmp ebx, -2
    je .reg
    FAIL 24
.reg:
    mov esi, 5
    sub esi, 7
    pushfd
    pop esi
    EXPECT_FLAGS esi, 25
    ret

case3:
    mov ax, SEL_SMALL                      ; (the exception recorder reloads FS)
    mov fs, ax
    EXPECT_EXC 13, .after
    mov ebx, 0x7FFFFFFF
    inc ebx                                ; OF = SF = 1
    mov ecx, [fs:0xFFC]                    ; the last dword inside the limit: fine
.insn:
    mov edx, [fs:0xFFE]                    ; crosses the limit
    mov ebx, 0
    FAIL 30
.after:
    CHECK_MEM32 EXC_EIP, OFF(.insn), 31
    CHECK_MEM32 EXC_ERR, 0, 32
    cmp ebx, 0x80000000
    je .reg
    FAIL 33
.reg:
    mov esi, 0x7FFFFFFF
    inc esi
    pushfd
    pop esi
    EXPECT_FLAGS esi, 34
    ret

case4:
    EXPECT_EXC 0, .after
    mov ebx, 9
    xor ecx, ecx
    mov eax, 100
    xor edx, edx
    add ebx, 1                             ; flags of 9 + 1
.insn:
    div ecx
    mov ebx, 0
    FAIL 40
.after:
    CHECK_MEM32 EXC_EIP, OFF(.insn), 41
    cmp ebx, 10
    je .reg
    FAIL 42
.reg:
    mov esi, 9
    add esi, 1
    pushfd
    pop esi
    EXPECT_FLAGS esi, 43
    ret

case5:
    EXPECT_EXC 14, .after
    mov [SCRATCH + 16], esp
    mov ecx, 7
    add ecx, 0x55
.insn:
    push dword [NP_PAGE + 0x40]            ; the load faults: nothing pushed
    mov ecx, 0
    FAIL 50
.after:
    CHECK_MEM32 EXC_EIP, OFF(.insn), 51
    CHECK_MEM32 EXC_ERR, 0, 52
    mov eax, [EXC_FRAME]                   ; the frame sits right below the ESP of the fault
    add eax, 12
    cmp eax, [SCRATCH + 16]
    je .esp
    FAIL 53
.esp:
    cmp ecx, 0x5C
    je .reg
    FAIL 54
.reg:
    mov eax, 7
    add eax, 0x55
    pushfd
    pop eax
    EXPECT_FLAGS eax, 55
    ret

case6:
    EXPECT_EXC 6, .after
    stc
    mov ebx, 0x0F
    inc ebx                                ; AF = 1; CF stays 1
.insn:
    ud2
    FAIL 60
.after:
    CHECK_MEM32 EXC_EIP, OFF(.insn), 61
    stc
    mov esi, 0x0F
    inc esi
    pushfd
    pop esi
    EXPECT_FLAGS esi, 62
    ret

ROM_END
