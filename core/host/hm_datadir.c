#include "hm_datadir.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *
hm_datadir_path(const char *name, const char *fallback, char *out, size_t cap)
{
    char exe[PATH_MAX], *slash;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

    (void)snprintf(out, cap, "%s", fallback);
    if (n <= 0) {
        return out;
    }
    exe[n] = '\0';
    /* PREFIX/bin/program: cut the program, then bin. */
    if ((slash = strrchr(exe, '/')) == NULL) {
        return out;
    }
    *slash = '\0';
    if ((slash = strrchr(exe, '/')) == NULL) {
        return out;
    }
    *slash = '\0';
    {
        char candidate[PATH_MAX + 64];
        int len = snprintf(candidate, sizeof candidate, "%s/share/hallmark/%s", exe, name);
        if (len > 0 && (size_t)len < sizeof candidate && access(candidate, R_OK) == 0) {
            (void)snprintf(out, cap, "%s", candidate);
        }
    }
    return out;
}
