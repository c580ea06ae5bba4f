; sys_noreboot_port92.asm — port 92h bit 0 (fast reset) requests a reset; with -no-reboot
; vmm86 ends the run there with status 0 (as QEMU does), instead of rebooting. If the reset
; is not requested the guest reports failure 1; if it reboots, the second boot reports
; failure 2.
; vmm86-args: -no-reboot
; vmm86-expect: 0
%include "rom.inc"
%include "report.inc"
%include "reset_once.inc"

rom_entry:
    RESET_ONCE_BEGIN
    in al, 0x92
    or al, 0x01
    out 0x92, al
    RESET_NOT_TAKEN

ROM_END
