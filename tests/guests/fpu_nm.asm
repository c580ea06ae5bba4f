; fpu_nm.asm — CR0.EM/TS/MP and CR4.OSFXSR/OSXMMEXCPT against x87, WAIT, MMX, SSE and FXSAVE
; (SDM Vol. 3 Table 2-2, "Action taken for combinations of EM, MP and TS"):
;   - lazy FPU switching: with TS set the first x87, MMX, SSE or FXSAVE instruction raises
;     #NM (a fault: the handler runs CLTS and the instruction runs again and completes);
;   - WAIT traps on TS only when MP is set, and ignores EM;
;   - EM: x87 and FXSAVE raise #NM, MMX and SSE #UD (checked before TS);
;   - CR4.OSFXSR clear: SSE raises #UD, MMX and FXSAVE still work;
;   - an unmasked SIMD exception raises #XM with CR4.OSXMMEXCPT and #UD without it.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define NM_COUNT  SCRATCH
%define NM_EIP    SCRATCH + 4
%define VAL       SCRATCH + 8
%define FXAREA    0x3000

%define CR0_MP 0x02
%define CR0_EM 0x04
%define CR0_TS 0x08
%define CR4_OSFXSR 0x200
%define CR4_OSXMMEXCPT 0x400

; SETCR0 set-bits, clear-bits
%macro SETCR0 2
    mov eax, cr0
    or eax, %1
    and eax, ~(%2)
    mov cr0, eax
%endmacro
%macro SETCR4 2
    mov eax, cr4
    or eax, %1
    and eax, ~(%2)
    mov cr4, eax
%endmacro
; EXPECT_NM label, count: the #NM handler ran `count` times in all, last at `label`
%macro EXPECT_NM 3
    CHECK_MEM32 NM_COUNT, %2, %3
    CHECK_MEM32 NM_EIP, OFF(%1), %3 + 1
%endmacro

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    fninit
    SETGATE 7, SEL_CODE32, nm_handler, GATE_INT32
    mov dword [NM_COUNT], 0

    ; --- lazy switching: the first x87 instruction faults, runs again after CLTS ---
    SETCR0 CR0_TS | CR0_MP, CR0_EM
.first:
    fld1
    EXPECT_NM .first, 1, 1
    fistp dword [VAL]
    CHECK_MEM32 VAL, 1, 3
    fldz                                   ; TS is clear now: no trap
    fstp st0
    CHECK_MEM32 NM_COUNT, 1, 4

    ; --- WAIT: TS alone does not trap it, TS with MP does ---
    SETCR0 CR0_TS, CR0_MP
    fwait
    CHECK_MEM32 NM_COUNT, 1, 5
    SETCR0 CR0_MP, 0                       ; TS is still set
.wait:
    fwait
    EXPECT_NM .wait, 2, 6

    ; --- the no-wait x87 forms, MMX, SSE and FXSAVE trap on TS too ---
    SETCR0 CR0_TS, 0
.fninit:
    fninit
    EXPECT_NM .fninit, 3, 8
    SETCR0 CR0_TS, 0
.mmx:
    pxor mm0, mm0
    EXPECT_NM .mmx, 4, 10
    emms
    SETCR4 CR4_OSFXSR | CR4_OSXMMEXCPT, 0
    SETCR0 CR0_TS, 0
.sse:
    xorps xmm0, xmm0
    EXPECT_NM .sse, 5, 12
    SETCR0 CR0_TS, 0
.fxsave:
    fxsave [FXAREA]
    EXPECT_NM .fxsave, 6, 14

    ; --- EM: no retry, so the recording stubs of pm.inc take #NM/#UD from here ---
    SETGATE 7, SEL_CODE32, exc_stub_7, GATE_INT32
    SETCR0 CR0_EM, CR0_TS
    EXPECT_EXC 7, .em1
    fld1
    FAIL 16
.em1:
    fwait                                  ; WAIT ignores EM
    EXPECT_EXC 6, .em2
    pxor mm0, mm0
    FAIL 17
.em2:
    EXPECT_EXC 6, .em3
    xorps xmm0, xmm0
    FAIL 18
.em3:
    EXPECT_EXC 7, .em4
    fxsave [FXAREA]
    FAIL 19
.em4:
    SETCR0 CR0_TS, 0                       ; EM and TS: EM is checked first
    EXPECT_EXC 6, .em5
    xorps xmm0, xmm0
    FAIL 20
.em5:
    EXPECT_EXC 6, .em6
    paddb mm1, mm2
    FAIL 21
.em6:
    EXPECT_EXC 7, .em7
    fninit
    FAIL 22
.em7:
    SETCR0 0, CR0_EM | CR0_TS

    ; --- CR4.OSFXSR clear: SSE is #UD, MMX and FXSAVE work ---
    SETCR4 0, CR4_OSFXSR
    EXPECT_EXC 6, .fx1
    xorps xmm0, xmm0
    FAIL 23
.fx1:
    EXPECT_EXC 6, .fx2
    ldmxcsr [VAL]
    FAIL 24
.fx2:
    pxor mm3, mm3
    emms
    fxsave [FXAREA]

    ; --- an unmasked SIMD exception: #XM with OSXMMEXCPT, #UD without ---
    SETCR4 CR4_OSFXSR | CR4_OSXMMEXCPT, 0
    mov dword [VAL], 0x1F80 & ~0x0200      ; ZE unmasked
    ldmxcsr [VAL]
    mov eax, 0x3F800000
    movd xmm1, eax                         ; 1.0
    xorps xmm2, xmm2                       ; 0.0
    EXPECT_EXC 19, .xm1
    divss xmm1, xmm2
    FAIL 25
.xm1:
    stmxcsr [VAL]
    CHECK_MEM32 VAL, (0x1F80 & ~0x0200) | 0x04, 26   ; ZE flagged
    movd eax, xmm1
    CHECK_EQ eax, 0x3F800000, 27           ; the destination is unchanged
    SETCR4 0, CR4_OSXMMEXCPT
    EXPECT_EXC 6, .xm2
    divss xmm1, xmm2
    FAIL 28
.xm2:
    PASS

; #NM for lazy switching: count, remember where, clear TS and return to run it again.
nm_handler:
    push eax
    mov eax, [esp + 4]
    mov [NM_EIP], eax
    inc dword [NM_COUNT]
    clts
    pop eax
    iretd

    ROM_END
