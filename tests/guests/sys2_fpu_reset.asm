; sys2_fpu_reset.asm — the x87/SSE state at power-on (SDM vol. 3, table 9-1, column
; "power up or reset"), read before any FNINIT: control word 0040H (every exception
; unmasked, 24-bit precision), status word 0, tag word 5555H (all eight registers valid and
; holding +0.0, unlike FNINIT's FFFFH), operand and instruction pointers 0, MXCSR 1F80H and
; XMM0-7 zero. FXAM reports ST(0) as zero (not empty), FSAVE stores eight +0.0 registers
; and FXSAVE an abridged tag byte of FFH.
%include "rom.inc"
%include "report.inc"

%define ENV   0x1000                 ; FNSAVE image, 16-bit real-mode layout (94 bytes)
%define FXA   0x2000                 ; FXSAVE area (512 bytes, 16-byte aligned)

rom_entry:
    xor ax, ax
    mov ds, ax
    ; FXAM first (it changes nothing but C0-C3, FIP and FOP).
    fxam
    fnstsw ax
    and ax, 0x4700                 ; C3 C2 C1 C0
    cmp ax, 0x4000                 ; C3 = 1, C2 = C0 = 0: zero (C1 = 0: positive)
    je .fxam
    FAIL 1
.fxam:
    ; FXSAVE needs CR4.OSFXSR for the XMM registers and MXCSR.
    mov eax, cr4
    or eax, 0x200
    mov cr4, eax
    stmxcsr [FXA + 0x200]
    cmp dword [FXA + 0x200], 0x1F80
    je .mxcsr
    FAIL 2
.mxcsr:
    mov di, FXA
    mov cx, 512
    mov al, 0xAA
.fill:
    mov [di], al
    inc di
    loop .fill
    fxsave [FXA]
    cmp word [FXA + 0], 0x0040     ; FCW
    je .fx1
    FAIL 3
.fx1:
    cmp byte [FXA + 4], 0xFF       ; abridged tags: all in use
    je .fx2
    FAIL 4
.fx2:
    cmp dword [FXA + 24], 0x1F80   ; MXCSR
    je .fx3
    FAIL 5
.fx3:
    mov si, FXA + 160              ; XMM0-7
.xmm:
    cmp dword [si], 0
    je .xmm_ok
    FAIL 6
.xmm_ok:
    add si, 4
    cmp si, FXA + 288
    jb .xmm
    mov si, FXA + 32               ; ST0-7 (10 bytes each in 16-byte slots): +0.0
.st:
    cmp dword [si], 0
    jne .st_bad
    cmp dword [si + 4], 0
    jne .st_bad
    cmp word [si + 8], 0
    je .st_ok
.st_bad:
    FAIL 7
.st_ok:
    add si, 16
    cmp si, FXA + 160
    jb .st
    ; FNSAVE (16-bit real-mode image): control, status, tag words, then the registers.
    mov di, ENV
    mov cx, 94
    mov al, 0xAA
.fill2:
    mov [di], al
    inc di
    loop .fill2
    fnsave [ENV]
    cmp word [ENV + 0], 0x0040
    je .s1
    FAIL 8
.s1:
    mov ax, [ENV + 2]
    and ax, ~0x4700                ; FXAM set C3
    test ax, ax                    ; no exception flags, TOP = 0
    je .s2
    FAIL 9
.s2:
    cmp word [ENV + 4], 0x5555     ; every register tagged zero
    je .s3
    FAIL 10
.s3:
    cmp word [ENV + 10], 0         ; operand pointer 15..0 (FXAM has no operand)
    jne .s4_bad
    cmp word [ENV + 12], 0         ; operand pointer 19..16
    je .s4
.s4_bad:
    FAIL 11
.s4:
    mov si, ENV + 14               ; eight 80-bit registers
.reg:
    cmp dword [si], 0
    jne .reg_bad
    cmp dword [si + 4], 0
    jne .reg_bad
    cmp word [si + 8], 0
    je .reg_ok
.reg_bad:
    FAIL 12
.reg_ok:
    add si, 10
    cmp si, ENV + 94
    jb .reg
    PASS

ROM_END
