; int_divide.asm — #DE delivered through the real-mode IVT: DIV by zero, a quotient too
; large (DIV and IDIV, including -32768 / -1), AAM 0. The handler checks that the pushed
; CS:IP is the faulting instruction and that no register or flag changed, then resumes
; after the instruction (its length is given by the test). Non-faulting divisions at the
; range limits must not fault.
%include "rom.inc"
%include "report.inc"

%define SKIP    0x600   ; length of the faulting instruction, set before each test
%define HITS    0x602   ; #DE count
%define WANT_IP 0x604   ; the faulting instruction's offset
%define SAVED   0x610   ; AX BX CX DX SI DI BP FLAGS before the instruction

; ARM label-of-insn, insn-length: record the state and the expected IP.
%macro ARM 2
    mov word [SKIP], %2
    mov word [WANT_IP], %1
    mov [SAVED + 0], ax
    mov [SAVED + 2], bx
    mov [SAVED + 4], cx
    mov [SAVED + 6], dx
    mov [SAVED + 8], si
    mov [SAVED + 10], di
    mov [SAVED + 12], bp
    pushf
    pop word [SAVED + 14]
%endmacro

rom_entry:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov word [0 * 4], de_handler
    mov word [0 * 4 + 2], 0xF000
    mov word [HITS], 0

    ; 1. DIV CL with CL = 0
    mov ax, 0x1234
    mov cx, 0x0500
    mov dx, 0x5A5A
    stc
    ARM t1, 2
t1: div cl
    CHECK_EQ word [HITS], 1, 1

    ; 2. DIV BX: DX:AX = 0x00020000 / 2 = 0x10000 does not fit
    mov dx, 2
    xor ax, ax
    mov bx, 2
    ARM t2, 2
t2: div bx
    CHECK_EQ word [HITS], 2, 2

    ; 3. IDIV CX: DX:AX = 0xFFFF8000 (-32768) / -1 = 32768 does not fit
    mov dx, 0xFFFF
    mov ax, 0x8000
    mov cx, 0xFFFF
    ARM t3, 2
t3: idiv cx
    CHECK_EQ word [HITS], 3, 3

    ; 4. AAM 0
    mov ax, 0x0063
    ARM t4, 2
t4: aam 0
    CHECK_EQ word [HITS], 4, 4

    ; 5. DIV with a memory divisor of 0, with a segment override (3-byte instruction + prefix)
    mov word [0x700], 0
    mov ax, 7
    xor dx, dx
    ARM t5, 5
t5: div word [ds:0x700]
    CHECK_EQ word [HITS], 5, 5

    ; 6. limits that fit: -32768 / 1, 0xFFFF / 1 with DX = 0, IDIV -128 in a byte
    mov dx, 0xFFFF
    mov ax, 0x8000
    mov cx, 1
    idiv cx
    CHECK_EQ ax, 0x8000, 6
    CHECK_EQ dx, 0, 7
    mov ax, 0xFF00           ; -256 / 2 = -128
    mov cl, 2
    idiv cl
    CHECK_EQ ax, 0x0080, 8
    xor dx, dx
    mov ax, 0xFFFF
    mov bx, 1
    div bx
    CHECK_EQ ax, 0xFFFF, 9
    CHECK_EQ word [HITS], 5, 10
    PASS

; The #DE handler: [SP] = IP, [SP+2] = CS, [SP+4] = FLAGS.
de_handler:
    push bp
    mov bp, sp
    push ax
    mov ax, [bp + 2]
    cmp ax, [WANT_IP]
    jne .bad_ip
    cmp word [bp + 4], 0xF000
    jne .bad_ip
    mov ax, [bp + 6]
    cmp ax, [SAVED + 14]
    jne .bad_flags
    pop ax
    cmp ax, [SAVED + 0]
    jne .bad_regs
    cmp bx, [SAVED + 2]
    jne .bad_regs
    cmp cx, [SAVED + 4]
    jne .bad_regs
    cmp dx, [SAVED + 6]
    jne .bad_regs
    cmp si, [SAVED + 8]
    jne .bad_regs
    cmp di, [SAVED + 10]
    jne .bad_regs
    push ax
    mov ax, [bp + 0]                ; the saved BP
    cmp ax, [SAVED + 12]
    pop ax
    jne .bad_regs
    inc word [HITS]
    push ax
    mov ax, [SKIP]
    add [bp + 2], ax                ; resume after the faulting instruction
    pop ax
    pop bp
    iret
.bad_ip:
    FAIL 20
.bad_flags:
    FAIL 21
.bad_regs:
    FAIL 22

ROM_END
