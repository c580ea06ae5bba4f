; mb_aout.asm — a multiboot kernel in a flat binary, loaded through the header's address
; fields (the "a.out kludge", flags bit 16) rather than as ELF.
; Run: -m 8 -kernel mb_aout.bin. It checks the entry state and that the loader cleared the
; bss it declared (the image's file ends where its bss begins).
%include "kcheck.inc"

LOAD_ADDR equ 0x200000
MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0x00010002              ; address fields valid, memory information

[org LOAD_ADDR]
mb_header:
    dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
    dd mb_header                     ; header_addr
    dd LOAD_ADDR                     ; load_addr
    dd load_end                      ; load_end_addr
    dd bss_end                       ; bss_end_addr
    dd entry                         ; entry_addr

entry:
    CHECK eax, 0x2BADB002, 1
    CHECK dword [ebx + 8], 8 * 1024 - 1024, 2   ; mem_upper for -m 8
    mov esi, load_end                ; every bss byte must be zero
.scan:
    cmp esi, bss_end
    jae .scanned
    cmp byte [esi], 0
    je .zero
    FAIL 3
.zero:
    inc esi
    jmp .scan
.scanned:
    mov eax, cr0
    test eax, 0x80000000
    jz .pg_ok
    FAIL 4
.pg_ok:
    PASS

KCHECK_ROUTINES
load_end:
; Not loaded: what follows load_end_addr stays in the file only, and the loader must
; zero the bss there instead.
    times 64 db 0xAA
bss_end equ load_end + 4096
