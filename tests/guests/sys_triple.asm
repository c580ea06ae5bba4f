; sys_triple.asm — a triple fault shuts the machine down; with -no-reboot vmm86 then exits
; with status 0 (every failure path below reports an odd status through the exit port).
; The IDT limit is 0, so the #GP of an INT, the #GP of its delivery (a double fault) and
; the #GP of the double fault's delivery end in shutdown.
; vmm86-args: -no-reboot
; vmm86-expect: 0
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    mov word [SCRATCH], 0
    mov dword [SCRATCH + 2], IDT_BASE
    lidt [SCRATCH]
    int 0x20
    FAIL 1

[bits 16]
ROM_END
