; sys_debug.asm — single-step and DR0-DR7: the TF trap after each instruction that began
; with TF set (none after the POPF that sets it, one after the POPF that clears it), BS in
; DR6, MOV SS holding the trap until after the next instruction, INT n entering its
; handler with TF clear and no trap; instruction breakpoints (fault, B0, RF suppression),
; data breakpoints (trap after the access, write-only vs read/write, length), I/O
; breakpoints with CR4.DE, general detect (BD, GD cleared), DR4/DR5 aliasing and #UD.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define DB_COUNT (SCRATCH + 0)
%define DB_MODE  (SCRATCH + 4)     ; 1: set RF in the pushed EFLAGS
%define DB_DR6   (SCRATCH + 8)     ; DR6 of the last #DB
%define DB_LIST  0x800             ; pushed EIPs of each #DB

rom_entry:
    PM_ENTER pm_main

[bits 32]
db_handler:
    push eax
    push ebx
    mov eax, [DB_COUNT]
    mov ebx, [esp + 8]             ; pushed EIP
    mov [DB_LIST + eax * 4], ebx
    inc dword [DB_COUNT]
    mov eax, dr6
    mov [DB_DR6], eax
    xor eax, eax
    mov dr6, eax
    cmp dword [DB_MODE], 1
    jne .out
    or dword [esp + 16], 0x10000   ; RF
.out:
    pop ebx
    pop eax
    iretd

%macro RESET_DB 0
    mov dword [DB_COUNT], 0
    mov dword [DB_MODE], 0
    mov dword [DB_DR6], 0
%endmacro
%macro CHECK_LIST 3                ; index, label, code
    cmp dword [DB_LIST + (%1) * 4], OFF(%2)
    je %%ok
    FAIL %3
%%ok:
%endmacro

pm_main:
    SETGATE 1, SEL_CODE32, db_handler, GATE_INT32
    SETGATE 0x40, SEL_CODE32, int40_handler, GATE_INT32
    ; --- 1. single step ---
    RESET_DB
    pushfd
    or dword [esp], 0x100
    popfd                          ; no trap after the POPF that sets TF
.s1:
    nop
.s2:
    mov eax, 1
.s3:
    pushfd
.s4:
    and dword [esp], ~0x100
.s5:
    popfd                          ; began with TF set: traps
.s6:
    nop                            ; TF clear: no trap
    CHECK_MEM32 DB_COUNT, 5, 1
    CHECK_LIST 0, .s2, 2
    CHECK_LIST 1, .s3, 3
    CHECK_LIST 4, .s6, 4
    mov eax, [DB_DR6]
    test eax, 0x4000               ; BS
    jnz .m1
    FAIL 5
.m1:
    ; --- 2. MOV SS holds the trap until after the next instruction ---
    RESET_DB
    mov ax, ss
    pushfd
    or dword [esp], 0x100
    popfd
.m2:
    mov ss, ax                     ; no trap here...
.m3:
    nop                            ; ...one after this
.m4:
    pushfd
    and dword [esp], ~0x100
    popfd
.m5:
    CHECK_LIST 0, .m4, 6
    ; --- 3. INT n with TF: the handler runs with TF clear, no trap after INT ---
    RESET_DB
    pushfd
    or dword [esp], 0x100
    popfd
.i1:
    int 0x40                       ; handler: TF must be clear
.i2:
    nop                            ; TF is back (IRET): trap after this
.i3:
    pushfd
    and dword [esp], ~0x100
    popfd
    CHECK_LIST 0, .i3, 7
    CHECK_MEM32 SCRATCH + 16, 0, 8 ; TF as the handler saw it
    ; --- 4. instruction breakpoint on .b1: fault before it runs; RF lets it run once ---
    RESET_DB
    mov dword [DB_MODE], 1
    mov eax, 0xF0000 + OFF(.b1)
    mov dr0, eax
    mov eax, 0x00000001            ; L0, RW0 = 00 (execute), LEN0 = 00
    mov dr7, eax
    xor ecx, ecx
.b1:
    inc ecx
    xor eax, eax
    mov dr7, eax
    CHECK_MEM32 DB_COUNT, 1, 9
    CHECK_LIST 0, .b1, 10
    cmp ecx, 1                     ; executed exactly once
    je .b2
    FAIL 11
.b2:
    mov eax, [DB_DR6]
    and eax, 0x400F
    cmp eax, 1                     ; B0, not BS
    je .d1
    FAIL 12
.d1:
    ; --- 5. data breakpoint: DR1 = 0x20000, write-only, 4 bytes ---
    RESET_DB
    mov eax, 0x20000
    mov dr1, eax
    mov eax, 0x00D00004            ; L1, RW1 = 01 (write), LEN1 = 11 (4 bytes)
    mov dr7, eax
    mov eax, [0x20000]             ; a read does not trigger a write breakpoint
    mov dword [0x20004], 1         ; outside the 4 bytes
.d2:
    mov byte [0x20003], 1          ; inside: trap after it
.d3:
    CHECK_MEM32 DB_COUNT, 1, 13
    CHECK_LIST 0, .d3, 14
    mov eax, [DB_DR6]
    and eax, 0xF
    cmp eax, 2                     ; B1
    je .d4
    FAIL 15
.d4:
    ; read/write breakpoint, 2 bytes at 0x20010: a dword read at 0x2000E overlaps it
    RESET_DB
    mov eax, 0x20010
    mov dr1, eax
    mov eax, 0x00700004            ; RW1 = 11, LEN1 = 01 (2 bytes)
    mov dr7, eax
    mov eax, [0x20012]             ; just past: no trap
    mov eax, [0x2000E]
.d5:
    xor eax, eax
    mov dr7, eax
    CHECK_MEM32 DB_COUNT, 1, 16
    CHECK_LIST 0, .d5, 17
    ; --- 6. I/O breakpoint (CR4.DE) on port 0x80 ---
    RESET_DB
    mov eax, cr4
    or eax, 8
    mov cr4, eax
    mov eax, 0x80
    mov dr2, eax
    mov eax, 0x02000010            ; L2, RW2 = 10 (I/O), LEN2 = 00
    mov dr7, eax
    out 0x80, al
.o1:
    xor eax, eax
    mov dr7, eax
    CHECK_MEM32 DB_COUNT, 1, 18
    CHECK_LIST 0, .o1, 19
    ; --- 7. DR4/DR5 with CR4.DE: #UD; without: aliases of DR6/DR7 ---
    EXPECT_EXC 6, .u1
    db 0x0F, 0x21, 0xE0            ; mov eax, dr4
    FAIL 20
.u1:
    mov eax, cr4
    and eax, ~8
    mov cr4, eax
    mov eax, 0x00000100            ; LE via DR5
    db 0x0F, 0x23, 0xE8            ; mov dr5, eax
    mov eax, dr7
    cmp eax, 0x00000500            ; bit 10 reads as 1
    je .g1
    FAIL 21
.g1:
    ; --- 8. general detect: MOV DR with DR7.GD is a #DB fault, BD set, GD cleared ---
    RESET_DB
    mov eax, 0x2000
    mov dr7, eax
.g2:
    mov eax, dr0                   ; faults; the handler returns here with GD clear
    CHECK_MEM32 DB_COUNT, 1, 22
    CHECK_LIST 0, .g2, 23
    test dword [DB_DR6], 0x2000
    jnz .g3
    FAIL 24
.g3:
    mov eax, dr7
    test eax, 0x2000
    jz .g4
    FAIL 25
.g4:
    PASS

int40_handler:
    pushfd
    pop eax
    and eax, 0x100
    mov [SCRATCH + 16], eax
    iretd

[bits 16]
ROM_END
