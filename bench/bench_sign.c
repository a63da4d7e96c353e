/* bench-sign: the signer library in-process, one thread, on the same message mix as pipe mode.
 * Requests are parsed once up front, so the figure is hm_signer_sign alone (checks, claims,
 * JSON, base64url, Ed25519); a second figure adds reading each request from its JSON line.
 * The thread keeps a memo of recipient stems as the service's and pipe mode's threads do
 * (--stem-memo, 65,536), and the first pass over the mix fills it: the rows measure signing for
 * repeat customers, whose stems are known; what a new recipient costs is bench-core's stem row.
 * The limit is measured beside it, alternating rounds in this process so that a noisy machine
 * moves both alike: crypto_sign_detached over the very signing inputs (header.payload) of the
 * tokens. Each round gives each operation's ratio to the limit of that round; the figure is the
 * median of those ratios (and each rate's best round). Also prints their mean length, for
 * bench-core.
 * usage: bench-sign KEYSTORE PASSPHRASE_FILE MESSAGES.ndjson [--count N | --es256]
 *   --es256: the keystore's keys are ES256; the limit is then OpenSSL ES256 with its contexts
 *   kept (bench_es256), over the same signing inputs.
 *   --count N: signs the mix N times over, parsed, untimed, and prints nothing else: for
 *   callgrind (bench/callgrind.sh counts the instructions of sign_counted per signature). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "hm_json.h"
#include "hm_passphrase.h"
#include "hm_secmem.h"
#include "hm_signer.h"

#define MESSAGES_MAX 20000
#define ROUNDS 5

struct message {
    const char *line; /* borrowed from mix.lines */
    json_t *obj;
    hm_sign_request req; /* strings borrowed from obj */
    char *input;         /* the signing input of its token, for the limit */
};

struct mix {
    const hm_signer *s;
    char **lines;
    struct message *msgs;
    size_t n;
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    bench_es256 *es256; /* with --es256: the limit */
    long long now;
};

static int
sign_parsed(const struct mix *m, size_t i, size_t *input_len)
{
    hm_sign_result res;
    int ok;

    memset(&res, 0, sizeof res);
    ok = hm_signer_sign(m->s, &m->msgs[i].req, m->now, &res) == HALLMARK_OK;
    if (ok && input_len != NULL) {
        *input_len = (size_t)(strrchr(res.token, '.') - res.token);
        m->msgs[i].input = strndup(res.token, *input_len);
        ok = m->msgs[i].input != NULL;
    }
    hm_sign_result_clear(&res);
    return ok;
}

static int
raw_sign(const struct mix *m, size_t i, size_t *input_len)
{
    const unsigned char *in = (const unsigned char *)m->msgs[i].input;
    unsigned char sig[80]; /* an Ed25519 signature, or a P-256 one in DER */
    size_t sig_len = sizeof sig;

    (void)input_len;
    if (m->es256 != NULL) {
        return bench_es256_sign(m->es256, in, strlen(m->msgs[i].input), sig, &sig_len);
    }
    return crypto_sign_detached(sig, NULL, in, strlen(m->msgs[i].input), m->sk) == 0;
}

static int
sign_from_line(const struct mix *m, size_t i, size_t *input_len)
{
    json_t *obj = NULL;
    hm_sign_request req;
    hm_sign_result res;
    int ok;

    (void)input_len;
    memset(&res, 0, sizeof res);
    ok = hm_json_parse_object((const unsigned char *)m->msgs[i].line, strlen(m->msgs[i].line),
                              (size_t)1 << 20, 6, &obj) == HALLMARK_OK &&
         hm_sign_request_from_json(obj, &req, &res) == HALLMARK_OK &&
         hm_signer_sign(m->s, &req, m->now, &res) == HALLMARK_OK;
    hm_sign_result_clear(&res);
    json_decref(obj);
    return ok;
}

/* Signatures per second over the mix, for about seconds; *cpu_rate: per CPU second. */
static double
rate(const struct mix *m, int (*op)(const struct mix *, size_t, size_t *), double seconds,
     double *cpu_rate)
{
    double t0 = bench_now(), c0 = bench_cpu_seconds(), elapsed;
    size_t i = 0;
    unsigned long n = 0;

    do {
        int k;
        for (k = 0; k < 64; k++) {
            if (!op(m, i, NULL)) {
                (void)fprintf(stderr, "bench-sign: message %zu was refused\n", i + 1);
                exit(1);
            }
            i = i + 1 == m->n ? 0 : i + 1;
        }
        n += 64;
        elapsed = bench_now() - t0;
    } while (elapsed < seconds);
    *cpu_rate = (double)n / (bench_cpu_seconds() - c0);
    return (double)n / elapsed;
}

typedef int (*sign_op)(const struct mix *, size_t, size_t *);

/* Alternates the ops (ops[0] the limit) for ROUNDS rounds of seconds / ROUNDS; best[k] and
 * best_cpu[k] get each op's best round, ratio[k] the median over the rounds of its rate divided
 * by the limit's rate in the same round. */
static void
paired(const struct mix *m, const sign_op *ops, size_t n_ops, double seconds, double *best,
       double *best_cpu, double *ratio)
{
    double per_round[3][ROUNDS];
    int round;
    size_t k;

    for (k = 0; k < n_ops; k++) {
        best[k] = best_cpu[k] = 0;
    }
    for (round = 0; round < ROUNDS; round++) {
        double limit = 0;
        for (k = 0; k < n_ops; k++) {
            double cpu, r = rate(m, ops[k], seconds / ROUNDS, &cpu);
            limit = k == 0 ? r : limit;
            per_round[k][round] = r / limit;
            best[k] = r > best[k] ? r : best[k];
            best_cpu[k] = cpu > best_cpu[k] ? cpu : best_cpu[k];
        }
    }
    for (k = 0; k < n_ops; k++) {
        ratio[k] = bench_median(per_round[k], ROUNDS);
    }
}

/* Signs the mix rounds times over: the operation bench/callgrind.sh counts (kept out of line so
 * that callgrind can toggle on it). */
__attribute__((noinline)) static int
sign_counted(const struct mix *m, unsigned long rounds)
{
    unsigned long r;
    size_t i;

    for (r = 0; r < rounds; r++) {
        for (i = 0; i < m->n; i++) {
            if (!sign_parsed(m, i, NULL)) {
                return 0;
            }
        }
    }
    return 1;
}

/* Parses and signs every message once: each request must be signable, and its token gives the
 * signing input for the limit. Returns the mean input length, or 0. */
static size_t
prepare(struct mix *m)
{
    size_t i, total = 0, len = 0;

    for (i = 0; i < m->n; i++) {
        hm_sign_result res;
        struct message *msg = &m->msgs[i];

        memset(&res, 0, sizeof res);
        msg->line = m->lines[i];
        if (hm_json_parse_object((const unsigned char *)msg->line, strlen(msg->line),
                                 (size_t)1 << 20, 6, &msg->obj) != HALLMARK_OK ||
            hm_sign_request_from_json(msg->obj, &msg->req, &res) != HALLMARK_OK ||
            !sign_parsed(m, i, &len)) {
            (void)fprintf(stderr, "bench-sign: message %zu is not signable\n", i + 1);
            return 0;
        }
        total += len;
    }
    return total / m->n;
}

int
main(int argc, char **argv)
{
    static const sign_op ops[] = {raw_sign, sign_parsed, sign_from_line};
    struct mix m;
    hm_signer *s = NULL;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    char err[512] = "", *pass = NULL;
    size_t pass_len = 0, i, input_mean;
    double secs = bench_seconds(2.0), best[3], best_cpu[3], ratio[3];
    unsigned long count = 0;
    int st = 2, es256 = argc == 5 && strcmp(argv[4], "--es256") == 0;

    if ((argc != 4 && argc != 6 && !es256) ||
        (argc == 6 &&
         (strcmp(argv[4], "--count") != 0 || (count = strtoul(argv[5], NULL, 10)) == 0))) {
        (void)fprintf(stderr, "usage: bench-sign KEYSTORE PASSPHRASE_FILE MESSAGES.ndjson "
                              "[--count N | --es256]\n");
        return 2;
    }
    memset(&m, 0, sizeof m);
    if (es256 && (m.es256 = bench_es256_new()) == NULL) {
        (void)fprintf(stderr, "bench-sign: OpenSSL cannot make a P-256 key\n");
        return 1;
    }
    m.now = (long long)time(NULL);
    if (hm_crypto_init() != HALLMARK_OK ||
        hm_passphrase_read(argv[2], "", 0, &pass, &pass_len, err, sizeof err) != HALLMARK_OK ||
        hm_signer_load(argv[1], pass, pass_len, m.now, &s, err, sizeof err) != HALLMARK_OK) {
        (void)fprintf(stderr, "bench-sign: %s\n", err);
        goto out;
    }
    crypto_sign_keypair(pk, m.sk);
    m.s = s;
    if (hm_signer_thread_memo(65536) != HALLMARK_OK) { /* hallmark-signer's default */
        (void)fprintf(stderr, "bench-sign: no memory for the stem memo\n");
        goto out;
    }
    m.n = bench_read_lines(argv[3], MESSAGES_MAX, &m.lines);
    m.msgs = calloc(m.n + 1, sizeof *m.msgs);
    if (m.n == 0 || m.msgs == NULL || (input_mean = prepare(&m)) == 0) {
        st = 1;
        goto out;
    }
    if (count > 0) {
        st = sign_counted(&m, count) ? 0 : 1;
        goto out;
    }
    paired(&m, ops, 3, secs * 1.5, best, best_cpu, ratio);
    (void)printf("{\"alg\":\"%s\",\"messages\":%zu,\"signing_input_mean\":%zu,\"limit\":%.0f,"
                 "\"limit_per_cpu\":%.0f,\"sign\":%.0f,\"sign_per_cpu\":%.0f,"
                 "\"parse_and_sign\":%.0f,\"parse_and_sign_per_cpu\":%.0f,"
                 "\"sign_ratio\":%.3f,\"parse_and_sign_ratio\":%.3f,\"rounds\":%d}\n",
                 es256 ? "ES256" : "Ed25519", m.n, input_mean, best[0], best_cpu[0], best[1],
                 best_cpu[1], best[2], best_cpu[2], ratio[1], ratio[2], ROUNDS);
    st = 0;
out:
    for (i = 0; m.msgs != NULL && i < m.n; i++) {
        json_decref(m.msgs[i].obj);
        free(m.msgs[i].input);
    }
    free(m.msgs);
    bench_lines_free(m.lines, m.n);
    hm_signer_unref(s);
    hm_signer_thread_memo_release();
    hm_secret_free(pass);
    sodium_memzero(m.sk, sizeof m.sk);
    bench_es256_free(m.es256);
    return st;
}
