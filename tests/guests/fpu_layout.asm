; fpu_layout.asm — FSAVE/FRSTOR and FXSAVE/FXRSTOR images byte by byte, against values
; worked out by hand from the SDM's tables (Vol. 1 Figures 8-9/8-11 and Table 10-2):
;   state: CW 0A7F (RC up, PC 53 bits, all masked); FLD1, FLDZ, FILD -5, FLD m32 QNaN, so
;   TOP = 4, R7 = 1.0 (tag 00), R6 = +0 (01), R5 = -5.0 (00), R4 = QNaN (10), R0-R3 empty;
;   the last instruction FLD dword [F32] (D9 05 disp32: FOP 105).
;   - FNSAVE (32-bit): the environment, then ST(0)..ST(7), then the FNINIT state;
;   - FRSTOR brings it back (a second FNSAVE is identical); the 16-bit FNSAVE layout;
;   - FXSAVE: header (abridged tag F0, FOP, FIP, FCS, FDP, FDS, MXCSR, MXCSR_MASK FFFF),
;     ST(i) in 16-byte slots, XMM0-7, bytes 288-511 untouched; without CR4.OSFXSR the XMM
;     area is not written;
;   - FXRSTOR: #GP(0) for a misaligned area or a reserved MXCSR bit, and the abridged tag
;     byte is expanded by classifying the registers.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define SAVE1  0x3000
%define SAVE2  0x3100
%define SAVE16 0x3200
%define FX     0x3400
%define FX2    0x3600
%define I32    0x3800
%define F32    0x3804
%define VAL    0x3808

%macro CHECK16 3
    cmp word [%1], %2
    je %%ok
    FAIL %3
%%ok:
%endmacro
%macro CHECK8 3
    cmp byte [%1], %2
    je %%ok
    FAIL %3
%%ok:
%endmacro
; FILL address, bytes, byte value
%macro FILL 3
    mov edi, %1
    mov ecx, %2
    mov al, %3
    cld
    rep stosb
%endmacro

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    mov eax, cr0
    or eax, 0x20                           ; NE
    mov cr0, eax
    mov eax, cr4
    or eax, 0x600                          ; OSFXSR, OSXMMEXCPT
    mov cr4, eax
    mov dword [I32], -5
    mov dword [F32], 0x7FC00000
    call make_state

    ; --- FNSAVE, 32-bit protected-mode layout ---
    FILL SAVE1, 112, 0xAA
    fnsave [SAVE1]
    CHECK_MEM32 SAVE1 + 0, 0xFFFF0A7F, 1
    CHECK_MEM32 SAVE1 + 4, 0xFFFF2000, 2
    CHECK_MEM32 SAVE1 + 8, 0xFFFF12FF, 3
    CHECK_MEM32 SAVE1 + 12, OFF(make_state.last), 4
    CHECK_MEM32 SAVE1 + 16, 0x01050000 | SEL_CODE32, 5
    CHECK_MEM32 SAVE1 + 20, F32, 6
    CHECK_MEM32 SAVE1 + 24, 0xFFFF0000 | SEL_DATA32, 7
    CHECK_MEM32 SAVE1 + 28, 0, 8                   ; ST(0) = QNaN C000000000000000 / 7FFF
    CHECK_MEM32 SAVE1 + 32, 0xC0000000, 9
    CHECK16 SAVE1 + 36, 0x7FFF, 10
    CHECK_MEM32 SAVE1 + 38, 0, 11                  ; ST(1) = -5.0: A000000000000000 / C001
    CHECK_MEM32 SAVE1 + 42, 0xA0000000, 12
    CHECK16 SAVE1 + 46, 0xC001, 13
    CHECK_MEM32 SAVE1 + 48, 0, 14                  ; ST(2) = +0
    CHECK_MEM32 SAVE1 + 52, 0, 15
    CHECK16 SAVE1 + 56, 0x0000, 16
    CHECK_MEM32 SAVE1 + 58, 0, 17                  ; ST(3) = 1.0: 8000000000000000 / 3FFF
    CHECK_MEM32 SAVE1 + 62, 0x80000000, 18
    CHECK16 SAVE1 + 66, 0x3FFF, 19
    CHECK8 SAVE1 + 108, 0xAA, 20                   ; nothing beyond 108 bytes
    ; then FNINIT: CW 037F, SW 0, all empty
    fnstcw [VAL]
    CHECK16 VAL, 0x037F, 21
    fnstsw ax
    CHECK_EQ ax, 0, 22
    fnstenv [SAVE2]
    CHECK_MEM32 SAVE2 + 8, 0xFFFFFFFF, 23

    ; --- FRSTOR, and the same image saved again ---
    frstor [SAVE1]
    fnstsw ax
    CHECK_EQ ax, 0x2000, 24
    fnsave [SAVE2]
    mov esi, SAVE1
    mov edi, SAVE2
    mov ecx, 108
    repe cmpsb
    je .same
    FAIL 25
.same:
    ; --- 16-bit protected-mode FNSAVE: 14-byte environment, registers from byte 14 ---
    frstor [SAVE1]
    FILL SAVE16, 96, 0xAA
    o16 fnsave [SAVE16]
    CHECK16 SAVE16 + 0, 0x0A7F, 26
    CHECK16 SAVE16 + 2, 0x2000, 27
    CHECK16 SAVE16 + 4, 0x12FF, 28
    CHECK16 SAVE16 + 6, OFF(make_state.last), 29
    CHECK16 SAVE16 + 8, SEL_CODE32, 30
    CHECK16 SAVE16 + 10, F32, 31
    CHECK16 SAVE16 + 12, SEL_DATA32, 32
    CHECK_MEM32 SAVE16 + 18, 0xC0000000, 33        ; ST(0) significand, high half
    CHECK16 SAVE16 + 22, 0x7FFF, 34
    CHECK16 SAVE16 + 94, 0xAAAA, 35                ; nothing beyond 94 bytes

    ; --- FXSAVE ---
    frstor [SAVE1]
    mov dword [VAL], 0x9FC0                        ; FTZ, DAZ, all masked
    ldmxcsr [VAL]
    mov eax, 0x11223344
    movd xmm0, eax
    pshufd xmm0, xmm0, 0x1B                        ; 11223344 in the top dword only
    mov eax, 0x55667788
    movd xmm7, eax                                 ; low dword, the rest zero
    FILL FX, 512, 0xAA
    fxsave [FX]
    CHECK16 FX + 0, 0x0A7F, 40
    CHECK16 FX + 2, 0x2000, 41
    CHECK8 FX + 4, 0xF0, 42                        ; R4-R7 in use
    CHECK8 FX + 5, 0, 43
    CHECK16 FX + 6, 0x0105, 44
    CHECK_MEM32 FX + 8, OFF(make_state.last), 45
    CHECK_MEM32 FX + 12, SEL_CODE32, 46
    CHECK_MEM32 FX + 16, F32, 47
    CHECK_MEM32 FX + 20, SEL_DATA32, 48
    CHECK_MEM32 FX + 24, 0x9FC0, 49
    CHECK_MEM32 FX + 28, 0x0000FFFF, 50
    CHECK_MEM32 FX + 36, 0xC0000000, 51            ; ST(0) at 32
    CHECK16 FX + 40, 0x7FFF, 52
    CHECK16 FX + 42, 0, 53                         ; reserved bytes of the slot
    CHECK_MEM32 FX + 44, 0, 54
    CHECK_MEM32 FX + 52, 0xA0000000, 55            ; ST(1) at 48
    CHECK16 FX + 56, 0xC001, 56
    CHECK_MEM32 FX + 160, 0, 57                    ; XMM0 at 160
    CHECK_MEM32 FX + 160 + 12, 0x11223344, 58
    CHECK_MEM32 FX + 160 + 7 * 16, 0x55667788, 59  ; XMM7 at 272
    CHECK_MEM32 FX + 160 + 7 * 16 + 4, 0, 60
    CHECK_MEM32 FX + 288, 0xAAAAAAAA, 61           ; 288-511 untouched
    CHECK_MEM32 FX + 508, 0xAAAAAAAA, 62
    ; without OSFXSR the XMM registers are not saved
    mov eax, cr4
    and eax, ~0x200
    mov cr4, eax
    FILL FX2, 512, 0xAA
    fxsave [FX2]
    CHECK16 FX2 + 0, 0x0A7F, 63
    CHECK_MEM32 FX2 + 160 + 12, 0xAAAAAAAA, 64
    mov eax, cr4
    or eax, 0x200
    mov cr4, eax

    ; --- FXRSTOR ---
    EXPECT_EXC 13, .gp1
    fxrstor [FX + 8]                               ; not 16-byte aligned
    FAIL 65
.gp1:
    CHECK_MEM32 EXC_ERR, 0, 66
    mov dword [FX + 24], 0x00011F80                ; reserved MXCSR bit 16
    EXPECT_EXC 13, .gp2
    fxrstor [FX]
    FAIL 67
.gp2:
    mov dword [FX + 24], 0x00001F80
    mov byte [FX + 4], 0x30                        ; only R4 (QNaN) and R5 (-5.0) in use
    fninit
    xorps xmm0, xmm0
    fxrstor [FX]
    fnstenv [SAVE2]
    CHECK_MEM32 SAVE2 + 8, 0xFFFFF2FF, 68          ; R5 valid (00), R4 special (10)
    CHECK_MEM32 SAVE2 + 4, 0xFFFF2000, 69
    stmxcsr [VAL]
    CHECK_MEM32 VAL, 0x1F80, 70
    pextrw eax, xmm0, 7
    CHECK_EQ eax, 0x1122, 71
    PASS

; The state every part starts from (see the header). Clobbers nothing else.
make_state:
    fninit
    mov word [VAL], 0x0A7F
    fldcw [VAL]
    fld1
    fldz
    fild dword [I32]
.last:
    fld dword [F32]
    ret

    ROM_END
