; sys_exceptions.asm — exception vectors with their class (fault: EIP of the instruction,
; trap: EIP of the next), error codes (with the EXT and IDT bits), the RF bit in the pushed
; EFLAGS of faults, the #NP/#GP selector error codes of segment loads, the IDT-limit #GP,
; a gate's DPL against INT n from ring 3, and the double fault with error code 0.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    ; --- #DE: a fault at the DIV ---
    EXPECT_EXC 0, .de
    xor edx, edx
    xor ecx, ecx
    mov eax, 5
.de_insn:
    div ecx
    FAIL 1
.de:
    CHECK_MEM32 EXC_EIP, OFF(.de_insn), 2
    CHECK_MEM32 EXC_CS, SEL_CODE32, 3
    CHECK_MEM32 EXC_ERR, NO_ERR, 4
    ; faults push EFLAGS with RF set (bit 16); IF was 0 and bit 1 is always 1
    mov eax, [EXC_EFL]
    and eax, 0x10202
    cmp eax, 0x10002
    je .de_rf
    FAIL 5
.de_rf:
    ; the frame sits just below the stack pointer of the faulting code (same ring: no SS:ESP)
    mov eax, [EXC_RESUME_ESP]
    sub eax, 12
    cmp [EXC_FRAME], eax
    je .bp
    FAIL 6
.bp:
    ; --- #BP (INT3) and #OF (INTO) are traps: EIP after the instruction, no RF ---
    EXPECT_IRET 3
    int3
.bp_next:
    CHECK_MEM32 EXC_VEC, 3, 7
    CHECK_MEM32 EXC_EIP, OFF(.bp_next), 8
    test dword [EXC_EFL], 0x10000
    jz .of
    FAIL 9
.of:
    mov al, 0x7F
    add al, 1                      ; OF = 1
    EXPECT_IRET 4
    into
.of_next:
    CHECK_MEM32 EXC_VEC, 4, 10
    CHECK_MEM32 EXC_EIP, OFF(.of_next), 11
    mov al, 1
    add al, 1                      ; OF = 0: INTO does nothing
    into
    ; --- ICEBP (F1) raises #DB as a trap ---
    EXPECT_IRET 1
    db 0xF1
.icebp_next:
    CHECK_MEM32 EXC_VEC, 1, 12
    CHECK_MEM32 EXC_EIP, OFF(.icebp_next), 13
    ; --- #BR (BOUND) is a fault ---
    mov dword [SCRATCH], 10
    mov dword [SCRATCH + 4], 20
    mov eax, 15
    bound eax, [SCRATCH]
    mov eax, -1                    ; signed: -1 < 10
    EXPECT_EXC 5, .br
.br_insn:
    bound eax, [SCRATCH]
    FAIL 14
.br:
    CHECK_MEM32 EXC_EIP, OFF(.br_insn), 15
    ; --- #UD ---
    EXPECT_EXC 6, .ud
.ud_insn:
    ud2
    FAIL 16
.ud:
    CHECK_MEM32 EXC_EIP, OFF(.ud_insn), 17
    ; MOV CS is #UD too
    EXPECT_EXC 6, .ud2
    db 0x8E, 0xC8                  ; mov cs, ax
    FAIL 18
.ud2:
    ; --- #NP and #GP from segment loads carry the selector (RPL bits cleared) ---
    SETDESC SEL_FREE, 0x20000, 0xFFFF, (ACC_DATA | ACC_DPL3) & 0x7F, FLG_32   ; not present
    EXPECT_EXC 11, .np
    mov ax, SEL_FREE | 3
    mov ds, ax
    FAIL 19
.np:
    CHECK_MEM32 EXC_ERR, SEL_FREE, 20
    ; LDS with that selector: #NP, and neither DS nor the register changed
    mov dword [SCRATCH], 0x12345678
    mov word [SCRATCH + 4], SEL_FREE | 3
    mov esi, 0xAAAA5555
    EXPECT_EXC 11, .np_lds
    lds esi, [SCRATCH]
    FAIL 42
.np_lds:
    cmp esi, 0xAAAA5555
    je .np_lds2
    FAIL 43
.np_lds2:
    mov ax, ds
    cmp ax, SEL_DATA32
    je .np_lss
    FAIL 44
.np_lss:
    ; LSS loads SS:ESP together; LFS/LGS with a 16-bit operand size load a word offset
    mov dword [SCRATCH + 8], STACK0_TOP - 0x100
    mov word [SCRATCH + 12], SEL_DATA32
    mov ebx, esp
    lss esp, [SCRATCH + 8]
    cmp esp, STACK0_TOP - 0x100
    je .np_lfs
    FAIL 45
.np_lfs:
    mov esp, ebx
    mov word [SCRATCH + 16], 0xBEEF
    mov word [SCRATCH + 18], SEL_DATA3
    mov ecx, 0x11110000
    o16 lgs cx, [SCRATCH + 16]
    cmp ecx, 0x1111BEEF
    jne .lfs_bad
    mov ax, gs
    cmp ax, SEL_DATA3
    je .np_done
.lfs_bad:
    FAIL 46
.np_done:
    ; beyond the GDT limit
    EXPECT_EXC 13, .gp1
    mov ax, GDT_ENTRIES * 8 | 1
    mov es, ax
    FAIL 21
.gp1:
    CHECK_MEM32 EXC_ERR, GDT_ENTRIES * 8, 22
    ; an LDT selector with no LDT loaded: #GP(sel), TI bit kept
    EXPECT_EXC 13, .gp2
    mov ax, 0x0C
    mov fs, ax
    FAIL 23
.gp2:
    CHECK_MEM32 EXC_ERR, 0x0C, 24
    ; SS with RPL != CPL: #GP(sel)
    EXPECT_EXC 13, .gp3
    mov ax, SEL_DATA32 | 1
    mov ss, ax
    FAIL 25
.gp3:
    CHECK_MEM32 EXC_ERR, SEL_DATA32, 26
    ; --- INT n beyond the IDT limit: #GP(n*8+2) ---
    sidt [SCRATCH]
    mov word [SCRATCH], 0x40 * 8 - 1
    lidt [SCRATCH]
    EXPECT_EXC 13, .gp4
    int 0x50
    FAIL 27
.gp4:
    CHECK_MEM32 EXC_ERR, 0x50 * 8 + 2, 28
    mov word [SCRATCH], 256 * 8 - 1
    lidt [SCRATCH]
    ; --- #NP for a not-present gate: EXT = 0 for INT n, EXT = 1 for an exception ---
    SETGATE 0x41, SEL_CODE32, exc_stub_0, GATE_INT32 & 0x7F
    EXPECT_EXC 11, .np2
    int 0x41
    FAIL 29
.np2:
    CHECK_MEM32 EXC_ERR, 0x41 * 8 + 2, 30
    ; the single-step #DB with a not-present vector-1 gate: #NP(1*8+2+EXT)
    SETGATE 1, SEL_CODE32, exc_stub_1, GATE_INT32 & 0x7F
    EXPECT_EXC 11, .np3
    pushfd
    or dword [esp], 0x100
    popfd                          ; TF set: trap after the next instruction
    nop
    FAIL 31
.np3:
    CHECK_MEM32 EXC_ERR, 1 * 8 + 2 + 1, 32
    SETGATE 1, SEL_CODE32, exc_stub_1, GATE_INT32
    ; --- a DPL-0 gate is out of reach for INT n from ring 3: #GP(n*8+2) ---
    SETGATE 0x42, SEL_CODE32, exc_stub_0, GATE_INT32
    SETGATE 0x43, SEL_CODE32, ring3_done, GATE_INT32 | ACC_DPL3
    EXPECT_EXC 13, .gp5
    TO_RING3 ring3_code
.gp5:
    CHECK_MEM32 EXC_ERR, 0x42 * 8 + 2, 33
    CHECK_MEM32 EXC_CS, SEL_CODE3, 34
    CHECK_MEM32 EXC_SS, SEL_DATA3, 35
    CHECK_MEM32 EXC_ESP, STACK3_TOP, 36
    ; --- double fault: #GP whose gate is not present → #NP → #DF(0), EIP of the fault ---
    SETGATE 13, SEL_CODE32, exc_stub_13, GATE_INT32 & 0x7F
    EXPECT_EXC 8, .df
    xor eax, eax
    mov es, ax
.df_insn:
    mov eax, [es:0]                ; #GP(0) with a null ES
    FAIL 37
.df:
    CHECK_MEM32 EXC_ERR, 0, 38
    CHECK_MEM32 EXC_EIP, OFF(.df_insn), 39
    SETGATE 13, SEL_CODE32, exc_stub_13, GATE_INT32
    ; #PF during #GP delivery is not a double fault (handled serially): covered by
    ; sys_paging. A benign #DB nested in nothing: ICEBP above.
    PASS

ring3_code:
    int 0x42                       ; DPL 0 gate: #GP
    FAIL 40
ring3_done:
    FAIL 41

[bits 16]
ROM_END
