#!/bin/sh
# Boots Debian's i386 Linux kernel with the busybox initramfs (scripts/fetch-linux), runs a
# command in the guest and checks the run ends as asked, with status 0.
# Usage: linux_boot.sh VMM86 MACHINE END ENGINE
#   MACHINE isapc|pc    END reboot (with -no-reboot: vmm86 exits 0 on the reset) | poweroff
#   fetch               (as MACHINE) only fetch and check the images, and that vmm86 loads
#                       the real kernel and runs its first instructions
set -u
here=$(cd "$(dirname "$0")" && pwd)
vmm86=$1 machine=$2 end=${3:-reboot} engine=${4:-interp}
paths=$("$here/../../scripts/fetch-linux") || { echo "FAIL: scripts/fetch-linux"; exit 1; }
kernel=$(echo "$paths" | sed -n 1p)
initrd=$(echo "$paths" | sed -n 2p)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$machine" = fetch ]; then
    gzip -t "$initrd" || { echo "FAIL: the initramfs is not valid gzip"; exit 1; }
    # The loader takes the real kernel (bzImage header, initrd placement, zero page) and
    # the CPU starts in it: --max-insns ends the run with its own status, 4.
    "$vmm86" -M isapc -m 128 -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0" \
        -display none -serial none -no-reboot --max-insns 1000 2>"$tmp/err"
    st=$?
    [ "$st" -eq 4 ] || { echo "FAIL: loading $kernel: status $st: $(cat "$tmp/err")"; exit 1; }
    echo "ok: $kernel and $initrd load"
    exit 0
fi

marker="vmm86-linux-test-$$"
append="console=ttyS0 noapic nolapic nokaslr panic=-1 vmm86.run=\"echo $marker\" vmm86.end=$end"
[ "$machine" = isapc ] && append="$append pci=off acpi=off"
# -icount sleep=off: idle time is not paced to the host (the guest's timers run at once).
timeout 1500 "$vmm86" -M "$machine" -m 128 -kernel "$kernel" -initrd "$initrd" -append "$append" \
    -display none -serial "file:$tmp/console.txt" -no-reboot -icount sleep=off \
    --engine "$engine" --max-insns 40000000000 --stats </dev/null 2>"$tmp/err"
st=$?
fails=0
[ "$st" -eq 0 ] || { echo "FAIL: vmm86 exited with status $st"; fails=1; }
# A guest that halts for good also ends with status 0: that is not a reset or a power-off.
if grep -q "halted with nothing left to wake it" "$tmp/err"; then
    echo "FAIL: the guest halted instead of ending by $end"
    fails=1
fi
grep -q "^$marker" "$tmp/console.txt" || { echo "FAIL: the command's output is missing"; fails=1; }
grep -q "vmm86: exit status 0" "$tmp/console.txt" || { echo "FAIL: no 'exit status 0' line"; fails=1; }
if [ "$fails" -ne 0 ]; then
    echo "--- console (last 40 lines)"
    tail -n 40 "$tmp/console.txt"
    echo "--- stderr"
    cat "$tmp/err"
    exit 1
fi
echo "ok: Linux on -M $machine ran the command and ended by $end"
tail -n 3 "$tmp/console.txt"
grep -E "instructions|host seconds|guest MIPS" "$tmp/err"
