# Debian's i386 Linux 6.1 kernel with a busybox initramfs (scripts/fetch-linux downloads and
# caches them): boot/linux/fetch checks the images and that vmm86 loads the real bzImage;
# boot/linux/isapc-reboot boots it, runs a command and ends by `reboot -f` with -no-reboot.
# It takes about 6.7 billion instructions: under the JIT some 20 s, under the interpreter
# some 10 minutes, hence VMM86_LINUX_ENGINE.
#
# boot/linux/pc-poweroff ends by `poweroff -f`, which needs ACPI (the PIIX4 PM block and the
# tables written into RAM for a direct boot): until -M pc has them it is DISABLED (ctest
# lists it as "Not Run (Disabled)"); -DVMM86_LINUX_PC_POWEROFF=ON runs it. Without ACPI the
# kernel halts instead of powering off, which the test reports as a failure.
option(VMM86_LINUX_PC_POWEROFF "Run the -M pc Linux power-off test (needs ACPI on direct boots)" OFF)
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
if(NOT VMM86_LINUX_PC_POWEROFF)
  set_tests_properties(boot/linux/pc-poweroff PROPERTIES DISABLED TRUE)
endif()
