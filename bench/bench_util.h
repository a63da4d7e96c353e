/* What every bench tool needs: clocks, the BENCH_SECONDS knob, and NDJSON input read whole. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>

/* Monotonic wall time and this process's CPU time (user + system), in seconds. */
double bench_now(void);
double bench_cpu_seconds(void);

/* The median of the n values of v (sorts v in place): the figure of a row measured in rounds. */
double bench_median(double *v, size_t n);

/* BENCH_SECONDS from the environment (seconds per measured row), else fallback. */
double bench_seconds(double fallback);

/* Reads up to max lines of path (NUL-terminated, newline cut) into *lines (malloc'd array of
 * malloc'd strings; bench_lines_free). Returns the count, or 0 on error with a message. */
size_t bench_read_lines(const char *path, size_t max, char ***lines);
void bench_lines_free(char **lines, size_t n);

#endif
