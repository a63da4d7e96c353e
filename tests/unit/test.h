/* The Hallmark unit-test runner: tests register themselves; `runner [FILTER...]` runs those
 * whose name contains any FILTER, prints FAIL file:line: expression on a failure, and ends with
 * the line "N passed, M failed" (", K skipped" when external data is absent). */
#ifndef HM_TEST_H
#define HM_TEST_H

#include <stddef.h>
#include <stdint.h>

#include "hallmark.h"

typedef void (*test_fn)(void);

void test_register(const char *name, test_fn fn);
void test_fail(const char *file, int line, const char *expr);
void test_fail_rc(const char *file, int line, const char *expr, hallmark_result got,
                  hallmark_result want);
void test_skip(const char *why);
/* An informative line under the test's name (counts, verdict summaries). */
void test_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* 1 once the current test has failed (for loops that should stop early). */
int test_failed(void);

/* Folder of the external vectors: $HALLMARK_VECTORS, else ../shared/vectors. */
const char *test_vectors_dir(void);
/* Opens-free helper: the path of rel inside the vectors folder, NUL-terminated in out. */
void test_vector_path(char *out, size_t cap, const char *rel);
/* Reads a whole file into a NUL-terminated malloc'd buffer; NULL if absent. */
unsigned char *test_read_file(const char *path, size_t *len);
/* A deterministic pseudo-random number below n (xorshift64 over *state, which must not be 0):
 * the same sequence on every run, for tests that try many generated inputs. */
uint32_t test_rand(uint64_t *state, uint32_t n);

/* Hex to bytes: returns the number of bytes, or (size_t)-1 on bad hex or overflow. */
size_t test_unhex(unsigned char *out, size_t cap, const char *hex);

#define TEST(name)                                                                                 \
    static void name(void);                                                                        \
    __attribute__((constructor)) static void name##_register(void)                                 \
    {                                                                                              \
        test_register(#name, name);                                                                \
    }                                                                                              \
    static void name(void)

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        if (!(expr)) {                                                                             \
            test_fail(__FILE__, __LINE__, #expr);                                                  \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* Asserts an exact result code, printing both names on failure. */
#define CHECK_RC(expr, want)                                                                       \
    do {                                                                                           \
        hallmark_result check_rc_got_ = (expr);                                                    \
        if (check_rc_got_ != (want)) {                                                             \
            test_fail_rc(__FILE__, __LINE__, #expr, check_rc_got_, (want));                        \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define SKIP(why)                                                                                  \
    do {                                                                                           \
        test_skip(why);                                                                            \
        return;                                                                                    \
    } while (0)

#endif
