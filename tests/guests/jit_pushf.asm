; jit_pushf.asm — PUSHF/PUSHFD (which a JIT may translate inline) outside VM86: the image
; holds the arithmetic flags of the last flag-writing instruction (a lazy SUB, an INC
; keeping CF, explicit flags from STC/CMC), IF and DF as set, RF and VM clear; the 16-bit
; form pushes the low word (ESP - 2). Four rounds: fresh translations, then reused ones.
; (A fault on the push itself: jit_push_fault, from ring 3 so the handler has its own stack.)
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define EFL_MASK  0x8D5          ; OF SF ZF AF PF CF

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    mov ebp, 4
.round:
    mov ebx, esp
    std
    mov eax, 3
    sub eax, 5                           ; CF SF AF (0xFFFFFFFE: PF clear)
    pushfd
    pop ecx
    mov edx, ecx
    and edx, EFL_MASK
    cmp edx, 0x91
    je .1
    FAIL 10
.1:
    test ecx, 0x400                      ; DF
    jnz .2
    FAIL 11
.2:
    test ecx, 0x30000                    ; RF, VM
    jz .3
    FAIL 12
.3:
    cld
    stc
    mov eax, 0x7FFFFFFF
    inc eax                              ; OF SF AF PF, CF kept
    pushfd
    pop ecx
    and ecx, EFL_MASK
    cmp ecx, 0x895
    je .4
    FAIL 13
.4:
    stc
    mov eax, 0x7FFFFFFF
    inc eax
    cmc                                  ; explicit flags: CF now clear
    o16 pushf                            ; the low word only
    mov edx, ebx
    sub edx, esp
    cmp edx, 2
    je .5
    FAIL 14
.5:
    pop cx
    and ecx, EFL_MASK
    cmp ecx, 0x894
    je .6
    FAIL 15
.6:
    cmp esp, ebx
    je .7
    FAIL 16
.7:
    dec ebp
    jnz .round
    PASS

ROM_END
