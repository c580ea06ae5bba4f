; sys_irq.asm — external interrupts arrive only between instructions, with the interrupt
; shadow: an IRQ pending while IF = 0 is taken right after the instruction that follows
; STI (pushed EIP = the one after it), right after a POPF that sets IF (no shadow there),
; and HLT is left for the handler with the pushed EIP after the HLT. The IRQ is the PIT's
; channel 0 in mode 0 through the master 8259 (vector 0x20), both programmed here: nothing
; interrupts before the guest programs them.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define IRQ_EIP   (SCRATCH + 0)
%define IRQ_COUNT (SCRATCH + 4)

rom_entry:
    PM_ENTER pm_main

[bits 32]
irq0_handler:
    push eax
    mov eax, [esp + 4]             ; pushed EIP
    mov [IRQ_EIP], eax
    inc dword [IRQ_COUNT]
    mov al, 0x20                   ; non-specific EOI
    out 0x20, al
    pop eax
    iretd

; Starts a one-shot count on PIT channel 0 and waits (IF = 0) until IRQ 0 is pending in
; the master PIC's IRR.
arm_and_wait:
    mov al, 0x30                   ; channel 0, lobyte/hibyte, mode 0
    out 0x43, al
    mov al, 50
    out 0x40, al
    xor al, al
    out 0x40, al
.wait:
    mov al, 0x0A                   ; OCW3: read IRR
    out 0x20, al
    in al, 0x20
    test al, 1
    jz .wait
    ret

pm_main:
    SETGATE 0x20, SEL_CODE32, irq0_handler, GATE_INT32
    mov dword [IRQ_COUNT], 0
    ; the PIC comes out of reset masked: nothing may have arrived yet
    in al, 0x21
    cmp al, 0xFF
    je .init
    FAIL 1
.init:
    mov al, 0x11                   ; ICW1: edge, cascade, ICW4
    out 0x20, al
    out 0xA0, al
    mov al, 0x20                   ; ICW2: vectors 0x20 / 0x28
    out 0x21, al
    mov al, 0x28
    out 0xA1, al
    mov al, 0x04                   ; ICW3
    out 0x21, al
    mov al, 0x02
    out 0xA1, al
    mov al, 0x01                   ; ICW4: 8086 mode
    out 0x21, al
    out 0xA1, al
    mov al, 0xFE                   ; only IRQ 0
    out 0x21, al
    mov al, 0xFF
    out 0xA1, al
    ; --- 1. STI: the pending IRQ waits for the next instruction ---
    call arm_and_wait
    xor ecx, ecx
    sti
    inc ecx                        ; runs before the interrupt
.after_inc:
    cli
    CHECK_MEM32 IRQ_COUNT, 1, 2
    CHECK_MEM32 IRQ_EIP, OFF(.after_inc), 3
    cmp ecx, 1
    je .t2
    FAIL 4
.t2:
    ; --- 2. POPF setting IF has no shadow ---
    call arm_and_wait
    push dword 0x202
    popfd
.after_popf:
    nop
    cli
    CHECK_MEM32 IRQ_COUNT, 2, 5
    CHECK_MEM32 IRQ_EIP, OFF(.after_popf), 6
    ; --- 3. HLT waits for the interrupt; the handler returns after the HLT ---
    mov al, 0x30
    out 0x43, al
    mov al, 50
    out 0x40, al
    xor al, al
    out 0x40, al
    sti
    hlt
.after_hlt:
    cli
    CHECK_MEM32 IRQ_COUNT, 3, 7
    CHECK_MEM32 IRQ_EIP, OFF(.after_hlt), 8
    PASS

[bits 16]
ROM_END
