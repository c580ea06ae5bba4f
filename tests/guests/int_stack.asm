; int_stack.asm — PUSHA/POPA and ENTER/LEAVE nesting, in real mode (16-bit stack) and in
; flat 32-bit protected mode. Checks the stack images (the SP/ESP slot of PUSHA holds the
; value before the instruction, POPA skips it), the frame-pointer copies ENTER makes for
; nesting levels 1-3, and that LEAVE undoes ENTER.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

rom_entry:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000

    ; 1. PUSHA: order AX CX DX BX SP(original) BP SI DI
    mov ax, 0x1111
    mov cx, 0x2222
    mov dx, 0x3333
    mov bx, 0x4444
    mov bp, 0x5555
    mov si, 0x6666
    mov di, 0x7777
    pusha
    CHECK_EQ sp, 0x7000 - 16, 1
    CHECK_EQ word [0x7000 - 2], 0x1111, 2
    CHECK_EQ word [0x7000 - 8], 0x4444, 3
    CHECK_EQ word [0x7000 - 10], 0x7000, 4
    CHECK_EQ word [0x7000 - 16], 0x7777, 5
    ; 2. POPA restores all but SP, which it skips
    mov word [0x7000 - 10], 0x1234
    xor ax, ax
    xor bx, bx
    xor cx, cx
    xor dx, dx
    xor bp, bp
    xor si, si
    xor di, di
    popa
    CHECK_EQ sp, 0x7000, 6
    CHECK_EQ ax, 0x1111, 7
    CHECK_EQ bx, 0x4444, 8
    CHECK_EQ di, 0x7777, 9
    CHECK_EQ bp, 0x5555, 10

    ; 3. ENTER nesting in 16-bit code: three procedures, each ENTER n, level
    mov bp, 0x0BAD
    call proc1
    CHECK_EQ sp, 0x7000, 11
    CHECK_EQ bp, 0x0BAD, 12
    PM_ENTER pm_main

proc1:                       ; ENTER 4, 1: push BP; push frame; BP = frame; SP -= 4
    enter 4, 1
    mov [0x600], bp          ; frame1
    mov ax, bp
    cmp word [bp], 0x0BAD    ; saved BP
    je .a
    FAIL 13
.a: cmp [bp - 2], ax         ; level 1 pushes only the new frame pointer
    je .b
    FAIL 14
.b: mov ax, bp
    sub ax, 2 + 4
    cmp sp, ax
    je .c
    FAIL 15
.c: call proc2
    leave
    ret

proc2:                       ; ENTER 2, 2: copies frame1's pointer, then its own
    enter 2, 2
    mov [0x602], bp          ; frame2
    mov ax, [0x600]
    cmp [bp], ax             ; saved BP = frame1
    je .a
    FAIL 16
.a: cmp [bp - 2], ax         ; copy of [frame1 - 2] = frame1
    je .b
    FAIL 17
.b: cmp [bp - 4], bp         ; the new frame pointer
    je .c
    FAIL 18
.c: call proc3
    leave
    ret

proc3:                       ; ENTER 0, 3: copies frame2's two pointers, then its own
    enter 0, 3
    mov ax, [0x602]
    cmp [bp], ax
    je .a
    FAIL 19
.a: mov ax, [0x600]
    cmp [bp - 2], ax         ; [frame2 - 2] = frame1
    je .b
    FAIL 20
.b: mov ax, [0x602]
    cmp [bp - 4], ax         ; [frame2 - 4] = frame2
    je .c
    FAIL 21
.c: cmp [bp - 6], bp
    je .d
    FAIL 22
.d: lea ax, [bp - 6]
    cmp sp, ax
    je .e
    FAIL 23
.e: leave
    ret

[bits 32]
pm_main:
    ; 4. PUSHAD/POPAD
    mov eax, 0xA1A1A1A1
    mov ebx, 0xB2B2B2B2
    mov ebp, 0xC3C3C3C3
    mov edi, 0xD4D4D4D4
    mov esi, esp
    pushad
    CHECK_EQ [esp + 12], esi, 30   ; the ESP slot holds ESP before PUSHAD
    CHECK_EQ dword [esp + 28], 0xA1A1A1A1, 31
    CHECK_EQ dword [esp], 0xD4D4D4D4, 32
    mov dword [esp + 12], 0
    xor eax, eax
    xor ebp, ebp
    popad
    CHECK_EQ esp, esi, 33
    CHECK_EQ eax, 0xA1A1A1A1, 34
    CHECK_EQ ebp, 0xC3C3C3C3, 35
    ; 5. 32-bit ENTER 12, 2 from a frame whose [EBP-4] holds a marker
    mov ebp, 0x5000
    mov dword [0x5000 - 4], 0x600D600D
    mov ecx, esp
    enter 12, 2
    lea eax, [ecx - 4]
    CHECK_EQ ebp, eax, 36
    CHECK_EQ dword [ebp], 0x5000, 37
    CHECK_EQ dword [ebp - 4], 0x600D600D, 38
    CHECK_EQ [ebp - 8], ebp, 39
    lea eax, [ebp - 8 - 12]
    CHECK_EQ esp, eax, 40
    leave
    CHECK_EQ esp, ecx, 41
    CHECK_EQ ebp, 0x5000, 42
    PASS

[bits 16]                  ; the reset vector is 16-bit code
ROM_END
