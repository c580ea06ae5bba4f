; jit_smc.asm — self-modifying code: every store to guest code is seen by the very next
; instruction fetch, however the code was translated.
;
; Routines copied to RAM patch an immediate operand and then execute it, many times with a
; different value each time (so a stale translation shows the previous value):
;   A  a store into the instruction after next, inside the running block;
;   B  a store into the next block, which earlier iterations translated and chained to;
;   C  REP MOVSB (an instruction a JIT leaves to the interpreter) copying new code over
;      the instruction that follows it;
;   D  (protected mode, paging) stores through a second linear mapping of the code's
;      physical page: from other code into the routine, and from the routine into itself.
; DMA writes over translated code (physmem_write_buf) are covered by jit_smc_dma.asm.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define RSEG     0x0800          ; real-mode routines at 0800:0000 (linear 0x8000)
%define RA(x)    ((x) - rcode)
%define PCODE    0x9000          ; protected-mode routines at linear = physical 0x9000
%define ALIAS    0x380000        ; a second mapping of physical 0x9000
%define PA(x)    (PCODE + (x) - pcode)
%define SEL_FLAT SEL_FREE        ; flat 32-bit code segment

[bits 16]
rom_entry:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    ; copy the real-mode routines to RAM
    mov ax, RSEG
    mov es, ax
    push ds
    push cs
    pop ds
    mov si, rcode
    xor di, di
    mov cx, rcode_end - rcode
    cld
    rep movsb
    pop ds

    mov cx, 1                    ; values 1..250
.loop:
    ; --- A: inside the running block ---
    mov bl, 0xEE
    call RSEG:RA(a_entry)
    cmp bl, cl
    je .b
    FAIL 1
.b: ; --- B: the next block, translated and chained before ---
    mov bl, 0xEE
    call RSEG:RA(b_entry)
    cmp bl, cl
    je .c
    FAIL 2
.c: ; --- C: REP MOVSB over the following instruction ---
    mov byte [es:RA(c_target) + 1], 0x11   ; restore the original code
    mov [es:RA(c_new) + 1], cl             ; the code REP MOVSB will copy
    mov bl, 0xEE
    call RSEG:RA(c_entry)
    cmp bl, cl
    je .next
    FAIL 3
.next:
    inc cx
    cmp cx, 250
    jbe .loop
    PM_ENTER pm_main

; ---- real-mode routines (copied to RSEG:0; called far, return far) ----------------------
rcode:
a_entry:
    mov [cs:RA(a_patch) + 1], cl
    nop
a_patch:
    mov bl, 0x00
    retf

b_entry:
    mov [cs:RA(b_target) + 1], cl
    jmp short b_target
b_target:
    mov bl, 0x00
    retf

c_entry:
    push ds
    push es
    push si
    push di
    push cx
    mov ax, cs
    mov ds, ax
    mov es, ax
    mov si, RA(c_new)
    mov di, RA(c_target)
    mov cx, 2
    rep movsb
c_target:
    mov bl, 0x11                 ; becomes c_new's instruction
    pop cx
    pop di
    pop si
    pop es
    pop ds
    retf
c_new:
    mov bl, 0x00
rcode_end:

; ---- protected mode with paging -------------------------------------------------------
[bits 32]
pm_main:
    PAGING_IDENTITY
    SETDESC SEL_FLAT, 0, 0xFFFFF, ACC_CODE, FLG_32G
    ; copy the protected-mode routines to PCODE (code segment base F0000 → flat PCODE)
    mov esi, LIN(pcode)
    mov edi, PCODE
    mov ecx, pcode_end - pcode
    cld
    rep movsb
    ; ALIAS maps the same physical page
    mov dword [PT0_BASE + (ALIAS >> 12) * 4], PCODE | 3
    mov eax, cr3
    mov cr3, eax

    mov ecx, 1
.loop:
    ; --- D1: patch through the alias from here, then run the routine ---
    mov [ALIAS + PA(d1_patch) + 1 - PCODE], ecx
    mov eax, 0xEEEEEEEE
    call SEL_FLAT:PA(d1_entry)
    cmp eax, ecx
    je .d2
    FAIL 4
.d2: ; --- D2: the routine patches itself through the alias ---
    mov eax, 0xEEEEEEEE
    call SEL_FLAT:PA(d2_entry)
    cmp eax, ecx
    je .next
    FAIL 5
.next:
    inc ecx
    cmp ecx, 250
    jbe .loop
    PASS

pcode:
d1_entry:
    nop
d1_patch:
    mov eax, 0
    retf

d2_entry:
    mov [ALIAS + PA(d2_patch) + 1 - PCODE], ecx
    nop
d2_patch:
    mov eax, 0
    retf
pcode_end:

ROM_END
