# Debian's i386 Linux 6.1 kernel with a busybox initramfs (scripts/fetch-linux downloads and
# caches them): boot/linux/fetch checks the images and that vmm86 loads the real bzImage;
# boot/linux/isapc-reboot boots it (pci=off acpi=off), runs a command and ends by
# `reboot -f` with -no-reboot; boot/linux/pc-poweroff does the same on the PCI board with
# ACPI and ends by `poweroff -f` (ACPI S5 through the PIIX4 PM block). A run that halts
# instead fails. Each boot takes about 6.7 billion instructions: under the JIT some 20 s,
# under the interpreter some 10 minutes, hence VMM86_LINUX_ENGINE.
set(VMM86_LINUX_ENGINE jit CACHE STRING "Engine the Linux boot tests use")

add_test(NAME boot/linux/fetch COMMAND ${BOOT_SRC}/linux_boot.sh $<TARGET_FILE:vmm86> fetch)
set_tests_properties(boot/linux/fetch PROPERTIES LABELS boot TIMEOUT 600
  FIXTURES_SETUP linux_images)

foreach(run "isapc;reboot" "pc;poweroff")
  list(GET run 0 machine)
  list(GET run 1 end)
  set(name boot/linux/${machine}-${end})
  add_test(NAME ${name}
    COMMAND ${BOOT_SRC}/linux_boot.sh $<TARGET_FILE:vmm86> ${machine} ${end} ${VMM86_LINUX_ENGINE})
  set_tests_properties(${name} PROPERTIES LABELS boot TIMEOUT 1800 FIXTURES_REQUIRED linux_images)
endforeach()
