; sys_db_storm.asm — a #DB that raises #DB forever must not hang vmm86: the run loop still
; gets control, so timers run and --max-insns ends the run (status 4).
;
; A data breakpoint (DR0, read/write, 4 bytes) watches the real-mode IVT entry of vector 1.
; A load from it raises the #DB trap; delivering that #DB reads the same entry, which raises
; the next #DB trap before the handler's first instruction, and so on: no instruction ever
; retires again, as on hardware (a pending debug trap outranks interrupts, so IRQ 0 of the
; running PIT is never taken either). Each back-to-back #DB is charged as one instruction
; of virtual time; the regression was an endless loop inside the engine, which never
; returned to the run loop (no timers, no --max-insns, no way out but a signal).
; vmm86-args: --max-insns 300000
; vmm86-expect: 4
%include "rom.inc"
%include "report.inc"
%include "pc.inc"

rom_entry:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov word [1 * 4], db_handler
    mov word [1 * 4 + 2], 0xF000
    mov word [8 * 4], irq0
    mov word [8 * 4 + 2], 0xF000
    ; 8259: vectors 8-15, only IRQ 0 unmasked; PIT channel 0 mode 2, count 1000
    PIC_INIT 0x08, 0x70, 0xFE, 0xFF
    PIT0_RATE 1000
    ; DR0 = 4 (IVT entry 1), DR7: L0, R/W0 = 11 (read or write), LEN0 = 11 (4 bytes)
    mov eax, 4
    mov dr0, eax
    mov eax, 0x000F0001
    mov dr7, eax
    sti
    mov eax, [4]                   ; the first #DB
    FAIL 1                         ; never reached: the #DBs never end

db_handler:
    FAIL 2

irq0:
    FAIL 3

ROM_END
