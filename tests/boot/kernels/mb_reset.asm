; mb_reset.asm — checks that a guest reset boots the -kernel image again. The first boot
; counts itself in a RAM word the loader does not touch and resets the machine through
; the keyboard controller (command 0xFE); the second boot finds the count at 1 and passes.
; The loader must have reloaded the image: the first boot overwrote a word of its own data.
; Run: -m 8 -kernel mb_reset.bin (without -no-reboot).
%include "kcheck.inc"

LOAD_ADDR equ 0x100000
MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0x00010000
COUNTER equ 0x300000                 ; RAM outside the image and the boot data

[org LOAD_ADDR]
mb_header:
    dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
    dd mb_header, LOAD_ADDR, load_end, 0, entry

entry:
    CHECK eax, 0x2BADB002, 1
    CHECK dword [pristine], 0x600DF00D, 2     ; the image is fresh on every boot
    mov dword [pristine], 0xDEADBEEF
    cmp dword [COUNTER], 1
    je .second
    CHECK dword [COUNTER], 0, 3
    mov dword [COUNTER], 1
    mov al, 0xFE                     ; pulse the reset line
    out 0x64, al
    FAIL 4                           ; the reset did not happen
.second:
    PASS

KCHECK_ROUTINES
pristine: dd 0x600DF00D
load_end:
