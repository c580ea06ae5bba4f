; sys2_align.asm — alignment checking (#AC, vector 17): with CR0.AM = 1, EFLAGS.AC = 1 and
; CPL 3, a misaligned data access faults with error code 0, EIP at the instruction, RF in
; the pushed EFLAGS and nothing committed (ESP of a push). The rules by operand (SDM vol. 3,
; table 6-7): word 2, dword 4, qword 8 (CMPXCHG8B, FLD m64), 80-bit real 8, the x87
; environment and FSAVE image 4 or 2 by operand size, a 16:32 pointer 4 (its dword first),
; SGDT's pseudo-descriptor stored as an aligned word then an aligned dword (so it must sit
; at 2 mod 4), string operands, bit strings, stack pushes, and the frame a same-ring
; interrupt pushes at CPL 3. Never checked: CPL 0 accesses, implicit supervisor accesses
; (a GDT, IDT, TSS and ring-0 stack placed at addresses that are not even word aligned),
; AC = 0 (cleared and set again by POPFD at CPL 3), AM = 0.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define CR0_AM     0x40000
%define FL_AC      0x40000
%define FL_RF      0x10000
%define DATA       0x8000             ; data the ring-3 snippets touch
%define GDT2       0x9002             ; misaligned copies of the system tables
%define IDT2       0xA002
%define TSS2       0xB002
%define SEL_TSS2   (SEL_FREE + 0x00)

rom_entry:
    PM_ENTER pm_main

; R3_EXPECT vector, snippet, faulting label, failure code — runs `snippet` at ring 3 (with
; today's EFLAGS); it must raise `vector` at `faulting label`. For #AC the error code must
; be 0 and the pushed EFLAGS must have RF.
%macro R3_EXPECT 4
    EXPECT_EXC %1, %%back
    TO_RING3 %2
%%back:
    cmp dword [EXC_EIP], OFF(%3)
    je %%eip
    FAIL %4
%%eip:
%if %1 == 17
    cmp dword [EXC_ERR], 0
    je %%err
    FAIL 90
%%err:
    test dword [EXC_EFL], FL_RF
    jnz %%rf
    FAIL 91
%%rf:
%endif
%endmacro

%macro SET_AC 0
    pushfd
    or dword [esp], FL_AC
    popfd
%endmacro

[bits 32]
pm_main:
    fninit
    mov dword [DATA + 0x300], 0x1234     ; a 16:32 pointer for LDS
    mov word [DATA + 0x304], SEL_DATA3
    mov dword [DATA + 0x310], 0x5678     ; and one at 2 mod 4 for LES
    mov word [DATA + 0x314], SEL_DATA3
    SETGATE 0x44, SEL_CODE3, r3_handler, GATE_INT32 | ACC_DPL3
    call misaligned_tables
    mov eax, cr0
    or eax, CR0_AM
    mov cr0, eax
    SET_AC
    ; CPL 0 never checks, whatever AM and AC say.
    mov eax, [DATA + 1]
    mov [DATA + 3], ax
    sub esp, 2
    push eax                       ; a dword push at 2 mod 4
    pop eax
    add esp, 2

    ; ---- misaligned operands at CPL 3 ----
    R3_EXPECT 17, r3_word_odd, r3_word_odd.i, 1
    R3_EXPECT 17, r3_dword, r3_dword.i, 2
    R3_EXPECT 17, r3_store, r3_store.i, 3
    R3_EXPECT 17, r3_push, r3_push.i, 4
    cmp dword [EXC_ESP], STACK3_TOP - 2   ; the push committed nothing
    je .push_esp
    FAIL 5
.push_esp:
    R3_EXPECT 17, r3_cx8, r3_cx8.i, 6
    R3_EXPECT 17, r3_fld32, r3_fld32.i, 7
    R3_EXPECT 17, r3_fld64, r3_fld64.i, 8
    R3_EXPECT 17, r3_fld80, r3_fld80.i, 9
    R3_EXPECT 17, r3_fnstenv, r3_fnstenv.i, 10
    R3_EXPECT 17, r3_fnsave, r3_fnsave.i, 11
    R3_EXPECT 17, r3_sgdt, r3_sgdt.i, 12
    R3_EXPECT 17, r3_les, r3_les.i, 13
    R3_EXPECT 17, r3_movsd, r3_movsd.i, 14
    R3_EXPECT 17, r3_bt, r3_bt.i, 15
    R3_EXPECT 17, r3_str, r3_str.i, 16
    R3_EXPECT 17, r3_int_frame, r3_int_frame.i, 17
    cmp dword [EXC_ESP], STACK3_TOP - 2
    je .int_esp
    FAIL 18
.int_esp:
    ; ---- aligned operands, and the forms that need less alignment: no fault ----
    R3_EXPECT 13, r3_aligned, r3_aligned.h, 20
    ; ---- POPFD at CPL 3 turns checking off and on ----
    R3_EXPECT 13, r3_ac_off, r3_ac_off.h, 21
    R3_EXPECT 17, r3_ac_on, r3_ac_on.i, 22
    ; ---- AM = 0: AC alone checks nothing ----
    mov eax, cr0
    and eax, ~CR0_AM
    mov cr0, eax
    SET_AC
    R3_EXPECT 13, r3_unchecked, r3_unchecked.h, 23
    PASS

; Copies the GDT, IDT and TSS to addresses that are 2 mod 4 and 2 mod 8, loads them, and
; gives ring 0 a stack at 2 mod 4: every later ring-3 -> ring-0 transition reads and
; writes them with implicit supervisor accesses (or at CPL 0), which are never checked.
misaligned_tables:
    SETDESC SEL_TSS2, TSS2, 0x67, ACC_TSS32, FLG_16
    mov esi, GDT_BASE
    mov edi, GDT2
    mov ecx, GDT_ENTRIES * 2
    rep movsd
    mov esi, IDT_BASE
    mov edi, IDT2
    mov ecx, 256 * 2
    rep movsd
    mov esi, TSS_BASE
    mov edi, TSS2
    mov ecx, 0x68 / 4
    rep movsd
    mov dword [TSS2 + 4], STACK0_TOP - 2
    lgdt [cs:gdt2_ptr]
    lidt [cs:idt2_ptr]
    mov ax, SEL_TSS2
    ltr ax
    ret

; ---- ring 3 -------------------------------------------------------------------------------
; Each snippet ends in HLT (#GP at CPL 3) so that a missing #AC shows as failure 109.
r3_word_odd:
.i: mov ax, [DATA + 1]
    hlt
r3_dword:
.i: mov eax, [DATA + 2]
    hlt
r3_store:
.i: mov [DATA + 7], eax
    hlt
r3_push:
    mov esp, STACK3_TOP - 2
.i: push eax
    hlt
r3_cx8:
.i: cmpxchg8b [DATA + 4]
    hlt
r3_fld32:
.i: fld dword [DATA + 2]
    hlt
r3_fld64:
.i: fld qword [DATA + 4]
    hlt
r3_fld80:
.i: fld tword [DATA + 0x22]
    hlt
r3_fnstenv:
.i: fnstenv [DATA + 0x42]          ; 32-bit environment: 4-byte alignment
    hlt
r3_fnsave:
.i: fnsave [DATA + 0x102]
    hlt
r3_sgdt:
.i: sgdt [DATA + 0x200]            ; the base dword lands at 2 mod 4
    hlt
r3_les:
.i: les eax, [DATA + 0x312]
    hlt
r3_movsd:
    mov esi, DATA + 1
    mov edi, DATA + 0x400
.i: movsd
    hlt
r3_bt:
.i: bt dword [DATA + 2], 1
    hlt
r3_str:
.i: str word [DATA + 0x221]             ; a selector is a word
    hlt
r3_int_frame:
    mov esp, STACK3_TOP - 2
.i: int 0x44                       ; same-ring gate: the frame is a CPL-3 stack write
    hlt
r3_handler:
    hlt

r3_aligned:
    mov ax, SEL_DATA3              ; descriptor read from the misaligned GDT: unchecked
    mov ds, ax
    mov eax, [DATA + 4]
    mov [DATA + 8], eax
    mov ax, [DATA + 6]
    mov al, [DATA + 3]
    mov esp, STACK3_TOP - 2
    push ax                        ; a word push at 2 mod 4
    pop ax
    mov esp, STACK3_TOP
    cmpxchg8b [DATA + 8]
    fld dword [DATA + 4]
    fld qword [DATA + 8]
    fld tword [DATA + 0x28]
    fninit
    o16 fnstenv [DATA + 0x52]      ; 16-bit environment: 2-byte alignment
    fnstenv [DATA + 0x60]
    fnsave [DATA + 0x100]          ; the 80-bit registers inside sit at any offset
    frstor [DATA + 0x100]
    o16 fnsave [DATA + 0x182]
    sgdt [DATA + 0x212]            ; word at 2 mod 4, dword at 0 mod 4
    lds eax, [DATA + 0x300]
    str word [DATA + 0x222]
    bt word [DATA + 2], 1
    mov esi, DATA + 4
    mov edi, DATA + 0x400
    movsd
    movsw
    movsb
.h: hlt

r3_ac_off:
    pushfd
    and dword [esp], ~FL_AC
    popfd
    mov eax, [DATA + 1]
.h: hlt
r3_ac_on:
    pushfd
    and dword [esp], ~FL_AC
    popfd
    mov eax, [DATA + 1]
    pushfd
    or dword [esp], FL_AC
    popfd
.i: mov eax, [DATA + 1]
    hlt

r3_unchecked:
    mov eax, [DATA + 1]
    mov esp, STACK3_TOP - 2
    push eax
.h: hlt

gdt2_ptr:
    dw GDT_ENTRIES * 8 - 1
    dd GDT2
idt2_ptr:
    dw 256 * 8 - 1
    dd IDT2

    ROM_END
