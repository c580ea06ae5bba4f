#!/bin/sh
# Direct kernel boot and the serial console, end to end through the vmm86 binary.
# Usage: kernel_boot.sh VMM86 KERNEL_DIR ENGINE CASE
#   multiboot-elf | multiboot-aout | bzimage | reset-reload   test kernels of our own
#   errors         malformed kernels and initrds: one error line, exit status 2
#   serial-echo    bytes piped into vmm86 reach the guest's COM1 (and none is lost)
#   console        a terminal (a pty via script(1)): raw mode, C-a h and C-a x
set -u
vmm86=$1 kdir=$2 engine=$3 case=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

run_check_kernel() { # what image options... : a test kernel passes with status 1
    what=$1
    shift
    timeout 300 "$vmm86" -M isapc -display none -serial none -debugcon stdio \
        -device isa-debug-exit,iobase=0xf4,iosize=4 --engine "$engine" --max-insns 100000000 "$@"
    st=$?
    [ "$st" -eq 1 ] && ok "$what" || fail "$what: status $st (1 is a pass; 2n+1 is check n)"
}

expect_error() { # what vmm86-args...: exactly one line on stderr, status 2
    what=$1
    shift
    out=$("$vmm86" -M isapc -display none -serial none "$@" 2>&1 </dev/null)
    st=$?
    lines=$(printf '%s\n' "$out" | grep -c .)
    if [ "$st" -ne 2 ] || [ "$lines" -ne 1 ]; then
        fail "$what: status $st, $lines line(s): $out"
    else
        ok "$what: $out"
    fi
}

printf 'MODULE-ONE' >"$tmp/mod1.bin"
printf 'MODULE-TWO' >"$tmp/mod2.bin"
{ printf 'INITRD-START'; head -c 4978 /dev/zero | tr '\0' 'x'; printf 'INITRD-END'; } >"$tmp/initrd.bin"

case $case in
multiboot-elf)
    run_check_kernel "multiboot ELF" -m 16 -kernel "$kdir/mb_elf.elf" -append "hello multiboot" \
        -initrd "$tmp/mod1.bin arg1,$tmp/mod2.bin"
    run_check_kernel "multiboot ELF on -M pc" -M pc -m 16 -kernel "$kdir/mb_elf.elf" \
        -append "hello multiboot" -initrd "$tmp/mod1.bin arg1,$tmp/mod2.bin"
    ;;
multiboot-aout)
    run_check_kernel "multiboot a.out kludge" -m 8 -kernel "$kdir/mb_aout.bin"
    ;;
bzimage)
    run_check_kernel "bzImage 32-bit protocol" -m 16 -kernel "$kdir/bzimage_mini.bin" \
        -append "console=ttyS0 mini" -initrd "$tmp/initrd.bin"
    ;;
reset-reload)
    run_check_kernel "reset boots the kernel again" -m 8 -kernel "$kdir/mb_reset.bin"
    ;;
errors)
    printf 'not a kernel at all\n' >"$tmp/junk"
    head -c 1500 "$kdir/bzimage_mini.bin" >"$tmp/truncated"
    head -c 5000 /dev/zero >"$tmp/zeros"
    head -c $((20 << 20)) /dev/zero >"$tmp/big-initrd"
    long=$(head -c 300 /dev/zero | tr '\0' 'a')
    expect_error "missing kernel file" -kernel "$tmp/nope"
    expect_error "not a kernel" -kernel "$tmp/junk"
    expect_error "all zeros" -kernel "$tmp/zeros"
    : >"$tmp/empty"
    expect_error "empty kernel" -kernel "$tmp/empty"
    expect_error "kernel is a device" -kernel /dev/null
    expect_error "truncated bzImage" -kernel "$tmp/truncated"
    expect_error "ELF without multiboot header" -kernel "$vmm86"
    expect_error "segment outside RAM" -m 1 -kernel "$kdir/mb_elf.elf"
    expect_error "initrd too big for RAM" -m 16 -kernel "$kdir/bzimage_mini.bin" -initrd "$tmp/big-initrd"
    expect_error "missing initrd" -m 16 -kernel "$kdir/bzimage_mini.bin" -initrd "$tmp/nope"
    expect_error "module too big" -m 8 -kernel "$kdir/mb_elf.elf" -initrd "$tmp/big-initrd"
    expect_error "command line too long" -m 16 -kernel "$kdir/bzimage_mini.bin" -append "$long"
    expect_error "-initrd without -kernel" -initrd "$tmp/initrd.bin"
    expect_error "-append without -kernel" -append "quiet"
    ;;
serial-echo)
    text="hello vmm86: forty-two bytes of input, more than a FIFO holds."
    want=$(printf '%s' "${text%.}" | tr 'a-z' 'A-Z')
    out=$(printf '%s' "$text" | timeout 60 "$vmm86" -M isapc -m 16 -bios "$kdir/serial_echo.bin" \
        -display none -device isa-debug-exit,iobase=0xf4,iosize=4 --engine "$engine" 2>&1)
    st=$?
    [ "$st" -eq 1 ] && ok "echo guest saw every byte, no overrun" || fail "echo guest: status $st: $out"
    case "$out" in *"$want"*) ok "echoed text" ;; *) fail "echoed text: $out" ;; esac
    # Input that comes later, while the guest sleeps in HLT with no timer armed.
    out=$( (sleep 1; printf 'late.') | timeout 60 "$vmm86" -M isapc -m 16 \
        -bios "$kdir/serial_echo.bin" -display none -device isa-debug-exit,iobase=0xf4,iosize=4 \
        --engine "$engine" 2>&1)
    case "$out" in *LATE*) ok "late input wakes the halted guest" ;; *) fail "late input: $out" ;; esac
    # A closed standard input gives no input: not the bytes of a file vmm86 opened later.
    { printf 'from the disk.'; head -c 65536 /dev/zero; } >"$tmp/disk.img"
    out=$(timeout 60 "$vmm86" -M isapc -m 16 -bios "$kdir/serial_echo.bin" -display none \
        -device isa-debug-exit,iobase=0xf4,iosize=4 -hda "$tmp/disk.img" --engine "$engine" \
        2>&1 0<&-)
    case "$out" in *"FROM THE DISK"*) fail "closed stdin: the guest read a disk image: $out" ;;
    *"echo ready"*) ok "closed stdin reads nothing" ;; *) fail "closed stdin: $out" ;; esac
    ;;
console)
    command -v script >/dev/null 2>&1 || { echo "FAIL: console test needs script(1) (bsdutils)"; exit 1; }
    out=$( (sleep 1; printf 'ab\001h'; sleep 1; printf '\001x') |
        timeout 60 script -qec "$vmm86 -M isapc -m 16 -bios $kdir/serial_echo.bin -nographic --engine $engine" /dev/null)
    st=$?
    [ "$st" -eq 0 ] && ok "C-a x ends vmm86 with status 0" || fail "C-a x: status $st: $out"
    case "$out" in *"C-a x"*) ok "C-a h lists the escapes" ;; *) fail "C-a h: $out" ;; esac
    case "$out" in *AB*) ok "typed bytes reach the guest" ;; *) fail "typed bytes: $out" ;; esac
    case "$out" in *terminated*) ok "quit message" ;; *) fail "quit message: $out" ;; esac
    ;;
*)
    echo "kernel_boot.sh: unknown case '$case'"
    exit 2
    ;;
esac
echo "$case: $fails failure(s)"
[ "$fails" -eq 0 ]
