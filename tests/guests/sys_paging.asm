; sys_paging.asm — two-level paging: accessed/dirty bits, #PF error codes and CR2 for
; not-present, protection, user and write faults with and without CR0.WP, a page-crossing
; write that faults on its second page (nothing written), 4 MiB pages (PSE) with A/D in the
; PDE, INVLPG, and global pages (PGE) surviving CR3 writes until CR4.PGE is toggled.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define PT1      0x12000          ; page table for linear 0x400000-0x7FFFFF
%define TLIN      0x400000
%define PHYS_A   0x30000
%define PHYS_B   0x31000
%define PHYS_C   0x32000
%define PHYS_D   0x33000
%define PTE(i)   (PT1 + (i) * 4)

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    PAGING_IDENTITY
    mov edi, PT1                   ; clear PT1
    xor eax, eax
    mov ecx, 1024
.clr:
    mov [edi], eax
    add edi, 4
    loop .clr
    mov dword [PD_BASE + 4], PT1 | 7          ; PDE 1: A clear
    mov dword [PTE(0)], PHYS_A | 3            ; supervisor, writable, A = D = 0
    mov dword [PHYS_A], 0x11111111
    mov dword [PHYS_B], 0x22222222

    ; --- 1. a read sets A in the PDE and the PTE, not D ---
    mov eax, [TLIN]
    cmp eax, 0x11111111
    je .r1
    FAIL 1
.r1:
    test dword [PD_BASE + 4], 0x20
    jnz .r2
    FAIL 2
.r2:
    mov eax, [PTE(0)]
    and eax, 0x60
    cmp eax, 0x20
    je .r3
    FAIL 3
.r3:
    ; --- 2. a write sets D ---
    mov dword [TLIN + 8], 5
    mov eax, [PTE(0)]
    and eax, 0x60
    cmp eax, 0x60
    je .r4
    FAIL 4
.r4:
    ; --- 3. not present: read (err 0) and write (err 2), CR2 = the address ---
    EXPECT_EXC 14, .pf1
.pf1_insn:
    mov eax, [TLIN + 0x1234]
    FAIL 5
.pf1:
    CHECK_MEM32 EXC_ERR, 0, 6
    CHECK_MEM32 EXC_EIP, OFF(.pf1_insn), 7
    mov eax, cr2
    cmp eax, TLIN + 0x1234
    je .pf2
    FAIL 8
.pf2:
    EXPECT_EXC 14, .pf3
    mov byte [TLIN + 0x1FFF], 1
    FAIL 9
.pf3:
    CHECK_MEM32 EXC_ERR, 2, 10
    mov eax, cr2
    cmp eax, TLIN + 0x1FFF
    je .pf4
    FAIL 11
.pf4:
    ; --- 4. a dword write across into a not-present page: #PF on the second page, CR2 =
    ;        its first byte, and the first page is left unwritten ---
    mov dword [TLIN + 0xFFC], 0xAAAAAAAA
    EXPECT_EXC 14, .pf5
    mov dword [TLIN + 0xFFE], 0x12345678
    FAIL 12
.pf5:
    mov eax, cr2
    cmp eax, TLIN + 0x1000
    je .pf6
    FAIL 13
.pf6:
    CHECK_MEM32 PHYS_A + 0xFFC, 0xAAAAAAAA, 14
    ; --- 5. read-only page: supervisor writes pass with WP = 0, fault with WP = 1 (err 3);
    ;        a faulting access leaves the PTE's A bit clear ---
    mov dword [PTE(2)], PHYS_C | 1            ; present, read-only, supervisor, A = 0
    mov dword [TLIN + 0x2000], 7
    CHECK_MEM32 PHYS_C, 7, 15
    mov dword [PTE(3)], PHYS_D | 1
    mov eax, cr0
    or eax, 0x10000                          ; WP
    mov cr0, eax
    EXPECT_EXC 14, .pf7
    mov dword [TLIN + 0x3000], 8
    FAIL 16
.pf7:
    CHECK_MEM32 EXC_ERR, 3, 17
    test dword [PTE(3)], 0x20
    jz .pf8
    FAIL 18
.pf8:
    ; --- 6. user accesses: a supervisor page (err 5 read, 7 write) and a read-only user
    ;        page (err 7 even though WP only concerns supervisor code) ---
    mov dword [PTE(4)], PHYS_A | 7            ; user, writable
    mov dword [PTE(5)], PHYS_B | 5            ; user, read-only
    mov dword [PTE(6)], PHYS_C | 3            ; supervisor
    mov eax, cr0
    and eax, ~0x10000                         ; WP off again
    mov cr0, eax
    mov dword [SCRATCH], 0
    SETGATE 0x40, SEL_CODE32, back_to_ring0, GATE_INT32 | ACC_DPL3
    EXPECT_EXC 14, .u1
    TO_RING3 user_code
.u1:
    CHECK_MEM32 EXC_ERR, 5, 19
    CHECK_MEM32 EXC_CS, SEL_CODE3, 20
    mov eax, cr2
    cmp eax, TLIN + 0x6000
    je .u2
    FAIL 21
.u2:
    EXPECT_EXC 14, .u3
    TO_RING3 user_code2
.u3:
    CHECK_MEM32 EXC_ERR, 7, 22
    EXPECT_EXC 14, .u4
    TO_RING3 user_code3
.u4:
    CHECK_MEM32 EXC_ERR, 7, 23
    mov eax, cr2
    cmp eax, TLIN + 0x5004
    je .u5
    FAIL 24
.u5:
    CHECK_MEM32 SCRATCH, 0x11111111, 25       ; the user read of PTE(4) worked
    ; --- 7. INVLPG: a changed PTE is not seen until the page is invalidated ---
    mov eax, [TLIN + 0x4000]                   ; TLB: TLIN+4000 -> PHYS_A
    mov dword [PTE(4)], PHYS_B | 7
    mov eax, [TLIN + 0x4000]
    cmp eax, 0x11111111                       ; the stale translation
    je .i1
    FAIL 26
.i1:
    invlpg [TLIN + 0x4000]
    mov eax, [TLIN + 0x4000]
    cmp eax, 0x22222222
    je .i2
    FAIL 27
.i2:
    ; --- 8. global pages survive a CR3 write; a CR4.PGE toggle flushes them ---
    mov eax, cr4
    or eax, 0x80                              ; PGE
    mov cr4, eax
    mov dword [PTE(7)], PHYS_A | 0x103        ; global
    mov dword [PTE(8)], PHYS_A | 0x003        ; not global
    mov eax, [TLIN + 0x7000]
    mov eax, [TLIN + 0x8000]
    mov dword [PTE(7)], PHYS_B | 0x103
    mov dword [PTE(8)], PHYS_B | 0x003
    mov eax, cr3
    mov cr3, eax
    cmp dword [TLIN + 0x7000], 0x11111111      ; still the old global translation
    je .g1
    FAIL 28
.g1:
    cmp dword [TLIN + 0x8000], 0x22222222      ; the non-global one was flushed
    je .g2
    FAIL 29
.g2:
    mov eax, cr4
    and eax, ~0x80
    mov cr4, eax
    cmp dword [TLIN + 0x7000], 0x22222222
    je .g3
    FAIL 30
.g3:
    ; --- 9. 4 MiB pages: PDE 2 maps linear 800000 to physical 400000; A and D in the PDE ---
    mov eax, cr4
    or eax, 0x10                              ; PSE
    mov cr4, eax
    mov dword [PD_BASE + 8], 0x400000 | 0x83  ; PS, writable, present
    mov dword [PD_BASE + 12], 0x400000 | 0x81 ; the same frame, read-only, at C00000
    mov dword [0x800000 + 0x1234], 0xBEEF
    mov eax, [PD_BASE + 8]
    and eax, 0x60
    cmp eax, 0x60
    je .l1
    FAIL 31
.l1:
    cmp dword [0xC00000 + 0x1234], 0xBEEF
    je .l2
    FAIL 32
.l2:
    mov eax, [PD_BASE + 12]
    and eax, 0x60
    cmp eax, 0x20                             ; read: A only
    je .l3
    FAIL 33
.l3:
    ; a 4 MiB page with a reserved bit (21) set: #PF with RSVD, and P (SDM 4.7: RSVD
    ; can be set only together with P), err 9
    mov dword [PD_BASE + 16], 0x400000 | 0x200000 | 0x83
    EXPECT_EXC 14, .l4
    mov eax, [0x1000000]
    FAIL 34
.l4:
    CHECK_MEM32 EXC_ERR, 9, 35
    ; without PSE the PS bit is ignored: PDE 2 then points to a page table at 400000
    mov dword [0x800000], 0                   ; (physical 400000) its entry 0: not present
    mov eax, cr4
    and eax, ~0x10
    mov cr4, eax
    EXPECT_EXC 14, .l5
    mov eax, [0x800000]
    FAIL 36
.l5:
    CHECK_MEM32 EXC_ERR, 0, 37
    PASS

user_code:
    mov eax, [TLIN + 0x4000]
    mov [SCRATCH], eax
    mov eax, [TLIN + 0x6000]                   ; supervisor page: #PF(5)
    FAIL 38
user_code2:
    mov dword [TLIN + 0x6000], 1               ; #PF(7)
    FAIL 39
user_code3:
    mov eax, [TLIN + 0x5000]                   ; a user read-only page reads fine
    mov dword [TLIN + 0x5004], 1               ; #PF(7)
    FAIL 40
back_to_ring0:
    FAIL 41

[bits 16]
ROM_END
