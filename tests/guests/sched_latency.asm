; sched_latency.asm — a timer the guest arms in the middle of a run slice is not run past.
;
; The PIT is programmed (mode 2, count 1000: 838.1 us) while no other timer is armed, so the
; CPU's slice was sized with no deadline in sight. IRQ 0 must still arrive 838.1 us of
; virtual time later, which at the default one instruction per virtual ns is about 838,100
; TSC ticks — not at the end of the slice (regression: it came 1,048,576 instructions in).
%include "rom.inc"
%include "report.inc"
%include "pc.inc"

FLAG   equ 0x500            ; set by the IRQ 0 handler
T_IRQ  equ 0x504            ; TSC low dword when IRQ 0 arrived

rom_entry:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov dword [FLAG], 0
    mov word [8 * 4], irq0          ; vector 8 = IRQ 0 after the ICW2 below
    mov word [8 * 4 + 2], 0xF000

    ; 8259: edge-triggered cascade, vectors 8-15 and 0x70-0x77, only IRQ 0 unmasked.
    PIC_INIT 0x08, 0x70, 0xFE, 0xFF

    ; PIT channel 0, mode 2, binary, count 1000; the count starts on the MSB write.
    PIT0_RATE 1000
    rdtsc
    mov esi, eax                    ; TSC when the count was loaded
    sti
.wait:
    cmp dword [FLAG], 0
    je .wait
    mov eax, [T_IRQ]
    sub eax, esi                    ; ticks from programming to the interrupt
    ; Writing the mode-2 control word drives OUT high: if OUT was low (its power-on state
    ; is undefined), that edge raises IRQ 0 at once. That is not the count expiring.
    cmp eax, 1000
    jae .judge
    mov dword [FLAG], 0
    jmp .wait
.judge:
    cli
    cmp eax, 830000
    jb .early
    cmp eax, 845000
    ja .late
    PASS
.early:
    FAIL 1
.late:
    FAIL 2

irq0:
    push eax
    push edx
    rdtsc
    mov [T_IRQ], eax
    mov dword [FLAG], 1
    mov al, 0x20                    ; non-specific EOI
    out 0x20, al
    pop edx
    pop eax
    iret

ROM_END
