; spin.asm — never stops: used to test --max-insns.
%include "rom.inc"
rom_entry:
    jmp rom_entry
ROM_END
