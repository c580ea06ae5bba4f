; jit_fetch_pf.asm — instruction fetches that miss the TLB (a JIT may walk the page tables
; for a block's first fetch itself rather than step the interpreter): a CALL into a
; not-present page completes (return address pushed) and the fetch at its target raises
; #PF with EIP = CR2 = the target and error code 0; once the page is mapped (PTE written,
; INVLPG) the same call runs the code there; a new mapping of the same linear page to
; other code, after INVLPG, runs the new code. Four rounds: fresh translations, then
; reused and chained ones.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define CODE_EIP  0x8000         ; the page called into: CS (base F0000h) offset 8000h,
%define CODE_LIN  0xF8000        ; linear F8000h (unused ROM space, remapped here)
%define PAGE_A    0x302000       ; physical pages holding two versions of the code
%define PAGE_B    0x303000
%define PTE       (PT0_BASE + (CODE_LIN >> 12) * 4)

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    PAGING_IDENTITY
    mov dword [PAGE_A], 0x000011B8       ; mov eax, 0x11; ret
    mov byte [PAGE_A + 4], 0
    mov byte [PAGE_A + 5], 0xC3
    mov dword [PAGE_B], 0x000022B8       ; mov eax, 0x22; ret
    mov byte [PAGE_B + 4], 0
    mov byte [PAGE_B + 5], 0xC3
    mov ebp, 4
.round:
    mov dword [PTE], 0                   ; not present
    invlpg [CODE_LIN]
    EXPECT_EXC 14, .after
    mov [SCRATCH], esp
.insn:
    call CODE_EIP
    FAIL 10
.after:
    CHECK_MEM32 EXC_EIP, CODE_EIP, 11
    CHECK_MEM32 EXC_ERR, 0, 12
    mov eax, cr2
    cmp eax, CODE_LIN
    je .cr2
    FAIL 13
.cr2:
    mov eax, [EXC_FRAME]                 ; the CALL's return address lies above the frame
    mov eax, [eax + 12]
    cmp eax, OFF(.insn) + 5
    je .pushed
    FAIL 14
.pushed:
    mov dword [PTE], PAGE_A | 3
    invlpg [CODE_LIN]
    mov eax, 0
    call CODE_EIP
    cmp eax, 0x11
    je .a
    FAIL 15
.a:
    mov dword [PTE], PAGE_B | 3
    invlpg [CODE_LIN]
    call CODE_EIP
    cmp eax, 0x22
    je .b
    FAIL 16
.b:
    dec ebp
    jnz .round
    PASS

ROM_END
