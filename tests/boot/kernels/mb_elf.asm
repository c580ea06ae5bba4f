; mb_elf.asm — a multiboot (v1) ELF32 kernel that checks what vmm86's loader hands it.
; Run (tests/boot/kernel_boot.cmake): -m 16 -kernel mb_elf.elf -append "hello multiboot"
;   -initrd "mod1.bin arg1,mod2.bin" where the modules hold "MODULE-ONE" and "MODULE-TWO".
; The expected values come from the Multiboot Specification 0.6.96 and those options.
%include "kcheck.inc"

MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0x00000003              ; page-align modules, memory information
RAM_KIB equ 16 * 1024                ; -m 16

section .text
mb_header:
    dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

global start
start:
    CHECK eax, 0x2BADB002, 1
    mov [info], ebx
    pushfd
    pop eax
    test eax, 0x200                  ; IF
    jz .if_ok
    FAIL 2
.if_ok:
    mov eax, cr0
    test eax, 1
    jnz .pe_ok
    FAIL 3
.pe_ok:
    test eax, 0x80000000
    jz .pg_ok
    FAIL 4
.pg_ok:
    mov ebx, [info]
    test dword [ebx], 1 << 0         ; mem_lower / mem_upper
    jnz .mem_ok
    FAIL 5
.mem_ok:
    CHECK dword [ebx + 4], 639, 6
    CHECK dword [ebx + 8], RAM_KIB - 1024, 7
    test dword [ebx], 1 << 2         ; cmdline
    jnz .cmd_ok
    FAIL 8
.cmd_ok:
    mov esi, [ebx + 16]
    mov edi, want_cmdline
    call ends_with
    je .cmd_text_ok
    FAIL 9
.cmd_text_ok:
    mov ebx, [info]
    test dword [ebx], 1 << 3         ; modules
    jnz .mods_ok
    FAIL 10
.mods_ok:
    CHECK dword [ebx + 20], 2, 11
    mov edx, [ebx + 24]              ; mods_addr
    mov eax, [edx]                   ; mod 0 start
    test eax, 0xFFF
    jz .align_ok
    FAIL 12
.align_ok:
    cmp eax, kernel_end
    jae .above_ok
    FAIL 22
.above_ok:
    mov ecx, [edx + 4]
    sub ecx, eax
    CHECK ecx, 10, 13
    mov esi, eax
    mov edi, want_mod1
    call memeq
    je .mod1_ok
    FAIL 14
.mod1_ok:
    mov ebx, [info]
    mov edx, [ebx + 24]
    mov esi, [edx + 8]
    mov edi, want_mod1_args
    call ends_with
    je .mod1_args_ok
    FAIL 15
.mod1_args_ok:
    mov ebx, [info]
    mov edx, [ebx + 24]
    mov eax, [edx + 16]              ; mod 1 start
    cmp eax, [edx + 4]
    jae .order_ok
    FAIL 17
.order_ok:
    mov esi, eax
    mov edi, want_mod2
    mov ecx, 10
    call memeq
    je .mod2_ok
    FAIL 16
.mod2_ok:
    mov ebx, [info]
    test dword [ebx], 1 << 6         ; memory map
    jnz .mmap_ok
    FAIL 18
.mmap_ok:
    mov esi, [ebx + 48]              ; mmap_addr
    mov edi, esi
    add edi, [ebx + 44]              ; + mmap_length
    xor edx, edx                     ; RAM bytes seen
    xor ecx, ecx                     ; saw the RAM range at 1 MiB
.walk:
    cmp esi, edi
    jae .walked
    cmp dword [esi + 20], 1          ; type: available RAM
    jne .next
    add edx, [esi + 12]              ; length (low half)
    cmp dword [esi + 4], 0x100000
    jne .next
    mov ecx, 1
.next:
    add esi, [esi]                   ; size field counts the bytes after itself
    add esi, 4
    jmp .walk
.walked:
    CHECK edx, 639 * 1024 + (RAM_KIB - 1024) * 1024, 19
    CHECK ecx, 1, 20
    mov ebx, [info]
    test dword [ebx], 1 << 9         ; boot loader name
    jnz .name_ok
    FAIL 21
.name_ok:
    mov esi, [ebx + 64]
    cmp byte [esi], 0
    jne .name_text_ok
    FAIL 21
.name_text_ok:
    CHECK dword [bss_word], 0, 23
    PASS

KCHECK_ROUTINES

section .data
want_cmdline: db " hello multiboot", 0
want_mod1: db "MODULE-ONE"
want_mod2: db "MODULE-TWO"
want_mod1_args: db " arg1", 0

section .bss
info: resd 1
bss_word: resd 1
resb 8192                            ; a bss that spans pages the loader must clear
kernel_end:
