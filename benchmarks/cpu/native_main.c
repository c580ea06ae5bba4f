/* native_main.c — the workload as an ordinary gcc -m32 -O2 program: prints the checksum the
 * guest reports on port 0xE9. Usage: cpu-bench-native [scale] */
#include <stdio.h>
#include <stdlib.h>

#include "workload.h"

int main(int argc, char **argv)
{
    uint32_t scale = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : WORKLOAD_SCALE;
    printf("%08x\n", (unsigned)workload_run(scale));
    return 0;
}
