; sys2_x87_nm.asm — CR0.EM and CR0.TS are checked before the opcode for the whole x87
; escape space (D8-DF): a form no x87 instruction defines (D9 D1, D9 E2, DA E0, D9 /1 with
; a memory operand, after prefixes too) raises #NM when EM or TS is set and #UD only when
; both are clear. A LOCK prefix stays #UD, and so do undefined opcodes outside D8-DF.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define CR0_EM 0x4
%define CR0_TS 0x8

rom_entry:
    PM_ENTER pm_main

; FAULTS vector, code, bytes: the instruction made of `bytes` must raise `vector`.
%macro FAULTS 3                      ; vector, failure code, bytes...
    EXPECT_EXC %1, %%ok
%%insn:
    db %3
    FAIL %2
%%ok:
    cmp dword [EXC_EIP], OFF(%%insn)
    je %%eip
    FAIL %2
%%eip:
%endmacro

%macro SET_CR0 1                     ; EM/TS bits to have set (the rest as it is)
    mov eax, cr0
    and eax, ~(CR0_EM | CR0_TS)
    or eax, %1
    mov cr0, eax
%endmacro

[bits 32]
pm_main:
    ; EM set: every escape form traps, defined or not.
    SET_CR0 CR0_EM
    FAULTS 7, 1, {0xD9, 0xD1}
    FAULTS 7, 2, {0xD9, 0xE2}
    FAULTS 7, 3, {0xDA, 0xE0}
    FAULTS 7, 4, {0xD9, 0x0D, 0x00, 0x80, 0x00, 0x00}   ; D9 /1 [0x8000]
    FAULTS 7, 5, {0x66, 0x2E, 0xD9, 0xD1}                ; after prefixes
    FAULTS 7, 6, {0xD9, 0xC0}                            ; a defined one (FLD ST0)
    FAULTS 6, 7, {0xF0, 0xD9, 0xD1}                      ; LOCK: #UD
    FAULTS 6, 8, {0x0F, 0x0B}                            ; UD2 is no escape
    ; TS set (EM clear): the same.
    SET_CR0 CR0_TS
    FAULTS 7, 11, {0xD9, 0xD1}
    FAULTS 7, 12, {0xDA, 0xE0}
    FAULTS 7, 13, {0xD9, 0x0D, 0x00, 0x80, 0x00, 0x00}
    ; Both clear: the undefined forms are #UD.
    SET_CR0 0
    FAULTS 6, 21, {0xD9, 0xD1}
    FAULTS 6, 22, {0xD9, 0xE2}
    FAULTS 6, 23, {0xDA, 0xE0}
    FAULTS 6, 24, {0xD9, 0x0D, 0x00, 0x80, 0x00, 0x00}
    PASS

[bits 16]
ROM_END
