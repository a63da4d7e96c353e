/* Replays fuzz corpus files through a target without libFuzzer, so `make test` (gcc) runs every
 * committed seed and regression file. usage: replay-TARGET FILE... ; prints the closing line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char *
read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
        if (f != NULL) {
            (void)fclose(f);
        }
        return NULL;
    }
    buf = malloc((size_t)n + 1);
    if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    (void)fclose(f);
    *len = (size_t)n;
    return buf;
}

int
main(int argc, char **argv)
{
    int i, passed = 0, failed = 0;

    for (i = 1; i < argc; i++) {
        size_t len = 0;
        unsigned char *data = read_all(argv[i], &len);

        if (data == NULL) {
            printf("FAIL %s: cannot read\n", argv[i]);
            failed++;
            continue;
        }
        /* A finding aborts the process (and ASan reports it), which fails the suite. */
        (void)LLVMFuzzerTestOneInput(data, len);
        free(data);
        passed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed > 0;
}
