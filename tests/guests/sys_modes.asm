; sys_modes.asm — real mode → protected mode → real mode, and the segment-limit rules of
; each: a real-mode word access at offset FFFF raises #GP through the IVT (pushed IP is the
; faulting instruction); protected-mode data limits (expand-up and expand-down, 16- and
; 32-bit) raise #GP(0) / #SS(0); the descriptor caches survive the return to real mode
; ("unreal" 4 GiB DS) and a real-mode load resets only base and selector.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define RM_FLAG 0x600

rom_entry:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    ; --- 1. real mode: a word at DS:FFFF crosses the 64 KiB limit: #GP (vector 13) ---
    mov word [13 * 4], rm_gp
    mov word [13 * 4 + 2], 0xF000
    mov word [RM_FLAG], 0
    mov bx, 0xFFFF
fault_insn:
    mov ax, [bx]
    FAIL 1                         ; not reached
rm_gp_back:
    CHECK_EQ word [RM_FLAG], fault_insn, 2   ; pushed IP = the faulting MOV
    CHECK_EQ word [RM_FLAG + 2], 0xF000, 3    ; pushed CS
    ; a byte at FFFF is fine
    mov al, [bx]
    ; --- A20 (port 92 bit 1): FFFF:0010 is linear 100000 with A20 on, 000000 without ---
    mov ax, 0xFFFF
    mov fs, ax
    mov dword [0], 0x11111111
    in al, 0x92
    or al, 2
    out 0x92, al
    mov dword [fs:0x10], 0x22222222
    cmp dword [0], 0x11111111
    je .a20a
    FAIL 19
.a20a:
    in al, 0x92
    and al, ~2
    out 0x92, al
    cmp dword [fs:0x10], 0x11111111     ; wraps to 0
    je .a20b
    FAIL 20
.a20b:
    in al, 0x92
    or al, 2
    out 0x92, al
    cmp dword [fs:0x10], 0x22222222
    je .a20c
    FAIL 21
.a20c:

    PM_ENTER pm_main

rm_gp:
    ; real-mode #GP: record the pushed IP and CS, skip the faulting instruction
    push bp
    mov bp, sp
    mov ax, [bp + 2]
    mov [RM_FLAG], ax
    mov ax, [bp + 4]
    mov [RM_FLAG + 2], ax
    pop bp
    add sp, 6                      ; drop IP, CS, FLAGS
    jmp rm_gp_back

[bits 32]
pm_main:
    ; --- 2. 32-bit expand-up limit: byte at the limit is fine, a dword across it is #GP(0) ---
    SETDESC SEL_FREE, 0x20000, 0x0FFF, ACC_DATA, FLG_32
    mov ax, SEL_FREE
    mov es, ax
    mov byte [es:0xFFF], 1
    EXPECT_EXC 13, .t2
    mov dword [es:0xFFD], 2
    FAIL 4
.t2:
    CHECK_MEM32 EXC_ERR, 0, 5
    ; --- 3. expand-down 32-bit (B=1) segment: offsets above the limit are valid ---
    SETDESC SEL_FREE + 8, 0, 0x0FFF, ACC_DATA | 4, FLG_32
    mov ax, SEL_FREE + 8
    mov es, ax
    mov dword [es:0x30000], 0x12345678
    cmp dword [0x30000], 0x12345678
    je .t3a
    FAIL 6
.t3a:
    EXPECT_EXC 13, .t3
    mov byte [es:0xFFF], 0         ; at the limit: outside an expand-down segment
    FAIL 7
.t3:
    ; --- 4. expand-down 16-bit (B=0): upper bound FFFF ---
    SETDESC SEL_FREE + 16, 0x20000, 0x0FFF, ACC_DATA | 4, FLG_16
    mov ax, SEL_FREE + 16
    mov es, ax
    mov word [es:0xFFFE], 0x55AA
    EXPECT_EXC 13, .t4
    mov word [es:0xFFFF], 0        ; crosses the 64 KiB upper bound
    FAIL 8
.t4:
    ; --- 5. the stack segment: an SS-relative access past the limit is #SS(0) ---
    EXPECT_EXC 12, .t5
    mov ax, SEL_FREE
    mov ss, ax
    mov esp, 0x800
    mov eax, [ss:0x1000]
    FAIL 9
.t5:
    CHECK_MEM32 EXC_ERR, 0, 10
    ; --- 6. writes to a read-only data segment and reads of execute-only code: #GP(0) ---
    SETDESC SEL_FREE + 24, 0x20000, 0xFFFF, 0x90, FLG_32       ; read-only data
    SETDESC SEL_FREE + 32, 0xF0000, 0xFFFF, 0x98, FLG_32       ; execute-only code
    mov ax, SEL_FREE + 24
    mov es, ax
    mov al, [es:0]
    EXPECT_EXC 13, .t6
    mov byte [es:0], 0
    FAIL 11
.t6:
    EXPECT_EXC 13, .t6b
    mov ax, SEL_FREE + 32
    mov es, ax                     ; execute-only code cannot be loaded into a data register
    FAIL 12
.t6b:
    CHECK_MEM32 EXC_ERR, SEL_FREE + 32, 13
    ; a null selector loads, but using it faults with #GP(0)
    xor eax, eax
    mov es, ax
    EXPECT_EXC 13, .t6c
    mov eax, [es:0]
    FAIL 14
.t6c:
    CHECK_MEM32 EXC_ERR, 0, 15
    ; --- 7. back to real mode with DS holding a 4 GiB segment ---
    mov dword [0x123456], 0xCAFEBABE
    mov ax, SEL_DATA16
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov ax, SEL_DATA32             ; DS keeps a 4 GiB limit
    mov ds, ax
    jmp SEL_CODE16:.pm16
[bits 16]
.pm16:
    o32 lidt [cs:rm_idt_ptr]       ; real mode uses the IVT through IDTR too
    mov eax, cr0
    and al, 0xFE
    mov cr0, eax
    jmp 0xF000:.real
.real:
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    mov ax, 0
    mov ds, ax                     ; base 0, limit unchanged (4 GiB): "unreal" mode
    mov esi, 0x123456
    cmp dword [esi], 0xCAFEBABE
    je .t7
    FAIL 16
.t7:
    ; ES was loaded with a 64 KiB segment: beyond it is #GP in real mode too
    mov word [13 * 4], rm_gp2
    mov word [13 * 4 + 2], 0xF000
    mov ax, 0
    mov es, ax
    mov esi, 0x10000
fault2:
    mov al, [es:esi]
    FAIL 17
rm_idt_ptr:
    dw 0x3FF
    dd 0
rm_gp2:
    pop ax
    cmp ax, fault2
    je .t8
    FAIL 18
.t8:
    PASS

ROM_END
