; log_events.asm — events each -d category logs, for the command-line test (test-cli): a
; port write (ioport), RDMSR of an MSR the model lacks (unimp; its #GP: int), then a triple
; fault (an INT with an IDT limit of 0: #GP, double fault, shutdown) that guest_errors and
; cpu_reset report. Run with -no-reboot: the shutdown ends the run with status 0.
%include "rom.inc"

rom_entry:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov word [13 * 4], gp_handler
    mov word [13 * 4 + 2], 0xF000
    mov al, 0x5A
    out 0x80, al                   ; POST code port
    mov ecx, 0x00012345            ; no such MSR
    rdmsr
    lidt [cs:empty_idt]
    int 0x20
.hang:
    hlt
    jmp .hang

gp_handler:                        ; skip the 2-byte RDMSR
    push bp
    mov bp, sp
    add word [bp + 2], 2
    pop bp
    iret

empty_idt:
    dw 0
    dd 0

ROM_END
