; sys2_dbg_implicit.asm — data breakpoints match the processor's implicit accesses to
; system structures too: they compare linear addresses (SDM vol. 3, 17.2.1), and the
; descriptor read of a segment load, the IDT read of INT n and the TSS read of a ring-3 to
; ring-0 stack switch are linear accesses. The #DB is a trap: after the MOV DS, and for an
; event at the boundary after its delivery (EIP = the handler's first instruction), with
; the matching Bn in DR6. (Linux keeps breakpoints off its GDT, IDT and TSS for this reason.)
; A breakpoint next to the structure (outside the bytes read) does not fire.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define SEL_WATCH  (SEL_FREE + 0x00)  ; a ring-3 data descriptor whose GDT entry is watched
%define DB_COUNT   (SCRATCH + 0)
%define DB_EIP     (SCRATCH + 4)
%define DB_DR6     (SCRATCH + 8)
%define DR7_RW0    0x000F0002         ; G0, R/W0 = 11 (read or write), LEN0 = 11 (4 bytes)

rom_entry:
    PM_ENTER pm_main

%macro WATCH 1                        ; DR0 = linear address, armed for reads and writes
    mov eax, %1
    mov dr0, eax
    mov eax, DR7_RW0
    mov dr7, eax
%endmacro
%macro UNWATCH 0
    xor eax, eax
    mov dr7, eax
%endmacro
%macro CHECK_DB 3                     ; expected count, expected EIP label, failure code
    CHECK_MEM32 DB_COUNT, %1, %3
    CHECK_MEM32 DB_EIP, OFF(%2), %3
    test dword [DB_DR6], 1            ; B0
    jnz %%ok
    FAIL %3
%%ok:
%endmacro

[bits 32]
pm_main:
    SETGATE 1, SEL_CODE32, db_handler, GATE_INT32
    SETGATE 0x40, SEL_CODE32, h40, GATE_INT32
    SETGATE 0x41, SEL_CODE32, h41, GATE_INT32 | ACC_DPL3
    SETDESC SEL_WATCH, 0, 0xFFFFF, ACC_DATA | ACC_DPL3, FLG_32G
    mov dword [DB_COUNT], 0

    ; --- 1. the descriptor read of MOV DS ---
    WATCH GDT_BASE + SEL_WATCH + 4
    mov ax, SEL_WATCH
    mov ds, ax
.after_ld:
    mov ax, SEL_DATA32
    mov ds, ax
    UNWATCH
    CHECK_DB 1, .after_ld, 1

    ; --- 2. the IDT read of INT 40h; a watch on the next gate stays quiet ---
    WATCH IDT_BASE + 0x41 * 8
    int 0x40
    UNWATCH
    CHECK_MEM32 DB_COUNT, 1, 2
    WATCH IDT_BASE + 0x40 * 8
    int 0x40
    UNWATCH
    CHECK_DB 2, h40, 3

    ; --- 3. the TSS read of the ring-0 stack (ESP0) when ring 3 enters ring 0 ---
    WATCH TSS_BASE + 4
    TO_RING3 r3_code

r3_code:
    int 0x41

h41:                                  ; ring 0 (stays here)
    mov ax, SEL_DATA32
    mov ds, ax
    UNWATCH
    CHECK_DB 3, h41, 4
    PASS

h40:
    iretd

db_handler:                           ; leaves DS alone: reloading it could hit the watch
    push eax
    inc dword [ss:DB_COUNT]
    mov eax, [esp + 4]                ; pushed EIP
    mov [ss:DB_EIP], eax
    mov eax, dr6
    mov [ss:DB_DR6], eax
    xor eax, eax
    mov dr6, eax
    pop eax
    iretd

[bits 16]
ROM_END
