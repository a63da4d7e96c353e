/* Token ids from the per-thread pool (hm_jti.h): distinct across pool refills, and a child
 * process never draws the ids its parent will draw next ([HM-TOKEN-24]: a fresh jti per token). */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hm_jti.h"
#include "test.h"

#define IDS 1000 /* several refills of the 256-id pool */

TEST(jti_ids_are_distinct_across_refills)
{
    static unsigned char ids[IDS][HM_JTI_BYTES];
    static const unsigned char zero[HM_JTI_BYTES];
    size_t i, j;

    for (i = 0; i < IDS; i++) {
        hm_jti_random(ids[i]);
        CHECK(memcmp(ids[i], zero, sizeof zero) != 0);
    }
    for (i = 0; i < IDS; i++) {
        for (j = i + 1; j < IDS; j++) {
            CHECK(memcmp(ids[i], ids[j], HM_JTI_BYTES) != 0);
        }
    }
    hm_jti_pool_wipe(); /* the next id refills: still fresh */
    hm_jti_random(ids[0]);
    for (j = 1; j < IDS; j++) {
        CHECK(memcmp(ids[0], ids[j], HM_JTI_BYTES) != 0);
    }
}

TEST(jti_pool_is_not_shared_with_a_child_process)
{
    unsigned char first[HM_JTI_BYTES], parent[HM_JTI_BYTES], child[HM_JTI_BYTES];
    int fds[2], status = 0;
    pid_t pid;

    hm_jti_random(first); /* the pool is filled before the fork */
    CHECK(pipe(fds) == 0);
    pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        hm_jti_random(child);
        _exit(write(fds[1], child, sizeof child) == (ssize_t)sizeof child ? 0 : 1);
    }
    (void)close(fds[1]);
    hm_jti_random(parent);
    CHECK(read(fds[0], child, sizeof child) == (ssize_t)sizeof child);
    (void)close(fds[0]);
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(memcmp(parent, child, sizeof child) != 0);
    CHECK(memcmp(first, child, sizeof child) != 0);
}
