/* hm-verify-batch: verifies many messages against one bundle with the verifier library and prints
 * how many got each result, e.g. "HALLMARK_VERIFIED 2311". For tests (load runs).
 * usage: hm-verify-batch ROOT_B64 BUNDLE_FILE NOW < messages.ndjson
 * Each line: {"channel","from","to","body","token"}. Exit 0 if every message verified. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hallmark.h"
#include "hm_fileio.h"
#include "hm_json.h"

int
main(int argc, char **argv)
{
    hallmark_verifier *v = NULL;
    unsigned long counts[HALLMARK_RESULT_MAX + 1] = {0};
    unsigned char *bundle = NULL;
    const char *roots[1];
    char *line = NULL;
    size_t cap = 0, len = 0, i;
    ssize_t n;
    long long now;
    unsigned char state[HALLMARK_TRUST_STATE_MAX];
    size_t state_len = 0;
    int all_ok = 1;

    if (argc != 4) {
        (void)fprintf(stderr,
                      "usage: HALLMARK_PLATFORM=ID hm-verify-batch ROOT_B64 BUNDLE_FILE NOW "
                      "< messages.ndjson\n");
        return 2;
    }
    roots[0] = argv[1];
    now = strtoll(argv[3], NULL, 10);
    if (hm_read_file(argv[2], (size_t)32 << 20, &bundle, &len) != HALLMARK_OK ||
        getenv("HALLMARK_PLATFORM") == NULL ||
        hallmark_verifier_create(&v, getenv("HALLMARK_PLATFORM"), roots, 1, 1) != HALLMARK_OK ||
        hallmark_verifier_load(v, bundle, len, NULL, 0, now, state, sizeof state, &state_len,
                               NULL) != HALLMARK_OK) {
        (void)fprintf(stderr, "hm-verify-batch: cannot load the bundle\n");
        return 2;
    }
    while ((n = getline(&line, &cap, stdin)) > 0) {
        json_t *m = NULL;
        hallmark_message msg;
        hallmark_verification out;
        hallmark_result rc;

        if (hm_json_parse_object((unsigned char *)line, (size_t)n, (size_t)1 << 20, 4, &m) !=
            HALLMARK_OK) {
            rc = HALLMARK_MALFORMED;
        } else {
            memset(&msg, 0, sizeof msg);
            msg.channel = json_string_value(json_object_get(m, "channel"));
            msg.from = json_string_value(json_object_get(m, "from"));
            msg.to = json_string_value(json_object_get(m, "to"));
            msg.body = (const unsigned char *)json_string_value(json_object_get(m, "body"));
            msg.body_len = json_string_length(json_object_get(m, "body"));
            msg.token = json_string_value(json_object_get(m, "token"));
            msg.token_len = msg.token != NULL ? strlen(msg.token) : 0;
            rc = hallmark_verify(v, &msg, now, &out);
        }
        json_decref(m);
        if ((int)rc >= 0 && rc <= HALLMARK_RESULT_MAX) {
            counts[rc]++;
        }
        all_ok &= rc == HALLMARK_VERIFIED;
    }
    for (i = 0; i <= HALLMARK_RESULT_MAX; i++) {
        if (counts[i] > 0) {
            (void)printf("%s %lu\n", hallmark_result_name((hallmark_result)i), counts[i]);
        }
    }
    free(line);
    free(bundle);
    hallmark_verifier_free(v);
    return all_ok ? 0 : 1;
}
