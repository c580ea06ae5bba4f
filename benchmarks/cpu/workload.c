/* workload.c — a CPU-bound integer workload, built twice from this one source: as a
 * bare-metal guest (entry.asm calls workload_run) and as a native gcc -m32 program
 * (native_main.c). No libc, no floating point, no I/O: only the result leaves.
 *
 * Kernels, each folded into one 32-bit checksum:
 *   crc32     bitwise CRC-32 over a pseudo-random buffer (shifts, XOR, branches)
 *   adler     Adler-32 and Fletcher-style sums (additions, division by a constant)
 *   sort      quicksort of pseudo-random integers (loads/stores, compares, recursion)
 *   hash      FNV-1a and a multiplicative hash table with linear probing
 *   sieve     sieve of Eratosthenes (byte stores, nested loops)
 *   bytecode  a small stack-machine interpreter running a loop program (indirect jumps)
 *   strings   memcpy/memset/strlen-style loops
 * The amount of work is set by `scale` (the guest and the native program pass the same).
 */
#include <stdint.h>

#include "workload.h"

#define BUF_SIZE (64 * 1024)
#define SORT_N 20000
#define HASH_SLOTS 4096
#define SIEVE_N 200000

/* Buffers live in .bss (the guest's entry code clears it). */
static uint8_t buf[BUF_SIZE];
static uint32_t arr[SORT_N];
static uint32_t table_keys[HASH_SLOTS], table_vals[HASH_SLOTS];
static uint8_t composite[SIEVE_N + 1];
static uint8_t scratch[8192];

static uint32_t rng_state;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static uint32_t mix(uint32_t h, uint32_t v)
{
    h ^= v + 0x9E3779B9u + (h << 6) + (h >> 2);
    return h;
}

static void fill_buffer(uint32_t seed)
{
    rng_state = seed | 1;
    for (unsigned i = 0; i < BUF_SIZE; i += 4) {
        uint32_t v = rng();
        buf[i] = (uint8_t)v;
        buf[i + 1] = (uint8_t)(v >> 8);
        buf[i + 2] = (uint8_t)(v >> 16);
        buf[i + 3] = (uint8_t)(v >> 24);
    }
}

static uint32_t k_crc32(void)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (unsigned i = 0; i < BUF_SIZE; i++) {
        crc ^= buf[i];
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

static uint32_t k_adler(void)
{
    uint32_t a = 1, b = 0, f1 = 0, f2 = 0;
    for (unsigned i = 0; i < BUF_SIZE; i++) {
        a = (a + buf[i]) % 65521u;
        b = (b + a) % 65521u;
        f1 = (f1 + buf[i]) & 0xFFFF;
        f2 = (f2 + f1) & 0xFFFF;
    }
    return (b << 16 | a) ^ (f2 << 16 | f1);
}

static void quicksort(uint32_t *v, int lo, int hi)
{
    while (lo < hi) {
        uint32_t pivot = v[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                uint32_t t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                j--;
            }
        }
        if (j - lo < hi - i) { /* recurse into the smaller half */
            quicksort(v, lo, j);
            lo = i;
        } else {
            quicksort(v, i, hi);
            hi = j;
        }
    }
}

static uint32_t k_sort(uint32_t seed)
{
    rng_state = seed | 1;
    for (unsigned i = 0; i < SORT_N; i++)
        arr[i] = rng() % 1000000u;
    quicksort(arr, 0, SORT_N - 1);
    uint32_t h = 0;
    for (unsigned i = 0; i < SORT_N; i++) {
        if (i && arr[i - 1] > arr[i])
            return 0xBAD50A7u; /* not sorted */
        h = mix(h, arr[i]);
    }
    return h;
}

static uint32_t k_hash(uint32_t seed)
{
    uint32_t fnv = 2166136261u;
    for (unsigned i = 0; i < BUF_SIZE; i++)
        fnv = (fnv ^ buf[i]) * 16777619u;
    for (unsigned i = 0; i < HASH_SLOTS; i++)
        table_keys[i] = table_vals[i] = 0;
    rng_state = seed | 1;
    uint32_t found = 0;
    for (unsigned n = 0; n < 3000; n++) {
        uint32_t key = (rng() % 5000u) + 1;
        uint32_t slot = (key * 2654435761u) >> 20; /* 12 bits: HASH_SLOTS */
        while (table_keys[slot] && table_keys[slot] != key)
            slot = (slot + 1) & (HASH_SLOTS - 1);
        if (table_keys[slot] == key)
            found += table_vals[slot]++;
        else {
            table_keys[slot] = key;
            table_vals[slot] = 1;
        }
    }
    return fnv ^ found;
}

static uint32_t k_sieve(void)
{
    for (unsigned i = 0; i <= SIEVE_N; i++)
        composite[i] = 0;
    uint32_t count = 0, sum = 0;
    for (unsigned i = 2; i <= SIEVE_N; i++) {
        if (composite[i])
            continue;
        count++;
        sum += i;
        for (unsigned j = i * 2; j <= SIEVE_N; j += i)
            composite[j] = 1;
    }
    return count * 31 + sum;
}

/* A stack machine: the program computes a polynomial-ish sum over a loop counter. */
enum { BC_PUSH, BC_LOAD, BC_STORE, BC_ADD, BC_SUB, BC_MUL, BC_XOR, BC_SHR, BC_DUP,
       BC_JNZ, BC_HALT };

static uint32_t k_bytecode(uint32_t iterations)
{
    /* vars: 0 counter, 1 acc */
    static const int32_t prog[] = {
        BC_LOAD, 0, BC_PUSH, 1, BC_SUB, 0, BC_STORE, 0,           /* counter -= 1 */
        BC_LOAD, 1, BC_PUSH, 33, BC_MUL, 0, BC_LOAD, 0, BC_XOR, 0, /* acc = acc*33 ^ counter */
        BC_DUP, 0, BC_PUSH, 7, BC_SHR, 0, BC_ADD, 0, BC_STORE, 1, /* acc += acc >> 7 */
        BC_LOAD, 0, BC_JNZ, 0,                                    /* while (counter) */
        BC_HALT, 0,
    };
    uint32_t vars[2] = {iterations, 5381};
    uint32_t stack[16];
    int sp = 0, pc = 0;
    for (;;) {
        int32_t op = prog[pc], arg = prog[pc + 1];
        pc += 2;
        switch (op) {
        case BC_PUSH: stack[sp++] = (uint32_t)arg; break;
        case BC_LOAD: stack[sp++] = vars[arg]; break;
        case BC_STORE: vars[arg] = stack[--sp]; break;
        case BC_ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case BC_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case BC_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case BC_XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
        case BC_SHR: sp--; stack[sp - 1] >>= stack[sp]; break;
        case BC_DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case BC_JNZ:
            if (stack[--sp])
                pc = arg;
            break;
        default: return vars[1] ^ (uint32_t)sp;
        }
    }
}

static uint32_t k_strings(uint32_t seed)
{
    uint32_t h = seed;
    for (unsigned round = 0; round < 8; round++) {
        for (unsigned i = 0; i < sizeof scratch; i++)
            scratch[i] = (uint8_t)(buf[(i * 7 + round) & (BUF_SIZE - 1)] | 1);
        scratch[sizeof scratch - 1 - round * 3] = 0;
        unsigned len = 0;
        while (scratch[len])
            len++;
        for (unsigned i = 0; i < len / 2; i++) {
            uint8_t t = scratch[i];
            scratch[i] = scratch[len - 1 - i];
            scratch[len - 1 - i] = t;
        }
        for (unsigned i = 0; i < len; i += 16)
            h = mix(h, scratch[i]);
        h = mix(h, len);
    }
    return h;
}

uint32_t workload_run(uint32_t scale)
{
    uint32_t h = 0x12345678u;
    for (uint32_t round = 0; round < scale; round++) {
        fill_buffer(round * 2654435761u + 1);
        h = mix(h, k_crc32());
        h = mix(h, k_adler());
        h = mix(h, k_sort(round + 7));
        h = mix(h, k_hash(round + 11));
        h = mix(h, k_sieve());
        h = mix(h, k_bytecode(20000 + round));
        h = mix(h, k_strings(round));
    }
    return h;
}
