; jit_page_hold.asm — runs of accesses off one base register (EBP) with paging on. A JIT may
; look the page up once for such a run and reuse the translation for the run's other
; accesses; whatever it does, each access must read and write what a lookup of its own would
; at that point. Each case runs four rounds: fresh translations, then reused and chained.
;   1  the run's bytes straddle a page boundary on one call and not on the next (the same
;      translated code with EBP one page-offset apart)
;   2  the page under the run is remapped (PTE write + INVLPG) between two calls
;   3  in the middle of the run, a store through a second mapping of the page table rewrites
;      the run's PTE; that store misses the TLB and its refill takes the run page's entry
;      (the TLB is direct-mapped: 1024 entries indexed by linear bits 12-21, so the second
;      mapping is 4 MiB above the run's page, through a second page table). The run's later
;      loads then see the new mapping, as the interpreter's lookup does. (On hardware a
;      stale translation may survive a PTE write without INVLPG; this pins vmm86's model,
;      which every engine must follow.)
;   4  a store of the run hits a read-only page (CR0.WP): #PF at that store, with the run's
;      loads before it done and its registers intact
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define CROSS_PAGE 0x200000      ; case 1: EBP = CROSS_PAGE + 4 straddles, + 0x800 does not;
%define CROSS_PHYS 0x382000      ; the page is not next to the one below it in RAM
%define VIRT       0x330000      ; cases 2-3: the remapped page (TLB index 0x330)
%define ALIAS      0x730000      ; case 3: the page table seen at another address (index 0x330)
%define PT1_BASE   0x12000       ; the page table of 4-8 MiB, which maps only ALIAS
%define PHYS1      0x380000
%define PHYS2      0x381000
%define RO_PAGE    0x340000      ; case 4
%define PTE(lin)   (PT0_BASE + ((lin) >> 12) * 4)

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    PAGING_IDENTITY
    mov dword [RO_PAGE + 0xF8], 0x1234    ; before the page becomes read-only
    mov dword [RO_PAGE + 0xFC], 0x8765
    mov dword [PTE(RO_PAGE)], RO_PAGE | 1
    mov edi, PT1_BASE
    xor eax, eax
    mov ecx, 1024
    rep stosd
    mov dword [PT1_BASE + ((ALIAS >> 12) & 1023) * 4], PT0_BASE | 3
    mov dword [PD_BASE + (ALIAS >> 22) * 4], PT1_BASE | 7
    mov dword [PTE(CROSS_PAGE)], CROSS_PHYS | 3
    mov dword [PHYS1 + 0xF4], 0x101       ; the run of case 3 reads EBP-0xC and EBP-0x10
    mov dword [PHYS1 + 0xF0], 0x202
    mov dword [PHYS2 + 0xF4], 0x303
    mov dword [PHYS2 + 0xF0], 0x404
    mov dword [PHYS1 + 0xFC], 0x10        ; and EBP-4, EBP-8
    mov dword [PHYS1 + 0xF8], 0x20
    mov dword [PHYS2 + 0xFC], 0x30
    mov dword [PHYS2 + 0xF8], 0x40
    mov eax, cr3
    mov cr3, eax
    mov eax, cr0
    or eax, 0x10000                        ; CR0.WP
    mov cr0, eax

    mov esi, 4                             ; rounds
.round:
    call case_cross
    call case_remap
    call case_evict
    call case_readonly
    dec esi
    jnz .round
    PASS

; FRAME_SUM: eax = [ebp-8] + [ebp-4] + 2*[ebp] + [ebp+4]; [ebp-4] = eax; edx = [ebp+4].
frame_sum:
    mov eax, [ebp - 8]
    add eax, [ebp - 4]
    mov ecx, [ebp]
    shl ecx, 1
    add eax, ecx
    add eax, [ebp + 4]
    mov [ebp - 4], eax
    mov edx, [ebp + 4]
    ret

; FILL base: the four dwords frame_sum reads around `base` (in EBX).
%macro FILL 0
    mov dword [ebx - 8], 0x11
    mov dword [ebx - 4], 0x220
    mov dword [ebx], 0x3300
    mov dword [ebx + 4], 0x44000
%endmacro

case_cross:
    push ebp
    mov ebx, CROSS_PAGE + 4                ; EBP-8 is in the page below
    FILL
    mov ebp, ebx
    call frame_sum
    CHECK_EQ eax, 0x11 + 0x220 + 2 * 0x3300 + 0x44000, 10
    CHECK_EQ edx, 0x44000, 11
    CHECK_MEM32 CROSS_PAGE, 0x11 + 0x220 + 2 * 0x3300 + 0x44000, 12
    CHECK_MEM32 CROSS_PAGE - 4, 0x11, 13
    mov ebx, CROSS_PAGE + 0x800            ; all in one page
    FILL
    mov ebp, ebx
    call frame_sum
    CHECK_EQ eax, 0x11 + 0x220 + 2 * 0x3300 + 0x44000, 14
    CHECK_MEM32 CROSS_PAGE + 0x7FC, 0x11 + 0x220 + 2 * 0x3300 + 0x44000, 15
    pop ebp
    ret

; REMAP phys: VIRT -> phys, its old translation dropped.
%macro REMAP 1
    mov dword [PTE(VIRT)], (%1) | 3
    invlpg [VIRT]
%endmacro

; FOUR_LOADS: eax..edx = [ebp-4], [ebp-8], [ebp-0xC], [ebp-0x10].
four_loads:
    mov eax, [ebp - 4]
    mov ebx, [ebp - 8]
    mov ecx, [ebp - 0xC]
    mov edx, [ebp - 0x10]
    ret

case_remap:
    push ebp
    mov ebp, VIRT + 0x100
    REMAP PHYS1
    call four_loads
    CHECK_EQ eax, 0x10, 20
    CHECK_EQ ebx, 0x20, 21
    CHECK_EQ ecx, 0x101, 22
    CHECK_EQ edx, 0x202, 23
    REMAP PHYS2
    call four_loads
    CHECK_EQ eax, 0x30, 24
    CHECK_EQ ebx, 0x40, 25
    CHECK_EQ ecx, 0x303, 26
    CHECK_EQ edx, 0x404, 27
    pop ebp
    ret

; The run: two loads, the PTE store through ALIAS (a TLB miss whose refill evicts VIRT's
; entry), two more loads.
evict_run:
    mov eax, [ebp - 4]
    mov ebx, [ebp - 8]
    mov dword [ALIAS + (VIRT >> 12) * 4], PHYS2 | 3
    mov ecx, [ebp - 0xC]
    mov edx, [ebp - 0x10]
    ret

case_evict:
    push ebp
    mov ebp, VIRT + 0x100
    REMAP PHYS1
    mov eax, [VIRT]                        ; VIRT's translation in the TLB slot ALIAS
                                           ; would use (so ALIAS's is not there)
    call evict_run
    CHECK_EQ eax, 0x10, 30
    CHECK_EQ ebx, 0x20, 31
    CHECK_EQ ecx, 0x303, 32                ; after the store: PHYS2
    CHECK_EQ edx, 0x404, 33
    pop ebp
    ret

case_readonly:
    push ebp
    mov ebp, RO_PAGE + 0x100
    EXPECT_EXC 14, .after
    mov ecx, 0x5555
    call ro_run
    FAIL 40
.after:                                    ; (ESP as at EXPECT_EXC; EAX is the recorder's)
    pop ebp
    CHECK_MEM32 EXC_EIP, OFF(ro_run.insn), 41
    CHECK_MEM32 EXC_ERR, 3, 42             ; present, write
    CHECK_EQ ebx, 0x1234 + 0x8765, 43      ; the loads before the store were done
    CHECK_EQ ecx, 0x5555, 44
    CHECK_MEM32 RO_PAGE + 0xF4, 0, 45      ; nothing stored
    ret

ro_run:
    mov eax, [ebp - 4]
    mov ebx, [ebp - 8]
    add ebx, eax
.insn:
    mov [ebp - 0xC], ecx                   ; faults: read-only
    mov ecx, 1
    ret

ROM_END
