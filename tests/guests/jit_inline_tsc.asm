; jit_inline_tsc.asm — RDTSC read in the middle of translated code counts exactly the
; instructions retired before it (the TSC is icount + offset), also inside a block that
; loops on itself and across a carry into the high half; LFENCE/MFENCE/SFENCE in between
; change nothing and count as one instruction each.
;   1  two reads 6 instructions apart in straight-line code differ by 6 (high half by 0)
;   2  a loop of 8 instructions: every iteration's read is 8 after the one before
;   3  a TSC written just below 2^32 carries into EDX
;   4  with fences between the reads: still one count per instruction
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    ; --- 1: straight line ---
    rdtsc
    mov esi, eax
    mov edi, edx
    nop
    nop
    nop
    rdtsc
    sub eax, esi
    sbb edx, edi
    CHECK_EQ eax, 6, 1
    CHECK_EQ edx, 0, 1

    ; --- 2: a block that loops on itself ---
    rdtsc
    mov esi, eax
    xor ebp, ebp
    mov ecx, 50
    nop
    nop
    nop
    nop
.loop:                              ; 8 instructions from the read above, and per iteration
    rdtsc
    mov ebx, eax
    sub eax, esi
    mov esi, ebx
    xor eax, 8
    or ebp, eax                     ; any iteration off by anything leaves a bit here
    dec ecx
    jnz .loop
    CHECK_EQ ebp, 0, 2

    ; --- 3: carry into the high half ---
    mov ecx, 0x10                   ; IA32_TIME_STAMP_COUNTER
    mov eax, 0xFFFFFFFE
    xor edx, edx
    wrmsr
    nop
    nop
    nop
    nop
    rdtsc                           ; 0xFFFFFFFE + 5 (WRMSR and four NOPs)
    CHECK_EQ edx, 1, 3
    CHECK_EQ eax, 3, 3

    ; --- 4: fences ---
    rdtsc
    mov esi, eax
    lfence
    mfence
    sfence
    rdtsc
    sub eax, esi
    CHECK_EQ eax, 5, 4
    PASS

    ROM_END
