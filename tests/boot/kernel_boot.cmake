# Direct kernel boot (-kernel, -initrd, -append) with small test kernels of our own
# (tests/boot/kernels), the errors for malformed images, and host input through the
# serial console. Run by tests/boot/kernel_boot.sh under every engine.
find_program(LD_PROGRAM ld REQUIRED)
set(KERNELS_SRC ${BOOT_SRC}/kernels)
set(KERNELS_BIN ${BOOT_BIN}/kernels)
file(MAKE_DIRECTORY ${KERNELS_BIN})
set(KERNEL_IMAGES ${KERNELS_BIN}/mb_elf.elf)
add_custom_command(OUTPUT ${KERNELS_BIN}/mb_elf.elf
  COMMAND ${NASM} -f elf32 -Werror -I ${KERNELS_SRC}/ -o ${KERNELS_BIN}/mb_elf.o ${KERNELS_SRC}/mb_elf.asm
  COMMAND ${LD_PROGRAM} -m elf_i386 -T ${KERNELS_SRC}/mb_elf.ld -o ${KERNELS_BIN}/mb_elf.elf ${KERNELS_BIN}/mb_elf.o
  DEPENDS ${KERNELS_SRC}/mb_elf.asm ${KERNELS_SRC}/mb_elf.ld ${KERNELS_SRC}/kcheck.inc
  COMMENT "nasm + ld mb_elf.elf")
foreach(name mb_aout mb_reset bzimage_mini serial_echo)
  add_custom_command(OUTPUT ${KERNELS_BIN}/${name}.bin
    COMMAND ${NASM} -f bin -Werror -I ${KERNELS_SRC}/ -I ${PROJECT_SOURCE_DIR}/tests/guests/lib/
            -o ${KERNELS_BIN}/${name}.bin ${KERNELS_SRC}/${name}.asm
    DEPENDS ${KERNELS_SRC}/${name}.asm ${KERNELS_SRC}/kcheck.inc
    COMMENT "nasm ${name}.asm")
  list(APPEND KERNEL_IMAGES ${KERNELS_BIN}/${name}.bin)
endforeach()
add_custom_target(boot_test_kernels ALL DEPENDS ${KERNEL_IMAGES})

foreach(engine IN LISTS VMM86_ENGINES)
  foreach(case multiboot-elf multiboot-aout bzimage reset-reload serial-echo console)
    add_test(NAME boot/kernel/${case}/${engine}
      COMMAND ${BOOT_SRC}/kernel_boot.sh $<TARGET_FILE:vmm86> ${KERNELS_BIN} ${engine} ${case})
    set_tests_properties(boot/kernel/${case}/${engine} PROPERTIES LABELS boot TIMEOUT 300)
  endforeach()
endforeach()
add_test(NAME boot/kernel/errors
  COMMAND ${BOOT_SRC}/kernel_boot.sh $<TARGET_FILE:vmm86> ${KERNELS_BIN} interp errors)
set_tests_properties(boot/kernel/errors PROPERTIES LABELS boot TIMEOUT 120)
