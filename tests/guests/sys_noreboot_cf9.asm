; sys_noreboot_cf9.asm — the PIIX3's reset control register (port CF9h: SRST, then RCPU,
; as Linux writes it) requests a reset; with -no-reboot vmm86 ends the run there with
; status 0 (as QEMU does), instead of rebooting. If the reset is not requested the guest
; reports failure 1; if it reboots, the second boot reports failure 2.
; vmm86-args: -no-reboot -M pc
; vmm86-expect: 0
%include "rom.inc"
%include "report.inc"
%include "reset_once.inc"

rom_entry:
    RESET_ONCE_BEGIN
    mov dx, 0xCF9
    mov al, 0x02
    out dx, al
    mov al, 0x06
    out dx, al
    RESET_NOT_TAKEN

ROM_END
