; jit_shift_cl.asm — SHL/SHR/SAR of a register by CL when the masked count is 0: the value
; and all arithmetic flags stay as they were (SDM: "if the count is 0, the flags are not
; affected"), whether the flags are read right after (PUSHFD, a conditional jump) or only
; at a fault of the next instruction (the pattern of Linux's LZMA decoder: shl edx, cl;
; add [edi+0x54], edx). A nonzero count in the same code must still shift and set flags.
; Each case runs four rounds: fresh translations, then reused and chained ones.
;   1  CL = 0 and CL = 32 at 8, 16 and 32 bits: value and flags unchanged (PUSHFD)
;   2  CL = 0 before a conditional jump on the old flags (CF, ZF, SF, OF)
;   3  CL = 0, then an ADD to a not-present page: #PF with the flags from before the shift
;   4  the same code with CL = 3: shifted value, flags of the shift
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define NP_PAGE   0x300000       ; not present

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

; SAME_FLAGS a, b, code (PUSHFD images)
; ZERO_SHIFT insn, count, code: flags from 0x7F + 0x81 (CF ZF AF PF) or from 0x7FFFFFFF + 1
; (OF SF AF PF), then `insn` by CL = count (0 after masking): EBX and the flags unchanged.
%macro ZERO_SHIFT 3
    mov ecx, %2
    mov ebx, 0x12345687
    mov eax, 0x7F
    add al, 0x81
    pushfd
    pop edi
    %1
    pushfd
    pop esi
    CHECK_EQ ebx, 0x12345687, %3
    SAME_FLAGS esi, edi, %3 + 1
    mov eax, 0x7FFFFFFF
    add eax, 1
    pushfd
    pop edi
    %1
    pushfd
    pop esi
    CHECK_EQ ebx, 0x12345687, %3 + 2
    SAME_FLAGS esi, edi, %3 + 3
%endmacro

case1:
    ZERO_SHIFT {shl ebx, cl}, 0, 10
    ZERO_SHIFT {shr ebx, cl}, 32, 14
    ZERO_SHIFT {sar ebx, cl}, 0, 18
    ZERO_SHIFT {shl bx, cl}, 32, 22
    ZERO_SHIFT {shr bx, cl}, 0, 26
    ZERO_SHIFT {sar bl, cl}, 64, 30
    ZERO_SHIFT {shl bh, cl}, 0, 34
    ret

case2:
    mov ecx, 0
    mov edx, 1
    mov eax, 3
    sub eax, 5                             ; CF = SF = 1, ZF = OF = 0
    shl edx, cl
    jnc .bad
    js .s
    FAIL 40
.s:
    jz .bad
    jo .bad
    CHECK_EQ edx, 1, 41
    ret
.bad:
    FAIL 42

case3:
    EXPECT_EXC 14, .after
    mov ecx, 0
    mov edx, 1
    mov edi, NP_PAGE
    mov eax, 0x7FFFFFFF
    add eax, 1                             ; OF = SF = 1
    shl edx, cl
.insn:
    add [edi + 0x54], edx
    FAIL 50
.after:
    CHECK_MEM32 EXC_EIP, OFF(.insn), 51
    CHECK_EQ edx, 1, 52
    mov esi, [EXC_EFL]
    mov eax, 0x7FFFFFFF
    add eax, 1
    pushfd
    pop edi
    SAME_FLAGS esi, edi, 53
    ret

case4:
    mov ecx, 3
    mov edx, 0x30000001
    mov eax, 3
    sub eax, 5                             ; CF = 1 before
    shl edx, cl                            ; 0x80000008, CF = 1 (bit 29 out), SF = 1
    pushfd
    pop esi
    CHECK_EQ edx, 0x80000008, 60
    mov edx, 0x30000001                    ; the reference: a constant count
    shl edx, 3
    pushfd
    pop edi
    SAME_FLAGS esi, edi, 61
    ret

ROM_END
