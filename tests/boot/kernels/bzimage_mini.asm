; bzimage_mini.asm — a tiny "bzImage": a real setup header (Linux boot protocol 2.15) and a
; protected-mode part that checks what the 32-bit boot protocol promises it
; (Documentation/x86/boot.rst: "32-bit boot protocol", zero-page.rst).
; Run (tests/boot/kernel_boot.cmake): -m 16 -kernel bzimage_mini.bin
;   -append "console=ttyS0 mini" -initrd initrd.bin, where initrd.bin is 5000 bytes that
;   start with "INITRD-START" and end with "INITRD-END".
%include "kcheck.inc"

SETUP_SECTS equ 1
INITRD_ADDR_MAX equ 0x00BFFFFF       ; the initrd must end at or below 12 MiB
INIT_SIZE equ 0x00300000             ; the "decompressed" kernel needs 1 MiB..4 MiB
INITRD_SIZE equ 5000
RAM equ 16 << 20                     ; -m 16

section setup start=0 vstart=0
    times 0x1F1 db 0
    db SETUP_SECTS                   ; 0x1F1 setup_sects
    dw 0                             ; 0x1F2 root_flags
    dd (pm_end - pm_start) / 16      ; 0x1F4 syssize
    dw 0                             ; 0x1F8 ram_size
    dw 0xFFFF                        ; 0x1FA vid_mode
    dw 0                             ; 0x1FC root_dev
    dw 0xAA55                        ; 0x1FE boot_flag
    db 0xEB, hdr_end - 0x202         ; 0x200 jump
    db "HdrS"                        ; 0x202 header
    dw 0x020F                        ; 0x206 version
    dd 0                             ; 0x208 realmode_swtch
    dw 0                             ; 0x20C start_sys_seg
    dw 0                             ; 0x20E kernel_version
    db 0                             ; 0x210 type_of_loader
    db 0x01                          ; 0x211 loadflags: LOADED_HIGH
    dw 0                             ; 0x212 setup_move_size
    dd 0x100000                      ; 0x214 code32_start
    dd 0                             ; 0x218 ramdisk_image
    dd 0                             ; 0x21C ramdisk_size
    dd 0                             ; 0x220 bootsect_kludge
    dw 0                             ; 0x224 heap_end_ptr
    db 0, 0                          ; 0x226 ext_loader_ver, ext_loader_type
    dd 0                             ; 0x228 cmd_line_ptr
    dd INITRD_ADDR_MAX               ; 0x22C initrd_addr_max
    dd 0x100000                      ; 0x230 kernel_alignment
    db 0, 0                          ; 0x234 relocatable_kernel, min_alignment
    dw 0                             ; 0x236 xloadflags
    dd 255                           ; 0x238 cmdline_size
    dd 0                             ; 0x23C hardware_subarch
    dq 0                             ; 0x240 hardware_subarch_data
    dd 0, 0                          ; 0x248 payload_offset, payload_length
    dq 0                             ; 0x250 setup_data
    dq 0x100000                      ; 0x258 pref_address
    dd INIT_SIZE                     ; 0x260 init_size
    dd 0                             ; 0x264 handover_offset
    dd 0                             ; 0x268 kernel_info_offset
hdr_end:
    times (SETUP_SECTS + 1) * 512 - ($ - $$) db 0

section pm follows=setup vstart=0x100000
pm_start:
    ; The selectors and registers the protocol names.
    mov eax, cs
    CHECK eax, 0x10, 1
    mov eax, ds
    CHECK eax, 0x18, 2
    mov eax, es
    CHECK eax, 0x18, 2
    mov eax, ss
    CHECK eax, 0x18, 2
    CHECK ebp, 0, 3
    CHECK edi, 0, 3
    CHECK ebx, 0, 3
    pushfd
    pop eax
    test eax, 0x200                  ; interrupts off
    jz .if_ok
    FAIL 4
.if_ok:
    mov eax, cr0
    and eax, 0x80000001
    CHECK eax, 1, 5                  ; protected mode, paging off
    mov [zero_page], esi
    ; The zero page holds our setup header.
    CHECK dword [esi + 0x202], 'HdrS', 6
    CHECK word [esi + 0x1FE], 0xAA55, 6
    CHECK word [esi + 0x206], 0x020F, 6
    CHECK byte [esi + 0x210], 0xFF, 7          ; type_of_loader: no assigned id
    CHECK dword [esi + 0x214], 0x100000, 8     ; code32_start: where we run
    ; The command line.
    mov esi, [esi + 0x228]
    mov edi, want_cmdline
    call strcmp
    je .cmd_ok
    FAIL 9
.cmd_ok:
    ; The initrd: its size, page-aligned place above the kernel and below the limit, bytes.
    mov esi, [zero_page]
    CHECK dword [esi + 0x21C], INITRD_SIZE, 10
    mov eax, [esi + 0x218]
    test eax, 0xFFF
    jz .rd_aligned
    FAIL 11
.rd_aligned:
    cmp eax, 0x100000 + INIT_SIZE
    jae .rd_above
    FAIL 12
.rd_above:
    add eax, INITRD_SIZE
    cmp eax, INITRD_ADDR_MAX + 1
    jbe .rd_below
    FAIL 13
.rd_below:
    mov esi, [esi + 0x218]
    mov edi, want_rd_start
    mov ecx, 12
    call memeq
    je .rd_start_ok
    FAIL 14
.rd_start_ok:
    mov esi, [zero_page]
    mov esi, [esi + 0x218]
    add esi, INITRD_SIZE - 10
    mov edi, want_rd_end
    mov ecx, 10
    call memeq
    je .rd_end_ok
    FAIL 15
.rd_end_ok:
    ; The e820 map: RAM at 0 and from 1 MiB to the end of RAM, nothing usable in 640K-1M.
    mov esi, [zero_page]
    movzx ecx, byte [esi + 0x1E8]
    cmp ecx, 3
    jae .n_ok
    FAIL 16
.n_ok:
    lea esi, [esi + 0x2D0]
    xor edx, edx                     ; bit 0: RAM at 0 seen, bit 1: RAM at 1 MiB seen
.e820:
    cmp dword [esi + 16], 1
    jne .e820_next
    mov eax, [esi]                   ; base (low half; the high halves must be 0 here)
    CHECK dword [esi + 4], 0, 17
    CHECK dword [esi + 12], 0, 17
    cmp eax, 0
    jne .not_low
    cmp dword [esi + 8], 0x9F000
    jae .low_ok
    FAIL 18
.low_ok:
    or edx, 1
.not_low:
    cmp eax, 0x100000
    jne .not_high
    CHECK dword [esi + 8], RAM - 0x100000, 19
    or edx, 2
.not_high:
    ; no usable RAM may overlap 0xA0000-0xFFFFF
    mov ebx, eax
    add ebx, [esi + 8]
    cmp ebx, 0xA0000
    jbe .e820_next
    cmp eax, 0x100000
    jae .e820_next
    FAIL 20
.e820_next:
    add esi, 20
    dec ecx
    jnz .e820
    CHECK edx, 3, 21
    PASS

KCHECK_ROUTINES

want_cmdline: db "console=ttyS0 mini", 0
want_rd_start: db "INITRD-START"
want_rd_end: db "INITRD-END"
zero_page: dd 0
    align 16
pm_end:
