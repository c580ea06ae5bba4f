; fpu_mf.asm — x87 environments and native error reporting (CR0.NE = 1):
;   - FNINIT defaults seen through FNSTENV: CW 037F, SW 0, TW FFFF, pointers 0;
;   - the real-mode environment layouts (14 and 28 bytes: 20-/32-bit linear instruction and
;     operand pointers around FOP) and the protected-mode ones (offset + selector; the 32-bit
;     form carries FOP), all computed by hand from SDM Vol. 1 Figures 8-9 to 8-12;
;   - an unmasked divide by zero is not reported by FDIVP itself but as #MF (a fault, no
;     error code) at the next waiting x87 instruction, with FSTENV showing FIP = the FDIVP,
;     its FCS and FOP (DE F9 -> 6F9), ES/B/ZE and the tag word; after FNCLEX the faulting
;     instruction runs again;
;   - FNSTSW and FNCLEX do not wait; FLDCW that unmasks a pending flag makes the next
;     waiting instruction fault.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define ENV       0x3000
%define ENV2      0x3200
%define REALVAL   0x3100
%define MF_EIP    SCRATCH
%define MF_COUNT  SCRATCH + 4
%define VAL       SCRATCH + 8

; CHECK16 address, value, code (real-mode or 32-bit code)
%macro CHECK16 3
    cmp word [%1], %2
    je %%ok
    FAIL %3
%%ok:
%endmacro

[bits 16]
rom_entry:
    xor ax, ax
    mov ds, ax
    mov es, ax
    ; --- FNINIT defaults, 16-bit real-mode layout ---
    fninit
    o16 fnstenv [ENV]
    CHECK16 ENV + 0, 0x037F, 1
    CHECK16 ENV + 2, 0x0000, 2
    CHECK16 ENV + 4, 0xFFFF, 3
    CHECK16 ENV + 6, 0, 4
    CHECK16 ENV + 8, 0, 5
    CHECK16 ENV + 10, 0, 6
    CHECK16 ENV + 12, 0, 7
    ; --- a load at F000:.rl of [0000:3100]: FIP = F0000 + .rl, FDP = 3100, FOP = 106 ---
    mov dword [REALVAL], 0x3F800000        ; 1.0
.rl:
    fld dword [REALVAL]                    ; D9 06 00 31
    o16 fnstenv [ENV]
    CHECK16 ENV + 0, 0x037F, 8
    CHECK16 ENV + 2, 0x3800, 9             ; TOP = 7
    CHECK16 ENV + 4, 0x3FFF, 10            ; R7 valid, the rest empty
    CHECK16 ENV + 6, .rl, 11               ; FIP bits 15..0
    CHECK16 ENV + 8, 0xF106, 12            ; FIP bits 19..16, 0, FOP
    CHECK16 ENV + 10, REALVAL, 13          ; FDP bits 15..0
    CHECK16 ENV + 12, 0x0000, 14           ; FDP bits 19..16
    ; --- the same state, 32-bit real-mode layout ---
    o32 fnstenv [ENV]
    CHECK_MEM32 ENV + 0, 0xFFFF037F, 15
    CHECK_MEM32 ENV + 4, 0xFFFF3800, 16
    CHECK_MEM32 ENV + 8, 0xFFFF3FFF, 17
    CHECK_MEM32 ENV + 12, 0xFFFF0000 | OFF(.rl), 18
    CHECK_MEM32 ENV + 16, 0x0000F106, 19   ; FIP bits 31..16 at 27..12, FOP at 10..0
    CHECK_MEM32 ENV + 20, 0xFFFF0000 | REALVAL, 20
    CHECK_MEM32 ENV + 24, 0x00000000, 21
    ; --- FLDENV of a hand-made 16-bit image, stored back unchanged ---
    mov word [ENV2 + 0], 0x0F7F            ; RC = up, PC = 64 bits, all masked
    mov word [ENV2 + 2], 0x4100 | (5 << 11) ; C3, C0, TOP = 5
    mov word [ENV2 + 4], 0xF3FF            ; R5 in use, the rest empty
    mov word [ENV2 + 6], 0x1234
    mov word [ENV2 + 8], 0x5ABC            ; FIP 19..16 = 5, FOP = 2BC
    mov word [ENV2 + 10], 0x6789
    mov word [ENV2 + 12], 0x3000           ; FDP 19..16 = 3
    o16 fldenv [ENV2]
    o16 fnstenv [ENV]
    CHECK16 ENV + 0, 0x0F7F, 22
    CHECK16 ENV + 2, 0x6900, 23
    CHECK16 ENV + 6, 0x1234, 24
    CHECK16 ENV + 8, 0x52BC, 25            ; bit 11 reads back as 0
    CHECK16 ENV + 10, 0x6789, 26
    CHECK16 ENV + 12, 0x3000, 27
    ; the tag of R5 is computed from its contents: +0 since reset (the load above went to
    ; R7), so "zero" (01)
    CHECK16 ENV + 4, 0xF7FF, 28
    PM_ENTER pm_main

[bits 32]
pm_main:
    mov eax, cr0
    or eax, 0x20                           ; NE: native #MF
    mov cr0, eax
    SETGATE 16, SEL_CODE32, mf_handler, GATE_INT32
    mov dword [MF_COUNT], 0

    ; --- FNINIT defaults, 32-bit protected-mode layout ---
    fninit
    fnstenv [ENV]
    CHECK_MEM32 ENV + 0, 0xFFFF037F, 30
    CHECK_MEM32 ENV + 4, 0xFFFF0000, 31
    CHECK_MEM32 ENV + 8, 0xFFFFFFFF, 32
    CHECK_MEM32 ENV + 12, 0, 33
    CHECK_MEM32 ENV + 16, 0, 34
    CHECK_MEM32 ENV + 20, 0, 35
    CHECK_MEM32 ENV + 24, 0xFFFF0000, 36

    ; --- an unmasked divide by zero: #MF at the next waiting instruction ---
    mov word [VAL], 0x037B                 ; ZE unmasked
    fldcw [VAL]
    fld1
    fldz
.div:
    fdivp st1, st0                         ; DE F9: pending, nothing stored or popped
    fnstsw ax                              ; no-wait: no #MF
    CHECK_EQ ax, 0xB084, 40                ; B, TOP = 6, ES, ZE
    CHECK_MEM32 MF_COUNT, 0, 41
.next:
    fld1                                   ; #MF here; the handler clears; runs again
    CHECK_MEM32 MF_COUNT, 1, 42
    CHECK_MEM32 MF_EIP, OFF(.next), 43
    CHECK_MEM32 ENV2 + 4, 0xFFFFB084, 44   ; the handler's FNSTENV: SW
    CHECK_MEM32 ENV2 + 8, 0xFFFF1FFF, 45   ; R6 zero (01), R7 valid (00)
    CHECK_MEM32 ENV2 + 12, OFF(.div), 46   ; FIP: the FDIVP
    CHECK_MEM32 ENV2 + 16, 0x06F90000 | SEL_CODE32, 47 ; FOP 6F9, FCS
    CHECK_MEM32 ENV2 + 20, 0, 48           ; FDP/FDS: no memory operand since FNINIT
    CHECK_MEM32 ENV2 + 24, 0xFFFF0000, 39  ; (FLDCW is a control instruction)
    ; the stack is 1.0, 0.0, 1.0 (the FDIVP neither stored nor popped)
    fistp dword [VAL]
    CHECK_MEM32 VAL, 1, 49
    fistp dword [VAL]
    CHECK_MEM32 VAL, 0, 50
    fistp dword [VAL]
    CHECK_MEM32 VAL, 1, 51

    ; --- FLDCW unmasking a flag already set makes the next waiting instruction fault ---
    fninit                                 ; all masked
    fld1
    fldz
    fdivp st1, st0                         ; masked: +inf, ZE flagged, no ES
    fnstsw ax
    CHECK_EQ ax, 0x3804, 52
    mov word [VAL], 0x037B
    fldcw [VAL]
    fnstsw ax
    CHECK_EQ ax, 0xB884, 53                ; ES and B now
    EXPECT_EXC 16, .mf2                    ; the recording stub (no CLTS-style retry)
    SETGATE 16, SEL_CODE32, exc_stub_16, GATE_INT32
.w:
    fwait
    FAIL 54
.mf2:
    CHECK_MEM32 EXC_EIP, OFF(.w), 55
    CHECK_MEM32 EXC_ERR, NO_ERR, 56
    fnclex
    fwait

    ; --- the 16-bit protected-mode layout: offsets and selectors, no FOP ---
    fninit
.p16:
    fld dword [REALVAL]
    o16 fnstenv [ENV]
    CHECK16 ENV + 0, 0x037F, 57
    CHECK16 ENV + 2, 0x3800, 58
    CHECK16 ENV + 4, 0x3FFF, 59
    CHECK16 ENV + 6, OFF(.p16), 60
    CHECK16 ENV + 8, SEL_CODE32, 61
    CHECK16 ENV + 10, REALVAL, 62
    CHECK16 ENV + 12, SEL_DATA32, 63
    PASS

; #MF: save the environment and the faulting EIP, clear the error, return to run it again.
mf_handler:
    push eax
    mov eax, [esp + 4]
    mov [MF_EIP], eax
    inc dword [MF_COUNT]
    fnstenv [ENV2]
    fnclex
    pop eax
    iretd

    ROM_END
