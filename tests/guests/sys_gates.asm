; sys_gates.asm — ring transitions: a 32-bit call gate from ring 3 to ring 0 with two
; parameters copied to the TSS stack (exact frame), RETF imm back to ring 3 with the
; data-segment nulling; a 16-bit call gate (16-bit frame); trap versus interrupt gates
; (IF), a 16-bit interrupt gate frame; IRET to an outer ring; a conforming segment keeps
; CPL; the privilege faults of far JMP/CALL/RETF.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define SEL_CG32   (SEL_FREE + 0x00)  ; call gate, 32-bit, DPL 3, 2 params -> gate_target32
%define SEL_CG16   (SEL_FREE + 0x08)  ; call gate, 16-bit, DPL 3, 1 param  -> gate_target16
%define SEL_CONF   (SEL_FREE + 0x10)  ; conforming code, DPL 0, base F0000
%define SEL_CG0    (SEL_FREE + 0x18)  ; call gate, DPL 0 (out of reach of ring 3)
%define R3_ESP_AT_CALL 0x5FF8         ; ring-3 ESP after pushing the two parameters

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    SETCALLGATE SEL_CG32, SEL_CODE32, gate_target32, GATE_CALL32 | ACC_DPL3, 2
    SETCALLGATE SEL_CG16, SEL_CODE32, gate_target16, GATE_CALL16 | ACC_DPL3, 1
    SETDESC SEL_CONF, 0xF0000, 0xFFFF, ACC_CODE | 4, FLG_32
    SETCALLGATE SEL_CG0, SEL_CODE32, gate_target32, GATE_CALL32, 0
    SETGATE 0x40, SEL_CODE32, trap_handler, GATE_TRAP32 | ACC_DPL3
    SETGATE 0x41, SEL_CODE32, int_handler, GATE_INT32 | ACC_DPL3
    SETGATE 0x42, SEL_CODE16, int16_handler, GATE_INT16 | ACC_DPL3
    SETGATE 0x43, SEL_CODE32, finish_r3, GATE_INT32 | ACC_DPL3
    mov dword [SCRATCH], 0
    sti                            ; IF = 1 in ring 3 (the PIC masks every IRQ after reset)
    TO_RING3 r3_start

; ---- ring 3 ---------------------------------------------------------------------------
r3_start:
    mov ax, cs
    cmp ax, SEL_CODE3
    je .a
    FAIL 1
.a:
    push dword 0x1111              ; parameter 1 (higher address)
    push dword 0x2222              ; parameter 0
    call SEL_CG32:0                ; the offset is ignored for a gate
.ret32:
    ; RETF 8 removed the parameters from the ring-3 stack too
    cmp esp, R3_ESP_AT_CALL + 8
    je .b
    FAIL 2
.b:
    mov ax, ss
    cmp ax, SEL_DATA3
    je .c
    FAIL 3
.c:
    mov ax, es                     ; ring 0 loaded a DPL-0 segment into ES: now null
    test ax, ax
    je .d
    FAIL 4
.d:
    mov ax, ds                     ; DS (DPL 3) survived
    cmp ax, SEL_DATA3
    je .e
    FAIL 5
.e:
    cmp dword [SCRATCH], 0x600D
    je .f
    FAIL 6
.f:
    ; 16-bit call gate with one word parameter
    push word 0x3333
    call SEL_CG16:0
    cmp esp, STACK3_TOP
    je .g
    FAIL 7
.g:
    ; a conforming DPL-0 segment runs at CPL 3
    call SEL_CONF:conf_code
    cmp eax, 3
    je .h
    FAIL 8
.h:
    ; trap gate keeps IF, interrupt gate clears it (IF = 1 here: see pm_main)
    int 0x40
    cmp dword [SCRATCH + 4], 0x200
    je .i
    FAIL 9
.i:
    int 0x41
    cmp dword [SCRATCH + 4], 0
    je .j
    FAIL 10
.j:
    int 0x42
    int 0x43                       ; to ring 0 for the fault checks

; ---- ring 0 gate targets ------------------------------------------------------------------
gate_target32:
    ; frame: EIP, CS, param0, param1, ESP, SS (all 32-bit) on the TSS stack
    cmp esp, STACK0_TOP - 24
    je .a
    FAIL 20
.a:
    cmp dword [esp], OFF(r3_start.ret32)
    je .b
    FAIL 21
.b:
    cmp dword [esp + 4], SEL_CODE3
    je .c
    FAIL 22
.c:
    cmp dword [esp + 8], 0x2222
    jne .bad
    cmp dword [esp + 12], 0x1111
    jne .bad
    cmp dword [esp + 16], R3_ESP_AT_CALL
    jne .bad
    cmp dword [esp + 20], SEL_DATA3
    jne .bad
    mov ax, cs
    cmp ax, SEL_CODE32             ; RPL = new CPL = 0
    jne .bad
    mov ax, ss
    cmp ax, SEL_DATA32
    jne .bad
    mov ax, SEL_DATA32
    mov es, ax
    mov dword [SCRATCH], 0x600D
    retf 8
.bad:
    FAIL 23

gate_target16:
    ; 16-bit frame: IP, CS, param, SP, SS
    cmp esp, STACK0_TOP - 10
    jne .bad
    cmp word [esp + 2], SEL_CODE3
    jne .bad
    cmp word [esp + 4], 0x3333
    jne .bad
    cmp word [esp + 6], STACK3_TOP - 2
    jne .bad
    cmp word [esp + 8], SEL_DATA3
    jne .bad
    o16 retf 2
.bad:
    FAIL 24

conf_code:
    mov ax, cs
    and eax, 3                     ; CPL stays 3 (CS.RPL = 3)
    retf

trap_handler:
    mov eax, [esp + 8]             ; pushed EFLAGS has IF = 1
    pushfd
    pop ebx
    and ebx, 0x200
    mov [SCRATCH + 4], ebx
    test eax, 0x200
    jnz .ok
    FAIL 25
.ok:
    iretd

int_handler:
    pushfd
    pop ebx
    and ebx, 0x200
    mov [SCRATCH + 4], ebx
    iretd

[bits 16]
int16_handler:
    ; 16-bit frame: IP, CS, FLAGS, SP, SS on the TSS stack
    cmp esp, STACK0_TOP - 10
    jne .bad
    cmp word [esp + 2], SEL_CODE3
    jne .bad
    cmp word [esp + 6], STACK3_TOP
    jne .bad
    cmp word [esp + 8], SEL_DATA3
    jne .bad
    iret
.bad:
    FAIL 26
[bits 32]

finish_r3:
    ; --- ring 0 again: privilege faults ---
    mov ax, SEL_DATA32
    mov ds, ax
    mov es, ax
    mov esp, STACK0_TOP
    ; IRET to ring 3 nulls a DPL-0 ES and keeps DS = ring 3 data
    mov ax, SEL_DATA3
    mov ds, ax
    mov ax, SEL_DATA32
    mov es, ax
    SETGATE 0x44, SEL_CODE32, check_iret, GATE_INT32 | ACC_DPL3
    push dword SEL_DATA3
    push dword STACK3_TOP
    push dword 0x202
    push dword SEL_CODE3
    push dword OFF(r3_after_iret)
    iretd
r3_after_iret:
    mov ax, es
    mov bx, ds
    int 0x44
check_iret:
    mov cx, SEL_DATA32
    mov ds, cx
    test ax, ax
    je .a
    FAIL 30
.a:
    cmp bx, SEL_DATA3
    je .b
    FAIL 31
.b:
    ; far JMP to a non-conforming segment of another DPL: #GP(sel)
    mov esp, STACK0_TOP
    EXPECT_EXC 13, .c
    jmp SEL_CODE3:.c
    FAIL 32
.c:
    CHECK_MEM32 EXC_ERR, SEL_CODE3 & 0xFFFC, 33
    ; a call gate whose DPL < RPL of its selector: #GP(gate)
    EXPECT_EXC 13, .d
    call (SEL_CG0 | 3):0
    FAIL 34
.d:
    CHECK_MEM32 EXC_ERR, SEL_CG0, 35
    ; RETF to a more privileged level (RPL < CPL) from ring 3: #GP(sel)
    EXPECT_EXC 13, .e
    TO_RING3 r3_bad_retf
.e:
    CHECK_MEM32 EXC_ERR, SEL_CODE32, 36
    CHECK_MEM32 EXC_CS, SEL_CODE3, 37
    PASS

r3_bad_retf:
    push dword SEL_CODE32
    push dword OFF(r3_bad_retf)
    retf
    FAIL 38

[bits 16]
ROM_END
