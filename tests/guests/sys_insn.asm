; sys_insn.asm — system instructions: CPUID (vendor, signature, the exact feature set,
; no APIC, CLFSH with its line size; unknown leaves return the highest basic leaf), RDTSC/RDMSR/WRMSR (TSC write,
; #GP for APIC_BASE and unknown MSRs, CR4.TSD), RDPMC, SYSENTER/SYSEXIT, CR0/CR4 checks,
; LMSW/SMSW/CLTS, SGDT with a 16-bit operand, LLDT/SLDT/LTR/STR, LAR/LSL/VERR/VERW/ARPL,
; RSM, and privileged instructions at ring 3.
%include "rom.inc"
%include "report.inc"
%include "pm.inc"

%define SEL_LDT  (SEL_FREE + 0x00)
%define SEL_SYS  (SEL_FREE + 0x08)   ; flat ring-0 code for SYSENTER: CS, CS+8 data,
%define SEL_RO3  (SEL_FREE + 0x20)   ; CS+16 ring-3 code, CS+24 ring-3 data
%define SEL_CG   (SEL_FREE + 0x28)
%define SEL_TSS2 (SEL_FREE + 0x30)
%define FEATURES 0x0008A93D          ; FPU DE PSE TSC MSR CX8 SEP PGE CMOV CLFSH; no APIC, PAE, VME

%macro GP0 2                          ; instruction(s) in %1 must raise #GP(0); code %2
    EXPECT_EXC 13, %%ok
    %1
    FAIL %2
%%ok:
    CHECK_MEM32 EXC_ERR, 0, %2
%endmacro

rom_entry:
    PM_ENTER pm_main

[bits 32]
pm_main:
    ; --- CPUID ---
    xor eax, eax
    cpuid
    cmp eax, 2
    jne .f1
    cmp ebx, 'Genu'
    jne .f1
    cmp edx, 'ineI'
    jne .f1
    cmp ecx, 'ntel'
    je .c1
.f1:
    FAIL 1
.c1:
    mov eax, 1
    cpuid
    cmp eax, 0x683
    jne .f2
    and edx, ~0x07800000           ; MMX FXSR SSE SSE2 belong to the FPU work
    cmp edx, FEATURES
    jne .f2
    cmp ebx, 8 << 8                ; CLFLUSH line size 64 bytes (in 8-byte units)
    jne .f2
    clflush [0x8000]               ; advertised, so it executes
    jmp .c2
.f2:
    FAIL 2
.c2:
    mov eax, 2
    cpuid
    mov esi, eax
    mov edi, edx
    mov ebp, ebx
    cmp al, 1                      ; one CPUID(2) call gives all descriptors
    jne .f3
    mov eax, 0x80000000
    cpuid
    cmp eax, esi                  ; above the highest leaf: leaf 2's values
    jne .f3
    cmp ebx, ebp
    jne .f3
    cmp edx, edi
    je .c3
.f3:
    FAIL 3
.c3:
    ; --- TSC and MSRs ---
    rdtsc
    mov esi, eax
    rdtsc
    sub eax, esi
    jnz .c4                        ; the count moves on
    FAIL 4
.c4:
    mov ecx, 0x10
    mov eax, 0x100000
    mov edx, 0x55                  ; the P6 clears the high half on a TSC write
    wrmsr
    rdtsc
    cmp edx, 0
    jne .f5
    sub eax, 0x100000
    cmp eax, 100
    jb .c5
.f5:
    FAIL 5
.c5:
    mov ecx, 0x1B
    GP0 rdmsr, 6                   ; no APIC: APIC_BASE does not exist
    mov ecx, 0x1234
    GP0 rdmsr, 7
    GP0 wrmsr, 8
    mov ecx, 0x176
    mov eax, 0xCAFE
    wrmsr
    xor eax, eax
    rdmsr
    cmp eax, 0xCAFE
    je .c9
    FAIL 9
.c9:
    ; --- SYSENTER needs SYSENTER_CS ---
    mov ecx, 0x174
    xor eax, eax
    xor edx, edx
    wrmsr
    GP0 sysenter, 10
    SETDESC SEL_SYS, 0, 0xFFFFF, ACC_CODE, FLG_32G
    SETDESC SEL_SYS + 8, 0, 0xFFFFF, ACC_DATA, FLG_32G
    SETDESC SEL_SYS + 16, 0, 0xFFFFF, ACC_CODE | ACC_DPL3, FLG_32G
    SETDESC SEL_SYS + 24, 0, 0xFFFFF, ACC_DATA | ACC_DPL3, FLG_32G
    mov ecx, 0x174
    mov eax, SEL_SYS
    wrmsr
    mov ecx, 0x175
    mov eax, 0x6800
    wrmsr
    mov ecx, 0x176
    mov eax, 0xF0000 + OFF(sysenter_target)
    wrmsr
    mov ecx, 0x5F00                ; SYSEXIT: ECX = ring-3 ESP, EDX = ring-3 EIP (flat)
    mov edx, 0xF0000 + OFF(ring3_flat)
    sysexit

ring3_flat:
    mov ax, cs
    cmp ax, SEL_SYS + 16 + 3
    jne .f
    mov ax, ss
    cmp ax, SEL_SYS + 24 + 3
    jne .f
    cmp esp, 0x5F00
    jne .f
    sysenter
.f:
    FAIL 11

sysenter_target:
    mov ax, cs
    cmp ax, SEL_SYS
    jne .f
    mov ax, ss
    cmp ax, SEL_SYS + 8
    jne .f
    cmp esp, 0x6800
    jne .f
    jmp SEL_CODE32:after_sys
.f:
    FAIL 12

after_sys:
    mov ax, SEL_DATA32
    mov ss, ax
    mov ds, ax
    mov es, ax
    mov esp, STACK0_TOP
    ; --- control registers ---
    mov eax, cr4
    or eax, 0x20                   ; PAE is not implemented: reserved
    GP0 {mov cr4, eax}, 13
    mov eax, cr0
    and eax, ~1
    or eax, 0x80000000             ; PG without PE
    GP0 {mov cr0, eax}, 14
    mov eax, cr0
    and eax, ~0x40000000
    or eax, 0x20000000             ; NW without CD
    GP0 {mov cr0, eax}, 15
    mov ax, 0xE                    ; LMSW cannot clear PE
    lmsw ax
    mov eax, cr0
    test al, 1
    jz .f16
    cmp al, 0x1F                   ; ET stays 1, MP EM TS set
    je .c16
.f16:
    FAIL 16
.c16:
    clts
    mov eax, cr0
    and al, ~6
    mov cr0, eax
    smsw ax
    cmp ax, 0x11
    je .c17
    FAIL 17
.c17:
    ; --- SGDT with a 16-bit operand stores 24 bits of base and a zero byte ---
    mov dword [SCRATCH], 0xFFFFFFFF
    mov dword [SCRATCH + 4], 0xFFFFFFFF
    o16 sgdt [SCRATCH]
    cmp dword [SCRATCH + 2], GDT_BASE & 0xFFFFFF
    je .c18
    FAIL 18
.c18:
    ; --- LLDT/SLDT, LTR/STR ---
    SETDESC SEL_LDT, 0x3000, 0x0F, ACC_LDT, FLG_16
    mov ax, SEL_LDT
    lldt ax
    mov dword [0x3000 + 8], 0x0000FFFF            ; LDT entry 1: data at 0x20000
    mov dword [0x3000 + 12], 0x00CF9202
    mov ax, 0x0C                                  ; LDT selector 1
    mov fs, ax
    mov dword [fs:0], 0x5150
    CHECK_MEM32 0x20000, 0x5150, 19
    mov eax, 0xFFFFFFFF
    sldt eax                                      ; zero-extended into a 32-bit register
    cmp eax, SEL_LDT
    je .c20
    FAIL 20
.c20:
    mov ax, SEL_TSS                               ; already busy: #GP(sel)
    EXPECT_EXC 13, .c21
    ltr ax
    FAIL 21
.c21:
    CHECK_MEM32 EXC_ERR, SEL_TSS, 21
    str eax
    cmp eax, SEL_TSS
    je .c22
    FAIL 22
.c22:
    ; --- LAR/LSL/VERR/VERW/ARPL ---
    SETDESC SEL_RO3, 0x10000, 0x1FFFF, 0xF0, FLG_32   ; ring-3 read-only data
    SETCALLGATE SEL_CG, SEL_CODE32, pm_main, GATE_CALL32 | ACC_DPL3, 0
    mov ax, SEL_RO3
    lar ebx, eax
    jnz .f23
    cmp ebx, 0x0040F000 | 0x10000 ; type F0 (accessed bit set by nothing: 0xF0), limit 19:16 = 1
    je .c23
.f23:
    FAIL 23
.c23:
    lsl ebx, eax
    jnz .f24
    cmp ebx, 0x1FFFF
    je .c24
.f24:
    FAIL 24
.c24:
    mov ax, SEL_CG
    lar ebx, eax                   ; call gates are valid for LAR...
    jnz .f25
    lsl ebx, eax                   ; ...but not for LSL
    jz .f25
    mov ax, SEL_TSS
    lsl ebx, eax
    jnz .f25
    cmp ebx, 0x67
    je .c25
.f25:
    FAIL 25
.c25:
    mov ax, SEL_RO3
    verr ax
    jnz .f26
    verw ax
    jz .f26
    mov ax, SEL_CODE32
    verr ax
    jnz .f26
    verw ax
    jz .f26
    mov ax, GDT_ENTRIES * 8        ; beyond the limit
    verr ax
    jz .f26
    mov ax, 0
    lar ebx, eax
    jz .f26
    jmp .c26
.f26:
    FAIL 26
.c26:
    mov ax, 0x1230
    mov bx, 0x0002
    arpl ax, bx
    jnz .f27
    cmp ax, 0x1232
    jne .f27
    arpl ax, bx
    jz .f27
    jmp .c27
.f27:
    FAIL 27
.c27:
    ; --- RSM outside SMM, and ring-3 privilege checks ---
    EXPECT_EXC 6, .c28
    rsm
    FAIL 28
.c28:
    mov eax, cr4
    or eax, 4                      ; TSD: RDTSC is privileged
    mov cr4, eax
%macro R3GP 2                      ; ring-3 label whose first instruction must #GP(0)
    EXPECT_EXC 13, %%back
    TO_RING3 %1
%%back:
    CHECK_MEM32 EXC_ERR, 0, %2
    CHECK_MEM32 EXC_EIP, OFF(%1), %2
    CHECK_MEM32 EXC_CS, SEL_CODE3, %2
%endmacro
    R3GP r3_hlt, 29
    R3GP r3_cr, 30
    R3GP r3_rdtsc, 31
    R3GP r3_rdpmc, 32
    R3GP r3_cli, 33
    R3GP r3_lgdt, 34
    mov eax, cr4
    and eax, ~4
    or eax, 0x100                  ; PCE: RDPMC allowed at ring 3, counters 0 and 1 only
    mov cr4, eax
    EXPECT_EXC 13, .c35
    TO_RING3 r3_pmc
.c35:
    CHECK_MEM32 EXC_EIP, OFF(r3_pmc.bad), 35
    PASS

r3_hlt:
    hlt
r3_cr:
    mov eax, cr0
r3_rdtsc:
    rdtsc
r3_rdpmc:
    rdpmc
r3_cli:
    cli
r3_lgdt:
    lgdt [SCRATCH]
r3_pmc:
    rdtsc                          ; TSD is clear again
    xor ecx, ecx
    rdpmc
    mov ecx, 2
.bad:
    rdpmc                          ; there are two counters
    FAIL 36

[bits 16]
ROM_END
