#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#define MAX_TESTS 512

struct test_case {
    const char *name;
    test_fn fn;
};

static struct test_case tests[MAX_TESTS];
static size_t test_count;
static const char *current;
static int current_failed, current_skipped;

void
test_register(const char *name, test_fn fn)
{
    if (test_count == MAX_TESTS) {
        fprintf(stderr, "runner: more than %d tests; raise MAX_TESTS\n", MAX_TESTS);
        exit(2);
    }
    tests[test_count].name = name;
    tests[test_count].fn = fn;
    test_count++;
}

void
test_fail(const char *file, int line, const char *expr)
{
    printf("FAIL %s:%d: %s (in %s)\n", file, line, expr, current);
    current_failed = 1;
}

void
test_fail_rc(const char *file, int line, const char *expr, hallmark_result got,
             hallmark_result want)
{
    printf("FAIL %s:%d: %s == %s, got %s (in %s)\n", file, line, expr, hallmark_result_name(want),
           hallmark_result_name(got), current);
    current_failed = 1;
}

void
test_skip(const char *why)
{
    printf("SKIP %s: %s\n", current, why);
    current_skipped = 1;
}

int
test_failed(void)
{
    return current_failed;
}

void
test_note(const char *fmt, ...)
{
    va_list ap;

    printf("  %s: ", current);
    va_start(ap, fmt);
    /* clang-analyzer 14 reports ap as uninitialized here although va_start is just above. */
    vprintf(fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
    va_end(ap);
    putchar('\n');
}

const char *
test_vectors_dir(void)
{
    const char *dir = getenv("HALLMARK_VECTORS");

    return dir != NULL && dir[0] != '\0' ? dir : "../shared/vectors";
}

void
test_vector_path(char *out, size_t cap, const char *rel)
{
    int n = snprintf(out, cap, "%s/%s", test_vectors_dir(), rel);

    if (n < 0 || (size_t)n >= cap) {
        out[0] = '\0'; /* an unopenable path: the test reports the data as absent */
    }
}

unsigned char *
test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0, got;

    if (f == NULL) {
        return NULL;
    }
    for (;;) {
        if (cap - n < 4096) {
            unsigned char *bigger = realloc(buf, cap * 2 + 8192);
            if (bigger == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = bigger;
            cap = cap * 2 + 8192;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    fclose(f);
    buf[n] = '\0';
    if (len != NULL) {
        *len = n;
    }
    return buf;
}

static int
hex_nibble(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

size_t
test_unhex(unsigned char *out, size_t cap, const char *hex)
{
    size_t n = strlen(hex), i;

    if (n % 2 != 0 || n / 2 > cap) {
        return (size_t)-1;
    }
    for (i = 0; i < n / 2; i++) {
        int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return (size_t)-1;
        }
        out[i] = (unsigned char)(hi * 16 + lo);
    }
    return n / 2;
}

static int
selected(const char *name, int argc, char **argv)
{
    int i;

    if (argc < 2) {
        return 1;
    }
    for (i = 1; i < argc; i++) {
        if (strstr(name, argv[i]) != NULL) {
            return 1;
        }
    }
    return 0;
}

int
main(int argc, char **argv)
{
    size_t i, passed = 0, failed = 0, skipped = 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    for (i = 0; i < test_count; i++) {
        if (!selected(tests[i].name, argc, argv)) {
            continue;
        }
        current = tests[i].name;
        current_failed = 0;
        current_skipped = 0;
        tests[i].fn();
        if (current_failed) {
            failed++;
        } else if (current_skipped) {
            skipped++;
        } else {
            passed++;
            printf("ok   %s\n", current);
        }
    }
    if (passed + failed + skipped == 0) {
        printf("runner: no test matches the filter\n");
        return 2;
    }
    printf("unit: %zu passed, %zu failed", passed, failed);
    if (skipped > 0) {
        printf(", %zu skipped", skipped);
    }
    printf("\n");
    return failed > 0 ? 1 : 0;
}

uint32_t
test_rand(uint64_t *state, uint32_t n)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return (uint32_t)(*state >> 11) % n;
}
