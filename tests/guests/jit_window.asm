; jit_window.asm — memory with paging off, where a JIT may reach RAM through the host
; window (one host instruction per access) and must send every other kind of page to the
; slow path: each kind gives what the interpreter gives, over four rounds (fresh
; translations, then reused ones).
;   1 RAM: dwords written and read back, also one across two pages
;   2 ROM (this image at its 4 GiB alias): reads give its bytes, writes are dropped
;   3 a hole (nothing mapped): reads give all ones, writes are dropped
;   4 a dword across the end of RAM (-m 16): the RAM half is written, the rest reads ones
;   5 VGA text memory (video RAM, not guest RAM): written and read back
;   6 a counter in the same page as code that runs (routine copied to RAM): incremented
;     100 times per call by a loop; every increment lands (a JIT that write-protects code
;     pages sees each one fault, and after enough faults moves the block off the window:
;     tests/CMakeLists.txt checks with --stats that both happened)
;   7 a data segment with base 0x10 and a 4 GiB limit: offset 0xFFFFFFF8 wraps to linear 8
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define RAM_END   0x1000000
%define HOLE      0x20000000
%define VGA_TEXT  0xB8000
%define DATA      0x30000
%define CODE_RAM  0x9000
%define PA(x)     (CODE_RAM + (x) - rcode)
%define SEL_FLAT  SEL_FREE          ; flat 32-bit code segment
%define SEL_BASE16 (SEL_FREE + 8)   ; data segment, base 0x10, limit 4 GiB - 1

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    SETDESC SEL_FLAT, 0, 0xFFFFF, ACC_CODE, FLG_32G
    SETDESC SEL_BASE16, 0x10, 0xFFFFF, ACC_DATA, FLG_32G
    mov esi, LIN(rcode)
    mov edi, CODE_RAM
    mov ecx, rcode_end - rcode
    cld
    rep movsb
    mov dword [PA(counter)], 0
    mov ebp, 4
.round:
    ; --- 1: RAM ---
    mov dword [DATA], 0x11223344
    CHECK_MEM32 DATA, 0x11223344, 10
    mov dword [DATA + 0xFFE], 0xAABBCCDD
    CHECK_MEM32 DATA + 0xFFE, 0xAABBCCDD, 11
    movzx eax, word [DATA + 0x1000]
    CHECK_EQ eax, 0xAABB, 12
    ; --- 2: ROM ---
    CHECK_MEM32 0xFFFF0000 + romdata, 0x5AA55AA5, 20
    mov dword [0xFFFF0000 + romdata], 0
    CHECK_MEM32 0xFFFF0000 + romdata, 0x5AA55AA5, 21
    ; --- 3: a hole ---
    mov dword [HOLE], 0x12345678
    CHECK_MEM32 HOLE, 0xFFFFFFFF, 30
    mov byte [HOLE + 0xFFF], 0
    movzx eax, byte [HOLE + 0xFFF]
    CHECK_EQ eax, 0xFF, 31
    ; --- 4: across the end of RAM ---
    mov dword [RAM_END - 2], 0x55667788
    CHECK_MEM32 RAM_END - 2, 0xFFFF7788, 40
    movzx eax, word [RAM_END - 2]
    CHECK_EQ eax, 0x7788, 41
    ; --- 5: VGA text memory ---
    mov word [VGA_TEXT + 160], 0x1F41
    movzx eax, word [VGA_TEXT + 160]
    CHECK_EQ eax, 0x1F41, 50
    ; --- 6: a counter next to running code ---
    call SEL_FLAT:PA(count_up)
    mov eax, 5
    sub eax, ebp
    imul eax, 100
    CHECK_MEM32 PA(counter), eax, 60
    ; --- 7: base + offset wraps past 4 GiB ---
    mov dword [8], 0
    mov ax, SEL_BASE16
    mov fs, ax
    mov dword [fs:0xFFFFFFF8], 0xCAFEF00D
    CHECK_MEM32 8, 0xCAFEF00D, 70
    mov eax, [fs:0xFFFFFFF8]
    CHECK_EQ eax, 0xCAFEF00D, 71
    dec ebp
    jnz .round
    PASS

align 4
romdata:
    dd 0x5AA55AA5

; Copied to CODE_RAM: a loop that increments a counter in its own page.
rcode:
count_up:
    mov ecx, 100
.loop:
    inc dword [PA(counter)]
    dec ecx
    jnz .loop
    retf
align 4
counter:
    dd 0
rcode_end:

    ROM_END
