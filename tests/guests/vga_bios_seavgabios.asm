; vga_bios_seavgabios.asm — SeaBIOS's VGA BIOS (ISA build, from Debian's seabios package)
; on our VGA card: mode 13h, DAC, VBE 2.0 with a linear frame buffer, text services
; (tests/guests/lib/vga_bios_test.inc).
; vmm86-args: --vgabios /usr/share/seabios/vgabios-isavga.bin
%include "vga_bios_test.inc"
