; sys_v86.asm — virtual-8086 mode: entered with IRETD (VM in the popped EFLAGS at CPL 0),
; real-mode style segment loads, INT n to a ring-0 handler (frame with ES DS FS GS, data
; segments null in the handler, IRETD back to V86), the IOPL-sensitive instructions (CLI,
; STI, PUSHF, POPF, INT n, IRET → #GP(0) with IOPL < 3) and IN/OUT through the TSS I/O
; permission bitmap (in V86 mode whatever IOPL is, and at ring 3 with CPL > IOPL).
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define V86_STACK 0x5000          ; SS = 0, SP = 5000
%define BITMAP (TSS_BASE + 0x68)

rom_entry:
    PM_ENTER pm_main

[bits 32]
; enter_v86: EBX = V86 IP (CS = F000), ECX = EFLAGS to use (VM is added).
enter_v86:
    push dword 0x0000              ; GS
    push dword 0x0000              ; FS
    push dword 0x1234              ; DS
    push dword 0x0000              ; ES
    push dword 0x0000              ; SS
    push dword V86_STACK           ; ESP
    or ecx, 0x20002
    push ecx                       ; EFLAGS with VM
    push dword 0xF000              ; CS
    push ebx                       ; EIP
    iretd

pm_main:
    ; TSS I/O bitmap for ports 0-0xFF: port 0x81 and 0x88 denied, the rest allowed;
    ; ports from 0x100 lie beyond the TSS limit (denied).
    mov edi, BITMAP
    xor eax, eax
    mov ecx, 0x20 / 4
.bm:
    mov [edi], eax
    add edi, 4
    loop .bm
    mov byte [BITMAP + 0x10], 0x02            ; port 0x81
    mov byte [BITMAP + 0x11], 0x01            ; port 0x88
    mov byte [BITMAP + 0x20], 0xFF            ; the byte past the bitmap
    SETDESC SEL_TSS, TSS_BASE, 0x68 + 0x20, ACC_TSS32, FLG_16
    mov ax, SEL_TSS                ; reload the TR cache with the new limit
    ltr ax
    SETGATE 0x40, SEL_CODE32, v86_int_handler, GATE_INT32 | ACC_DPL3
    SETGATE 0x43, SEL_CODE32, v86_done, GATE_INT32 | ACC_DPL3
    mov dword [0x12340], 0x5A5AA5A5

    ; --- 1. IOPL 3: segment loads, INT n to ring 0 and back, allowed and denied ports ---
    EXPECT_EXC 13, .io_denied
    mov ebx, OFF(v86_main)
    mov ecx, 0x3000
    jmp enter_v86
.io_denied:
    CHECK_MEM32 EXC_ERR, 0, 1
    CHECK_MEM32 EXC_CS, 0xF000, 2
    CHECK_MEM32 EXC_EIP, OFF(v86_in81), 3
    test dword [EXC_EFL], 0x20000
    jnz .t2
    FAIL 4
.t2:
    cmp dword [SCRATCH], 0x900D
    je .t3
    FAIL 5
.t3:
    ; a word at port 0x87 needs the bit of 0x88 too
    EXPECT_EXC 13, .t4
    mov ebx, OFF(v86_in87)
    mov ecx, 0x3000
    jmp enter_v86
.t4:
    CHECK_MEM32 EXC_EIP, OFF(v86_in87), 6
    ; --- 2. IOPL 0: each sensitive instruction is #GP(0) at its own address ---
%macro SENSITIVE 2
    EXPECT_EXC 13, %%back
    mov ebx, OFF(%1)
    xor ecx, ecx
    jmp enter_v86
%%back:
    CHECK_MEM32 EXC_EIP, OFF(%1), %2
    CHECK_MEM32 EXC_ERR, 0, %2 + 1
%endmacro
    SENSITIVE v86_cli, 10
    SENSITIVE v86_sti, 12
    SENSITIVE v86_pushf, 14
    SENSITIVE v86_popf, 16
    SENSITIVE v86_int, 18
    SENSITIVE v86_iret, 20
    ; IOPL 0 does not stop port access in V86 mode: the bitmap decides
    EXPECT_EXC 13, .t5
    mov ebx, OFF(v86_port_iopl0)
    xor ecx, ecx
    jmp enter_v86
.t5:
    CHECK_MEM32 EXC_EIP, OFF(v86_in81b), 22
    ; --- 3. ring 3 with CPL > IOPL uses the bitmap; ports past the TSS limit are denied ---
    EXPECT_EXC 13, .t6
    TO_RING3 r3_ports
.t6:
    CHECK_MEM32 EXC_EIP, OFF(r3_in100), 23
    PASS

v86_int_handler:
    ; frame on the ring-0 stack: EIP CS EFLAGS ESP SS ES DS FS GS
    cmp esp, STACK0_TOP - 36
    jne .bad
    cmp dword [esp + 4], 0xF000
    jne .bad
    test dword [esp + 8], 0x20000
    jz .bad
    cmp dword [esp + 12], V86_STACK
    jne .bad
    cmp dword [esp + 24], 0x1234   ; DS
    jne .bad
    mov ax, ds                     ; data segments are null in the handler
    test ax, ax
    jne .bad
    mov ax, gs
    test ax, ax
    jne .bad
    mov ax, SEL_DATA32
    mov ds, ax
    mov dword [SCRATCH], 0x900D
    iretd                          ; back to V86 (CPL 0, VM in the image)
.bad:
    FAIL 30

v86_done:
    FAIL 31

[bits 16]
v86_main:
    ; real-mode style segments in V86 mode: DS = 1234 means base 12340
    cmp dword [0], 0x5A5AA5A5
    jne v86_fail
    mov ax, ds
    cmp ax, 0x1234
    jne v86_fail
    int 0x40
    ; back from ring 0: DS restored by IRETD
    mov ax, ds
    cmp ax, 0x1234
    jne v86_fail
    in al, 0x80                    ; allowed by the bitmap
    out 0x80, al
v86_in81:
    in al, 0x81                    ; denied: #GP(0)
v86_fail:
    int3                           ; not IOPL-sensitive: an unexpected #BP fails the test
v86_in87:
    in ax, 0x87
    jmp v86_fail
v86_cli:
    cli
    jmp v86_fail
v86_sti:
    sti
    jmp v86_fail
v86_pushf:
    pushf
    jmp v86_fail
v86_popf:
    popf
    jmp v86_fail
v86_int:
    int 0x40
    jmp v86_fail
v86_iret:
    iret
    jmp v86_fail
v86_port_iopl0:
    in al, 0x80
v86_in81b:
    in al, 0x81
    jmp v86_fail

[bits 32]
r3_ports:
    in al, 0x80
    mov dx, 0x80
    out dx, al
    mov dx, 0x100
r3_in100:
    in al, dx
    FAIL 40

[bits 16]
ROM_END
