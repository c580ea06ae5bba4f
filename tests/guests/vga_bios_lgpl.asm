; vga_bios_lgpl.asm — the Bochs/LGPL VGA BIOS (Debian's vgabios package) on our VGA card:
; mode 13h, DAC, VBE 2.0 with a linear frame buffer, text services
; (tests/guests/lib/vga_bios_test.inc).
; vmm86-args: --vgabios /usr/share/vgabios/vgabios.bin
%include "vga_bios_test.inc"
