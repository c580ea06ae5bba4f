; sys_rep_rf.asm — RF in the EFLAGS image of events that stop a REP string instruction
; between iterations (SDM vol. 3, 18.3.1.1): RF = 1 for an interrupt arriving after any
; iteration but the last, and for a trap-class exception (single step) raised by any
; iteration but the last; after the last iteration the image has the current RF (0). The
; pushed EIP is the REP instruction while iterations remain, and the IRET back with RF = 1
; resumes it without an instruction breakpoint on it firing again.
;
; The interrupt arrives at a known iteration: IRQ 0 is latched in the master 8259's IRR
; while masked, and REP OUTSB writes the mask register (port 21h) byte by byte; the first
; byte that unmasks IRQ 0 raises INTR, so the interrupt comes after that iteration.
;   1. bytes FF FF FE FE FE FE, DR0 on the REP: one #DB (the handler sets RF to go on), the
;      interrupt after iteration 3 pushes ECX = 3, EIP = the REP, RF = 1, and the rest runs
;      with no second #DB (regression: RF = 0 was pushed and the breakpoint hit again);
;   2. bytes FF FF FE: the interrupt after the last iteration pushes ECX = 0, the next EIP,
;      RF = 0;
;   3. TF = 1 over REP MOVSB with ECX = 3: traps with ECX 2, 1 (RF = 1, EIP = the REP) and
;      0 (RF = 0, the next EIP).
%include "rom.inc"
%include "report.inc"
%include "pc.inc"
%include "pm.inc"

%define FL_RF     0x10000
%define FL_TF     0x100
%define MODE      (SCRATCH + 0)   ; #DB handler: 1 breakpoint (set RF), 2 single step (record)
%define DB_COUNT  (SCRATCH + 4)
%define IRQ_ARMED (SCRATCH + 8)   ; the IRQ 0 handler records while this is 1
%define IRQ_EIP   (SCRATCH + 12)
%define IRQ_EFL   (SCRATCH + 16)
%define IRQ_ECX   (SCRATCH + 20)
%define STEPS     0x800           ; single-step records: ECX, EIP, EFLAGS (3 dwords each)
%define BYTES     0x900           ; what REP OUTSB writes to the IMR
%define MOVSRC    0x980
%define MOVDST    0x9C0

rom_entry:
    cli
    ; 8259s: vectors 20h-27h and 28h-2Fh, everything masked
    mov al, 0x11
    out 0x20, al
    out 0xA0, al
    mov al, 0x20
    out 0x21, al
    mov al, 0x28
    out 0xA1, al
    mov al, 0x04
    out 0x21, al
    mov al, 0x02
    out 0xA1, al
    mov al, 0x01
    out 0x21, al
    out 0xA1, al
    mov al, 0xFF
    out 0x21, al
    out 0xA1, al
    ; PIT channel 0, mode 2, count 100 (84 us): IRQ 0 edges keep coming, latched in IRR
    PIT0_RATE 100
    PM_ENTER pm_main

[bits 32]
pm_main:
    SETGATE 1, SEL_CODE32, db_handler, GATE_INT32
    SETGATE 0x20, SEL_CODE32, irq0_handler, GATE_INT32
    mov dword [DB_COUNT], 0
    mov dword [IRQ_ARMED], 0
    cld

    ; --- 1. interrupt after iteration 3 of 6, with an instruction breakpoint on the REP
    mov dword [BYTES], 0xFEFEFFFF
    mov dword [BYTES + 4], 0xFEFE
    call wait_irr0
    mov dword [MODE], 1
    mov dword [IRQ_ARMED], 1
    mov eax, LIN(rep1)
    mov dr0, eax
    mov eax, 0x1                   ; L0, execute, 1 byte
    mov dr7, eax
    mov esi, BYTES
    mov edx, 0x21
    mov ecx, 6
    sti
    nop                            ; past the STI shadow
rep1:
    rep outsb
    cli
    xor eax, eax
    mov dr7, eax
    CHECK_EQ ecx, 0, 1
    CHECK_MEM32 DB_COUNT, 1, 2     ; 2: the breakpoint fired again after the interrupt
    CHECK_MEM32 IRQ_ARMED, 0, 3    ; no interrupt came
    CHECK_MEM32 IRQ_ECX, 3, 4
    CHECK_MEM32 IRQ_EIP, OFF(rep1), 5
    test dword [IRQ_EFL], FL_RF
    jnz .rf1
    FAIL 6
.rf1:

    ; --- 2. interrupt after the last iteration
    mov al, 0xFF
    out 0x21, al
    mov dword [BYTES], 0xFEFFFF
    call wait_irr0
    mov dword [IRQ_ARMED], 1
    mov esi, BYTES
    mov edx, 0x21
    mov ecx, 3
    sti
    nop
    rep outsb
after2:
    cli
    mov al, 0xFF
    out 0x21, al
    CHECK_MEM32 IRQ_ARMED, 0, 7
    CHECK_MEM32 IRQ_ECX, 0, 8
    CHECK_MEM32 IRQ_EIP, OFF(after2), 9
    test dword [IRQ_EFL], FL_RF
    jz .rf2
    FAIL 10
.rf2:

    ; --- 3. single-stepping a REP MOVSB
    mov dword [MODE], 2
    mov dword [DB_COUNT], 0
    mov esi, MOVSRC
    mov edi, MOVDST
    mov ecx, 3
    pushfd
    or dword [esp], FL_TF
    popfd
rep3:
    rep movsb
after3:
    CHECK_MEM32 DB_COUNT, 3, 11
    CHECK_MEM32 STEPS + 0, 2, 12
    CHECK_MEM32 STEPS + 4, OFF(rep3), 13
    CHECK_MEM32 STEPS + 12, 1, 14
    CHECK_MEM32 STEPS + 16, OFF(rep3), 15
    CHECK_MEM32 STEPS + 24, 0, 16
    CHECK_MEM32 STEPS + 28, OFF(after3), 17
    test dword [STEPS + 8], FL_RF
    jnz .s1
    FAIL 18
.s1:
    test dword [STEPS + 20], FL_RF
    jnz .s2
    FAIL 19
.s2:
    test dword [STEPS + 32], FL_RF
    jz .s3
    FAIL 20
.s3:
    PASS

; Waits (IF = 0, IRQ 0 masked) until the PIT's next edge is latched in the master's IRR.
wait_irr0:
    mov al, 0x0A                   ; OCW3: read IRR
    out 0x20, al
    in al, 0x20
    test al, 1
    jz wait_irr0
    ret

; #DB. MODE 1: an instruction breakpoint; count it and return with RF set in the image.
; MODE 2: a single-step trap; record ECX, EIP, EFLAGS and stop stepping after ECX = 0.
db_handler:
    push eax
    push ebx
    mov eax, [DB_COUNT]
    inc dword [DB_COUNT]
    cmp dword [MODE], 1
    jne .step
    or dword [esp + 16], FL_RF
    jmp .out
.step:
    cmp eax, 8
    jae .out
    imul ebx, eax, 12
    mov [STEPS + ebx], ecx
    mov eax, [esp + 8]
    mov [STEPS + ebx + 4], eax
    mov eax, [esp + 16]
    mov [STEPS + ebx + 8], eax
    test ecx, ecx
    jnz .out
    and dword [esp + 16], ~FL_TF
.out:
    mov eax, dr6
    and eax, ~0x400F
    mov dr6, eax
    pop ebx
    pop eax
    iretd

; IRQ 0: record the first interrupt after IRQ_ARMED was set.
irq0_handler:
    push eax
    cmp dword [IRQ_ARMED], 1
    jne .eoi
    mov dword [IRQ_ARMED], 0
    mov [IRQ_ECX], ecx
    mov eax, [esp + 4]
    mov [IRQ_EIP], eax
    mov eax, [esp + 12]
    mov [IRQ_EFL], eax
.eoi:
    mov al, 0x20
    out 0x20, al
    pop eax
    iretd

[bits 16]
ROM_END
