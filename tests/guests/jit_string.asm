; jit_string.asm — MOVS/STOS/LODS/SCAS without REP (which a JIT may translate inline):
; values, the pointer updates for DF = 0 and DF = 1 at every element size, a source
; segment override, SCAS's flags (read by a branch, SETcc and a following INC in the same
; block, and by PUSHFD), precise faults in the middle of the instruction (the load or the
; store faults: registers, memory and flags from before it) and the 16-bit address size
; (SI/DI wrap at 64 KiB, the upper halves of ESI/EDI kept). Each case runs four rounds:
; fresh translations, then reused and chained ones.
;   1  DF = 0: LODS, STOS, MOVS of dwords, words and bytes
;   2  DF = 1: the same backwards, FS override on LODS and MOVS
;   3  SCAS flags against CMP on the same values
;   4  faults: #PF on MOVS's load and on its store, STOS to a read-only page, SCAS on a
;      not-present page, #GP on FS-relative LODS past the limit
;   5  16-bit address size: SI/DI wrap in both directions
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define NP_PAGE   0x300000       ; not present
%define RO_PAGE   0x301000       ; present, read-only
%define SEL_SMALL SEL_FREE       ; data segment base 0x20000, limit 0xFFF
%define SMALL     0x20000
%define SRC       0x40000
%define DST       0x41000

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    PAGING_IDENTITY
    mov dword [RO_PAGE + 0x20], 0x01020304 ; before the page becomes read-only
    mov dword [RO_PAGE + 0x30], 0x0A0B0C0D
    mov dword [PT0_BASE + (NP_PAGE >> 12) * 4], 0
    mov dword [PT0_BASE + (RO_PAGE >> 12) * 4], RO_PAGE | 1
    mov eax, cr3
    mov cr3, eax
    mov eax, cr0
    or eax, 0x10000                        ; CR0.WP: supervisor writes obey R/W
    mov cr0, eax
    SETDESC SEL_SMALL, SMALL, 0xFFF, ACC_DATA, FLG_32
    mov ecx, 64                            ; SRC: bytes 0x80, 0x81, ...; SMALL: 0x40, 0x41, ...
    mov al, 0x80
    mov edi, SRC
    mov ebx, SMALL
.fill:
    mov [edi], al
    mov [ebx], al
    sub byte [ebx], 0x40
    inc al
    inc edi
    inc ebx
    dec ecx
    jnz .fill

    mov ebp, 4                             ; rounds
.round:
    call case1
    call case2
    call case3
    call case4
    call case5
    dec ebp
    jnz .round
    PASS

clear_dst:
    mov dword [DST], 0
    mov dword [DST + 4], 0
    mov dword [DST + 8], 0
    mov dword [DST + 12], 0
    ret

case1:
    call clear_dst
    cld
    mov esi, SRC
    mov edi, DST
    mov eax, 0xAABBCCDD
    lodsd
    CHECK_EQ eax, 0x83828180, 10
    stosd
    mov eax, 0xAABBCCDD
    lodsw                                  ; the upper half of EAX stays
    CHECK_EQ eax, 0xAABB8584, 11
    stosw
    lodsb
    CHECK_EQ eax, 0xAABB8586, 12
    stosb
    movsd
    movsw
    movsb
    CHECK_EQ esi, SRC + 14, 13
    CHECK_EQ edi, DST + 14, 14
    CHECK_MEM32 DST, 0x83828180, 15
    CHECK_MEM32 DST + 4, 0x87868584, 16
    CHECK_MEM32 DST + 8, 0x8B8A8988, 17
    CHECK_MEM32 DST + 12, 0x8D8C, 18
    ret

case2:
    call clear_dst
    mov ax, SEL_SMALL
    mov fs, ax
    std
    mov esi, SRC + 12
    mov edi, DST + 12
    lodsd                                  ; [SRC+12], ESI -> SRC+8
    CHECK_EQ eax, 0x8F8E8D8C, 20
    stosd                                  ; [DST+12], EDI -> DST+8
    lodsw                                  ; [SRC+8]
    CHECK_EQ eax, 0x8F8E8988, 21
    stosw
    lodsb                                  ; [SRC+6]
    CHECK_EQ eax, 0x8F8E8986, 22
    stosb                                  ; [DST+6], EDI -> DST+5
    CHECK_EQ esi, SRC + 5, 23
    CHECK_EQ edi, DST + 5, 24
    mov esi, 0x10
    fs lodsd                               ; [SMALL+0x10]
    CHECK_EQ eax, 0x53525150, 25
    CHECK_EQ esi, 0x0C, 26
    mov edi, DST + 0
    fs movsb                               ; [SMALL+0x0C] -> [DST]
    CHECK_EQ esi, 0x0B, 27
    CHECK_EQ edi, DST - 1, 32
    cld
    CHECK_MEM32 DST, 0x0000004C, 29
    CHECK_MEM32 DST + 4, 0x00860000, 30
    CHECK_MEM32 DST + 8, 0x00008988, 28
    CHECK_MEM32 DST + 12, 0x8F8E8D8C, 31
    ret

; SCAS_CASE op, acc, mem, code: SCAS of size `op` (scasb/scasw/scasd) against CMP.
%macro SCAS_CASE 4
    mov ecx, 0
    mov dword [DST], %3
    mov edi, DST
    mov eax, %2
    %1
    pushfd                                 ; all of SCAS's flags
    pop dword [SCRATCH]
    setc bl
    setz bh
    jo %%of
    mov cl, 0
    jmp %%next
%%of:
    mov cl, 1
%%next:
    inc ecx                                ; INC after SCAS: CF from SCAS
    pushfd
    pop esi
    mov ecx, 0                             ; the reference
    mov eax, %2
    mov edx, %3
%ifidn %1, scasb
    cmp al, dl
%elifidn %1, scasw
    cmp ax, dx
%else
    cmp eax, edx
%endif
    pushfd
    pop dword [SCRATCH + 4]
    setc dl
    setz dh
    jo %%of2
    mov cl, 0
    jmp %%next2
%%of2:
    mov cl, 1
%%next2:
    inc ecx
    pushfd
    pop eax
    CHECK_EQ bx, dx, %4
    SAME_FLAGS esi, eax, %4 + 1
    mov esi, [SCRATCH]
    mov eax, [SCRATCH + 4]
    SAME_FLAGS esi, eax, %4 + 1
%endmacro

case3:
    cld
    SCAS_CASE scasd, 1, 0x80000000, 40
    SCAS_CASE scasd, 0x80000000, 1, 42
    SCAS_CASE scasd, 5, 5, 44
    SCAS_CASE scasw, 0x12340001, 0x56780002, 46
    SCAS_CASE scasw, 0x8000, 0x7FFF, 48
    SCAS_CASE scasb, 0x10, 0x20, 50
    SCAS_CASE scasb, 0xFFFFFF80, 0xFFFFFF01, 52
    CHECK_EQ edi, DST + 1, 54
    std
    SCAS_CASE scasb, 0x33, 0x33, 55
    cld
    CHECK_EQ edi, DST - 1, 57
    ret

case4:
    call clear_dst
    ; MOVS whose load faults
    EXPECT_EXC 14, .a_after
    mov esi, NP_PAGE + 0x10
    mov edi, DST
    mov ebx, 3
    sub ebx, 5                             ; CF = SF = 1
.a_insn:
    movsd
    FAIL 60
.a_after:
    CHECK_MEM32 EXC_EIP, OFF(.a_insn), 61
    CHECK_MEM32 EXC_ERR, 0, 62
    CHECK_EQ esi, NP_PAGE + 0x10, 63
    CHECK_EQ edi, DST, 64
    mov eax, [EXC_EFL]
    mov edx, 3
    sub edx, 5
    pushfd
    pop edx
    SAME_FLAGS eax, edx, 65
    ; MOVS whose store faults (the load is done first, nothing is written)
    EXPECT_EXC 14, .b_after
    mov esi, SRC
    mov edi, RO_PAGE + 0x20
.b_insn:
    movsd
    FAIL 66
.b_after:
    CHECK_MEM32 EXC_EIP, OFF(.b_insn), 67
    CHECK_MEM32 EXC_ERR, 3, 68
    CHECK_EQ esi, SRC, 69
    CHECK_EQ edi, RO_PAGE + 0x20, 70
    CHECK_MEM32 RO_PAGE + 0x20, 0x01020304, 71
    ; STOS to a read-only page
    EXPECT_EXC 14, .c_after
    mov edi, RO_PAGE + 0x31
    mov eax, 0x12345678
.c_insn:
    stosb
    FAIL 72
.c_after:
    CHECK_MEM32 EXC_EIP, OFF(.c_insn), 73
    CHECK_EQ edi, RO_PAGE + 0x31, 74
    CHECK_MEM32 RO_PAGE + 0x30, 0x0A0B0C0D, 75
    ; SCAS on a not-present page: EDI and the flags from before it
    EXPECT_EXC 14, .d_after
    mov edi, NP_PAGE + 0xFFE
    mov ebx, 0x7FFFFFFF
    add ebx, 1                             ; OF = SF = 1
.d_insn:
    scasd
    FAIL 76
.d_after:
    CHECK_MEM32 EXC_EIP, OFF(.d_insn), 77
    CHECK_EQ edi, NP_PAGE + 0xFFE, 78
    mov eax, [EXC_EFL]
    mov edx, 0x7FFFFFFF
    add edx, 1
    pushfd
    pop edx
    SAME_FLAGS eax, edx, 79
    ; FS-relative LODS past the limit
    mov ax, SEL_SMALL
    mov fs, ax
    EXPECT_EXC 13, .e_after
    mov esi, 0xFFE
    mov eax, 0x11111111
.e_insn:
    fs lodsd
    FAIL 80
.e_after:
    CHECK_MEM32 EXC_EIP, OFF(.e_insn), 81
    CHECK_MEM32 EXC_ERR, 0, 82
    CHECK_EQ esi, 0xFFE, 83
    ret

case5:
    mov byte [0xFFFF], 0x5A
    mov byte [0], 0xA5
    cld
    mov esi, 0x1234FFFF
    a16 lodsb                              ; [DS:FFFF], SI wraps to 0
    CHECK_EQ al, 0x5A, 90
    CHECK_EQ esi, 0x12340000, 91
    std
    a16 lodsb                              ; [DS:0000], SI wraps to FFFF
    CHECK_EQ al, 0xA5, 92
    CHECK_EQ esi, 0x1234FFFF, 93
    mov edi, 0xABCD0000
    mov al, 0x77
    a16 stosb                              ; [ES:0000], DI wraps to FFFF
    CHECK_EQ edi, 0xABCDFFFF, 94
    CHECK_EQ byte [0], 0x77, 95
    mov byte [1], 0x66
    mov esi, 0x00010000                    ; SI = 0
    mov edi, 0xFFFE4000
    a16 movsw                              ; [0000] -> [4000], SI wraps to FFFE
    CHECK_EQ esi, 0x0001FFFE, 96
    CHECK_EQ edi, 0xFFFE3FFE, 97
    cmp word [0x4000], 0x6677
    jne .bad
    cld
    mov edi, 0x5555FFFF
    mov al, 0x5A
    a16 scasb                              ; [FFFF] = 0x5A: ZF
    jne .bad
    CHECK_EQ edi, 0x55550000, 98
    ret
.bad:
    FAIL 99

ROM_END
