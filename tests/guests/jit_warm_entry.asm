; jit_warm_entry.asm — guest registers handed from block to block in host registers. A
; translated block that jumps to another (a chained direct exit, or an indirect jump through
; the jump cache) leaves every guest register in a fixed host register, and the block it
; enters starts from them instead of reloading CpuState; whatever a block does to its host
; registers, the next one must see the guest's values.
;   1  a loop entered from another block: its body keeps seven registers and its
;      temporaries in host registers, so the copy of EDI it was handed but never uses is
;      overwritten; where the loop leaves (from its top, on a later pass: into a block of
;      its own, and the block after a CALL and a RET) EDI must still read as before the
;      loop, EBP as the loop left it
;   2  seven registers set in one block, checked in the block an indirect JMP enters
;   3  the same across a direct exit (a taken JE into a block of its own), each register
;      changed on the way so that it sits in a different host register
; Four rounds: from fresh translations, then from translations reused and chained.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    mov ebp, 4                             ; rounds
.round:
    call case_loop
    call case_indirect
    call case_direct
    dec ebp
    jnz .round
    PASS

; EAX, EBX, ECX, EDX, ESI, ESP (PUSH/POP) and EBP in the loop; EDI only before and
; after it.
case_loop:
    push ebp
    mov edi, 0x5A5A1234
    mov ebp, 0x0BADF00D
    mov ecx, 200
    xor esi, esi
    mov ebx, 0x9E3779B9
.top:
    cmp ecx, 77                            ; leaves before the temporaries of this pass
    je .early
    mov eax, ecx
    imul eax, eax, 3
    mov edx, eax
    shr edx, 3
    xor eax, edx
    push eax
    mov edx, eax
    shl edx, 5
    add edx, ebx
    rol ebx, 7
    xor ebx, eax
    lea eax, [eax + edx * 2 + 0x1234]
    sub eax, ecx
    add esi, eax
    mov edx, esi
    shr edx, 11
    xor esi, edx
    pop edx
    imul edx, ebp
    add ebp, edx
    sub ebp, edx
    adc esi, edx
    sbb eax, ebx
    dec ecx
    jnz .top
    FAIL 14
.early:
    CHECK_EQ edi, 0x5A5A1234, 10
    CHECK_EQ ebp, 0x0BADF00D, 11
    mov ebp, 0x0BADF00D
    call read_edi_ebp
    CHECK_EQ eax, 0x5A5A1234, 12
    CHECK_EQ edx, 0x0BADF00D, 13
    pop ebp
    ret

read_edi_ebp:
    mov eax, edi
    mov edx, ebp
    ret

case_indirect:
    push ebp
    mov ebx, OFF(.there)
    mov eax, 0x11111111
    mov ecx, 0x22222222
    mov edx, 0x33333333
    mov esi, 0x66666666
    mov edi, 0x77777777
    mov ebp, 0x55555555
    jmp ebx
.there:
    CHECK_EQ eax, 0x11111111, 20
    CHECK_EQ ecx, 0x22222222, 21
    CHECK_EQ edx, 0x33333333, 22
    CHECK_EQ ebx, OFF(.there), 23
    CHECK_EQ esi, 0x66666666, 24
    CHECK_EQ edi, 0x77777777, 25
    CHECK_EQ ebp, 0x55555555, 26
    pop ebp
    ret

case_direct:
    push ebp
    mov eax, 0x01020304
    mov ecx, 0x05060708
    mov edx, 0x090A0B0C
    mov ebx, 0x0D0E0F10
    mov esi, 0x11121314
    mov edi, 0x15161718
    mov ebp, 0x191A1B1C
    xchg eax, edi                          ; EAX <-> EDI, ECX <-> ESI, EDX <-> EBP
    xchg ecx, esi
    xchg edx, ebp
    add ebx, 1
    cmp eax, eax
    je .there
    FAIL 39
.there:
    CHECK_EQ eax, 0x15161718, 30
    CHECK_EQ ecx, 0x11121314, 31
    CHECK_EQ edx, 0x191A1B1C, 32
    CHECK_EQ ebx, 0x0D0E0F11, 33
    CHECK_EQ esi, 0x05060708, 34
    CHECK_EQ edi, 0x01020304, 35
    CHECK_EQ ebp, 0x090A0B0C, 36
    pop ebp
    ret

ROM_END
