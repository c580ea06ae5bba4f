; sys_rep_pages.asm — REP string instructions whose runs cross pages under paging: the
; cases the interpreter runs a page at a time in host memory and must get exactly as one
; iteration at a time would. REP MOVSB with dst = src + 1 over three pages replicates the
; first byte; REP MOVSD backwards with dst = src - 4 replicates the top dword downwards;
; REP STOSD backwards fills a page whose PTE has A = D = 0 (both get set); a REP MOVSD that
; reaches a not-present page faults at exactly that iteration (ECX, ESI, EDI, CR2, the
; error code, EIP at the REP, every element before it written) and, re-executed once the
; page is mapped, finishes the rest; REPE CMPSD stops on the next page at the first
; difference with the flags of that comparison.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define PT1     0x12000          ; page table for linear 0x400000-0x7FFFFF
%define TLIN    0x400000
%define PHYS_A  0x30000
%define PHYS_B  0x31000
%define PTE(i)  (PT1 + (i) * 4)
%define BUF     0x20000          ; identity-mapped scratch, 0x20000-0x24FFF

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    PAGING_IDENTITY
    cld
    mov edi, PT1                 ; PT1 clear: nothing mapped
    xor eax, eax
    mov ecx, 1024
    rep stosd
    mov edi, PHYS_A              ; both target pages zero
    mov ecx, 2048
    rep stosd
    mov dword [PD_BASE + 4], PT1 | 7
    mov dword [PTE(0)], PHYS_A | 3   ; A = D = 0; PTE 1 not present

    ; --- 1. REP MOVSB with dst = src + 1 over three pages ---
    mov edi, BUF
    mov ecx, 0x3000
    mov al, 0x11
    rep stosb
    mov byte [BUF], 0x5A
    mov esi, BUF
    mov edi, BUF + 1
    mov ecx, 0x2FFF
    rep movsb
    CHECK_EQ ecx, 0, 1
    CHECK_EQ esi, BUF + 0x2FFF, 2
    CHECK_EQ edi, BUF + 0x3000, 3
    mov edi, BUF                 ; every byte is now 0x5A
    mov ecx, 0x3000
    mov al, 0x5A
    repe scasb
    jz .t1
    FAIL 4
.t1:
    CHECK_EQ ecx, 0, 5

    ; --- 2. REP MOVSD backwards with dst = src - 4 across a page boundary ---
    mov edi, BUF + 0x3000
    mov ecx, 0x401
    mov eax, 0x01010101
    rep stosd
    mov dword [BUF + 0x4000], 0xCAFEBABE
    std
    mov esi, BUF + 0x4000
    mov edi, BUF + 0x3FFC
    mov ecx, 0x3FF
    rep movsd
    cld
    CHECK_EQ ecx, 0, 6
    CHECK_EQ esi, BUF + 0x3004, 7
    CHECK_EQ edi, BUF + 0x3000, 8
    CHECK_MEM32 BUF + 0x3000, 0x01010101, 9
    mov edi, BUF + 0x3004
    mov ecx, 0x3FF
    mov eax, 0xCAFEBABE
    repe scasd
    jz .t2
    FAIL 10
.t2:
    ; --- 3. REP STOSD backwards over a whole page with A = D = 0 in its PTE ---
    std
    mov edi, TLIN + 0xFFC
    mov ecx, 0x400
    mov eax, 0x77777777
    rep stosd
    cld
    CHECK_EQ edi, TLIN - 4, 11
    CHECK_MEM32 PHYS_A, 0x77777777, 12
    CHECK_MEM32 PHYS_A + 0xFFC, 0x77777777, 13
    mov eax, [PTE(0)]
    and eax, 0x60
    CHECK_EQ eax, 0x60, 14

    ; --- 4. REP MOVSD into a not-present second page, then re-executed ---
    mov dword [SCRATCH], 0
    mov esi, BUF                 ; 0x5A bytes
    mov edi, TLIN + 0xF00
    mov ecx, 0x100
    EXPECT_EXC 14, .pf
.rep_insn:
    rep movsd
    cmp dword [SCRATCH], 1
    je .t4
    FAIL 15
.pf:
    CHECK_EQ ecx, 0xC0, 16       ; 0x40 dwords done on the first page
    CHECK_EQ esi, BUF + 0x100, 17
    CHECK_EQ edi, TLIN + 0x1000, 18
    mov eax, cr2
    CHECK_EQ eax, TLIN + 0x1000, 19
    CHECK_MEM32 EXC_ERR, 2, 20
    CHECK_MEM32 EXC_EIP, OFF(.rep_insn), 21
    CHECK_MEM32 PHYS_A + 0xEFC, 0x77777777, 22
    CHECK_MEM32 PHYS_A + 0xF00, 0x5A5A5A5A, 23
    CHECK_MEM32 PHYS_A + 0xFFC, 0x5A5A5A5A, 24
    mov dword [SCRATCH], 1
    mov dword [PTE(1)], PHYS_B | 3
    invlpg [TLIN + 0x1000]
    cld
    jmp .rep_insn
.t4:
    CHECK_EQ ecx, 0, 25
    CHECK_EQ edi, TLIN + 0x1300, 26
    CHECK_MEM32 PHYS_B + 0x2FC, 0x5A5A5A5A, 27
    CHECK_MEM32 PHYS_B + 0x300, 0, 28

    ; --- 5. REPE CMPSD stopping on the next page at the first difference ---
    mov byte [BUF + 0x2004], 0x5B
    mov esi, BUF + 0x100
    mov edi, BUF + 0x1100
    mov ecx, 0x700
    repe cmpsd
    jnz .t5
    FAIL 29
.t5:
    jb .t6                       ; 5A5A5A5A - 5A5A5A5B borrows
    FAIL 30
.t6:
    CHECK_EQ ecx, 0x700 - 0x3C2, 31
    CHECK_EQ esi, BUF + 0x1008, 32
    CHECK_EQ edi, BUF + 0x2008, 33
    PASS

[bits 16]
ROM_END
