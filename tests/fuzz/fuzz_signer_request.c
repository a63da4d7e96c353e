/* libFuzzer target: what hallmark-signer does with a request before it signs (signing needs a
 * keystore, which a fuzzer may not create). The input goes both ways the signer reads requests:
 * as an HTTP body (parsed under the default --body-max, then one message, or each element of
 * {"messages":[...]} up to the default --batch-max), and as NDJSON for pipe mode (each line parsed
 * under the line cap, then read as a message). A request that is accepted must keep its limits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hallmark.h"
#include "hm_json.h"
#include "hm_signer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* signer/cli: LINE_MAX_BYTES and depth 6 for a pipe line (trailing CR and LF removed); --body-max,
 * depth 8 and --batch-max defaults for the HTTP service. */
#define LINE_MAX_BYTES ((size_t)1024 * 1024)
#define BODY_MAX ((size_t)1024 * 1024)
#define BATCH_MAX 100U

static void
read_request(const json_t *msg)
{
    hm_sign_request req;
    hm_sign_result res;
    char code[48];
    size_t i;
    hallmark_result rc;

    memset(&res, 0, sizeof res);
    memset(&req, 0, sizeof req);
    rc = hm_sign_request_from_json(msg, &req, &res);
    if (rc == HALLMARK_OK) {
        if (req.brand == NULL || req.channel == NULL || req.from == NULL || req.to == NULL ||
            req.body == NULL || req.category == NULL || req.sender_kind == NULL ||
            req.action_count > HALLMARK_MAX_ACTIONS || req.ttl < 0) {
            abort();
        }
        for (i = 0; i < req.action_count; i++) {
            if (req.actions[i].kind == NULL || req.actions[i].label == NULL ||
                req.actions[i].url == NULL) {
                abort();
            }
        }
    } else if ((rc != HALLMARK_ERR_BAD_REQUEST && rc != HALLMARK_ERR_TOO_LARGE &&
                rc != HALLMARK_ERR_NOMEM) ||
               res.detail == NULL) {
        abort();
    }
    /* What an error reply is made of. */
    if (hm_sign_code(rc, code, sizeof code) == NULL || hm_sign_http_status(rc) < 200 ||
        hm_sign_http_status(rc) > 599) {
        abort();
    }
    hm_sign_result_clear(&res);
}

static void
http_body(const uint8_t *data, size_t size)
{
    json_t *body = NULL, *m;
    const json_t *list;
    size_t i;

    if (size == 0 || hm_json_parse_object(data, size, BODY_MAX, 8, &body) != HALLMARK_OK) {
        return;
    }
    list = json_object_get(body, "messages");
    if (list == NULL) {
        read_request(body);
    } else if (json_is_array(list) && json_object_size(body) == 1 &&
               json_array_size(list) <= BATCH_MAX) {
        json_array_foreach(list, i, m)
        {
            read_request(m);
        }
    }
    json_decref(body);
}

static void
pipe_lines(const uint8_t *data, size_t size)
{
    const uint8_t *line = data, *end = data + size;

    while (line < end) {
        const uint8_t *nl = memchr(line, '\n', (size_t)(end - line));
        size_t len = nl != NULL ? (size_t)(nl - line) : (size_t)(end - line);
        const uint8_t *line_end;
        json_t *msg = NULL;

        line_end = line + len;
        while (line_end > line && line_end[-1] == '\r') {
            line_end--;
        }
        if (hm_json_parse_object(line, (size_t)(line_end - line), LINE_MAX_BYTES, 6, &msg) ==
            HALLMARK_OK) {
            read_request(msg);
            json_decref(msg);
        }
        line += len + 1;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    http_body(data, size);
    pipe_lines(data, size);
    return 0;
}
