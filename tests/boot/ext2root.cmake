# Linux with its root file system on an ext2 IDE disk (ext2root/run-test): the kernel and
# busybox initramfs of scripts/fetch-linux, plus a second archive with the ATA, SCSI-disk
# and ext4 modules and a /diskinit that mounts root=/dev/sda and switch_roots to it
# (scripts/fetch-linux-disk, scripts/mkinitramfs-disk); the disk is built by
# scripts/mkrootfs with e2fsprogs. The guest writes files; the host reads them back with
# debugfs and checks the image with e2fsck -fn.
#   boot/ext2root/prepare          fetches and builds the images once (a fixture, after
#                                  boot/linux/fetch's linux_images)
#   boot/ext2root/pc-poweroff      ata_piix on the PIIX3 IDE function, ends by ACPI S5
#   boot/ext2root/isapc-reboot     pata_legacy on the ISA ports, ends by a reset
# Each boot is about 7.7 billion instructions: some 20-50 s on the JIT.
set(VMM86_EXT2ROOT_ENGINE jit CACHE STRING "Engine the ext2 root boot tests use")

add_test(NAME boot/ext2root/prepare
  COMMAND ${BOOT_SRC}/ext2root/run-test $<TARGET_FILE:vmm86> prepare)
set_tests_properties(boot/ext2root/prepare PROPERTIES LABELS boot TIMEOUT 900
  FIXTURES_SETUP ext2root_images FIXTURES_REQUIRED linux_images)

foreach(run "pc;poweroff" "isapc;reboot")
  list(GET run 0 machine)
  list(GET run 1 end)
  set(name boot/ext2root/${machine}-${end})
  add_test(NAME ${name} COMMAND ${BOOT_SRC}/ext2root/run-test $<TARGET_FILE:vmm86>
    ${machine} ${end} ${VMM86_EXT2ROOT_ENGINE})
  set_tests_properties(${name} PROPERTIES LABELS boot TIMEOUT 1800
    FIXTURES_REQUIRED ext2root_images)
endforeach()
