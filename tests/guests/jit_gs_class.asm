; jit_gs_class.asm — one translated block whose GS access meets every kind of segment GS
; can hold. A JIT keys blocks on the class of each segment register but GS (32-bit kernels
; leave GS to user space), so `sub word [gs:ebx], bp` in gs_sub is translated once and must
; check GS's attributes and limit when it runs. Four rounds (fresh, then reused code):
;   1  flat data: the word is updated
;   2  base 0x20000, limit 0xFFF: updated at offset 0x10; offset 0xFFF (a word across the
;      limit) is #GP(0)
;   3  null GS: #GP(0)
;   4  read-only data: #GP(0) on the write, the word unchanged
;   5  expand-down, limit 0xFFF: offset 0x2000 updated, offset 0x10 (not above the limit)
;      is #GP(0)
;   6  paging on, the TLB flushed and the PTE's A and D bits cleared before each access: the
;      access misses, updates the word and sets D (through the page walk)
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define SEL_LIMITED SEL_FREE
%define SEL_RDONLY  (SEL_FREE + 8)
%define SEL_EXPDOWN (SEL_FREE + 16)
%define SEG_BASE    0x20000

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    SETDESC SEL_LIMITED, SEG_BASE, 0xFFF, ACC_DATA, FLG_32
    SETDESC SEL_RDONLY, SEG_BASE, 0xFFF, 0x90, FLG_32          ; present, read-only data
    SETDESC SEL_EXPDOWN, SEG_BASE, 0xFFF, 0x96, FLG_32         ; expand-down, writable
    mov ebp, 0x0101                        ; what gs_sub subtracts
    mov esi, 4                             ; rounds
.round:
    call case1
    call case2
    call case3
    call case4
    call case5
    dec esi
    jnz .round
    call case6
    PASS

; gs_sub: [GS:EBX] -= BP (a word). The one block every case runs.
gs_sub:
    sub word [gs:ebx], bp
    ret

; SUB_OK address, before, code: [address] = before, gs_sub, then [address] = before - 0x101
%macro SUB_OK 3
    mov word [%1], %2
    call gs_sub
    cmp word [%1], (%2 - 0x101) & 0xFFFF
    je %%ok
    FAIL %3
%%ok:
%endmacro

; SUB_GP address, code: gs_sub raises #GP(0) and leaves the word at address alone
%macro SUB_GP 2
    mov word [%1], 0x5555
    EXPECT_EXC 13, %%gp
    call gs_sub
    FAIL %2
%%gp:
    CHECK_MEM32 EXC_ERR, 0, %2 + 1
    CHECK_MEM32 EXC_EIP, OFF(gs_sub), %2 + 2
    cmp word [%1], 0x5555
    je %%same
    FAIL %2 + 3
%%same:
%endmacro

case1:
    mov ax, SEL_DATA32
    mov gs, ax
    mov ebx, SCRATCH
    SUB_OK SCRATCH, 0x1234, 10
    ret

case2:
    mov ax, SEL_LIMITED
    mov gs, ax
    mov ebx, 0x10
    SUB_OK SEG_BASE + 0x10, 0x2345, 20
    mov ebx, 0xFFF
    SUB_GP SEG_BASE + 0xFFF, 21
    ret

case3:
    xor eax, eax
    mov gs, ax
    mov ebx, SCRATCH
    SUB_GP SCRATCH, 30
    ret

case4:
    mov ax, SEL_RDONLY
    mov gs, ax
    mov ebx, 0x20
    SUB_GP SEG_BASE + 0x20, 40
    ret

case5:
    mov ax, SEL_EXPDOWN
    mov gs, ax
    mov ebx, 0x2000
    SUB_OK SEG_BASE + 0x2000, 0x3456, 50
    mov ebx, 0x10
    SUB_GP SEG_BASE + 0x10, 51
    ret

case6:
    PAGING_IDENTITY
    mov ax, SEL_LIMITED
    mov gs, ax
    mov ebx, 0x30
    mov edi, 8
.again:
    mov word [SEG_BASE + 0x30], 0x4567
    and dword [PT0_BASE + (SEG_BASE >> 12) * 4], ~0x60 ; A and D clear
    mov eax, cr3
    mov cr3, eax                           ; every TLB entry gone: gs_sub's access misses
    call gs_sub
    cmp word [SEG_BASE + 0x30], 0x4567 - 0x101
    je .value
    FAIL 60
.value:
    test dword [PT0_BASE + (SEG_BASE >> 12) * 4], 0x40 ; the write went through the walk
    jnz .next
    FAIL 61
.next:
    dec edi
    jnz .again
    ret

[bits 16]
ROM_END
