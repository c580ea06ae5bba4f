; fpu_irq13.asm — MS-DOS-compatible x87 error reporting (CR0.NE = 0) through the PC's
; FERR# -> IRQ 13 wiring and port F0h:
;   - an unmasked divide by zero asserts FERR# when FDIVP completes: IRQ 13 (vector 2Dh with
;     the slave PIC at 28h) arrives at the next instruction boundary, with interrupts on;
;   - the handler writes port F0h, which drops IRQ 13 and asserts IGNNE#: its own waiting
;     x87 instructions then run although the error is still pending; FNCLEX ends it;
;   - with interrupts off the error stays pending; the next waiting instruction (FWAIT,
;     right after STI, inside its interrupt shadow) freezes the CPU until IRQ 13 is taken,
;     and the pushed EIP is that FWAIT's, which runs again after the handler;
;   - no #MF is ever raised with NE = 0.
%include "rom.inc"
%include "report.inc"
%include "pc.inc"
%include "pm.inc"

%define IRQ_COUNT SCRATCH
%define IRQ_EIP   SCRATCH + 4
%define IRQ_SW    SCRATCH + 8
%define VAL       SCRATCH + 12

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    ; two 8259s: master at 20h-27h, slave at 28h-2Fh; only IR2 (cascade) and IRQ 13 open
    PIC_INIT 0x20, 0x28, 0xFB, 0xDF
    SETGATE 0x2D, SEL_CODE32, irq13_handler, GATE_INT32
    mov dword [IRQ_COUNT], 0

    mov eax, cr0
    test eax, 0x20
    jz .ne_clear
    FAIL 1                                 ; the test needs NE = 0 (the reset value)
.ne_clear:
    fninit
    mov word [VAL], 0x037B                 ; ZE unmasked
    fldcw [VAL]

    ; --- interrupts on: IRQ 13 right after the faulting instruction ---
    sti
    fld1
    fldz
    fdivp st1, st0
.after:
    nop
    CHECK_MEM32 IRQ_COUNT, 1, 2
    CHECK_MEM32 IRQ_EIP, OFF(.after), 3
    mov ax, [IRQ_SW]
    and ax, 0x80FF
    CHECK_EQ ax, 0x8084, 4                 ; the handler saw B, ES, ZE before FNCLEX
    fnstsw ax
    and ax, 0x80FF
    CHECK_EQ ax, 0, 5                      ; and cleared them

    ; --- interrupts off: the error waits; FWAIT freezes until IRQ 13 is taken ---
    cli
    fld1
    fldz
    fdivp st1, st0
    nop
    nop
    CHECK_MEM32 IRQ_COUNT, 1, 6
    sti
.w:
    fwait
    CHECK_MEM32 IRQ_COUNT, 2, 7
    CHECK_MEM32 IRQ_EIP, OFF(.w), 8
    fnstsw ax
    and ax, 0x80FF
    CHECK_EQ ax, 0, 9
    cli
    PASS

; IRQ 13: clear the latch (and assert IGNNE#) through port F0h, prove that waiting x87
; instructions now run, clear the error, acknowledge both PICs.
irq13_handler:
    push eax
    mov eax, [esp + 4]
    mov [IRQ_EIP], eax
    inc dword [IRQ_COUNT]
    fnstsw ax
    mov [IRQ_SW], ax
    out 0xF0, al
    fld1                                   ; waits, but IGNNE# lets it through
    fstp st0
    fnclex
    mov al, 0x20
    out 0xA0, al
    out 0x20, al
    pop eax
    iretd

    ROM_END
