/* bench-peers: the C JOSE peers of issue 16 on the same claims, ES256, beside their limit.
 *   cjose 0.6.2 (Debian libcjose-dev): cjose_jws_sign + export, cjose_jws_import + verify;
 *   libjwt 1.10 (Debian libjwt-dev): jwt_new + grants + jwt_encode_str, jwt_decode (it reads the
 *   PEM key on every call: that is its API);
 *   the limit: OpenSSL ES256 over the same signing input with its contexts kept (SHA-256 by
 *   EVP_Digest with the digest fetched once, then EVP_PKEY_sign / EVP_PKEY_verify on the key's
 *   contexts made once): the honest limit of issue 16, above bench-core's per-call EVP figure.
 * The claims are those of the first token of SIGNED.ndjson (a token hallmark-signer made), under
 * the protected header {"alg":"ES256","typ":"hallmark+jwt"}. Neither peer checks any Hallmark
 * rule: these rows say what a bare JWS costs in each, per CPU second on one thread. Rounds
 * alternate each peer with the limit; each figure is its best round and each ratio the median of
 * the per-round ratios. One JSON object on stdout.
 * usage: bench-peers SIGNED.ndjson */
#include <cjose/cjose.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "hm_b64url.h"
#include "hm_json.h"

#define ROUNDS 5
#define CLAIMS_MAX 8192

struct peers {
    char claims[CLAIMS_MAX]; /* the JSON of the claims */
    size_t claims_len;
    bench_es256 *limit;             /* OpenSSL ES256 with its contexts kept */
    char *pem_private, *pem_public; /* for libjwt */
    cjose_jwk_t *jwk;
    cjose_header_t *header;
    char *cjose_token, *libjwt_token; /* one of each, for the verify rows */
    unsigned char input[CLAIMS_MAX * 2], der[80];
    size_t input_len, der_len;
};

typedef int (*op_fn)(struct peers *);

/* The limit: SHA-256 of the input, then ECDSA with contexts made once (bench_es256). */
static int
raw_sign(struct peers *p)
{
    p->der_len = sizeof p->der;
    return bench_es256_sign(p->limit, p->input, p->input_len, p->der, &p->der_len);
}

static int
raw_verify(struct peers *p)
{
    return bench_es256_verify(p->limit, p->input, p->input_len, p->der, p->der_len);
}

static int
cjose_sign(struct peers *p)
{
    cjose_jws_t *jws =
        cjose_jws_sign(p->jwk, p->header, (const uint8_t *)p->claims, p->claims_len, NULL);
    const char *out = NULL;
    int ok = jws != NULL && cjose_jws_export(jws, &out, NULL) && out != NULL;

    cjose_jws_release(jws);
    return ok;
}

static int
cjose_verify(struct peers *p)
{
    cjose_jws_t *jws = cjose_jws_import(p->cjose_token, strlen(p->cjose_token), NULL);
    int ok = jws != NULL && cjose_jws_verify(jws, p->jwk, NULL);

    cjose_jws_release(jws);
    return ok;
}

static int
libjwt_sign(struct peers *p)
{
    jwt_t *jwt = NULL;
    char *out = NULL;
    int ok = jwt_new(&jwt) == 0 && jwt_add_header(jwt, "typ", "hallmark+jwt") == 0 &&
             jwt_add_grants_json(jwt, p->claims) == 0 &&
             jwt_set_alg(jwt, JWT_ALG_ES256, (const unsigned char *)p->pem_private,
                         (int)strlen(p->pem_private)) == 0 &&
             (out = jwt_encode_str(jwt)) != NULL;

    free(out); /* jwt_encode_str: malloc, free() (libjwt 1.10 has no jwt_free_str) */
    jwt_free(jwt);
    return ok;
}

static int
libjwt_verify(struct peers *p)
{
    jwt_t *jwt = NULL;
    int ok = jwt_decode(&jwt, p->libjwt_token, (const unsigned char *)p->pem_public,
                        (int)strlen(p->pem_public)) == 0;

    jwt_free(jwt);
    return ok;
}

/* Operations per CPU second for about seconds (one thread: CPU and wall agree), or -1. */
static double
rate(struct peers *p, op_fn op, double seconds)
{
    double c0 = bench_cpu_seconds(), t0 = bench_now();
    unsigned long n = 0;

    do {
        int k;
        for (k = 0; k < 16; k++) {
            if (!op(p)) {
                return -1;
            }
        }
        n += 16;
    } while (bench_now() - t0 < seconds);
    return (double)n / (bench_cpu_seconds() - c0);
}

/* The peer and its limit alternately: *best and *best_limit their best rounds, the return value
 * the median ratio, or -1 when an operation failed. */
static double
paired(struct peers *p, op_fn peer, op_fn limit, double seconds, double *best, double *best_limit)
{
    double ratio[ROUNDS];
    int round;

    *best = *best_limit = 0;
    for (round = 0; round < ROUNDS; round++) {
        double l = rate(p, limit, seconds / ROUNDS), r = rate(p, peer, seconds / ROUNDS);
        if (l <= 0 || r <= 0) {
            return -1;
        }
        *best = r > *best ? r : *best;
        *best_limit = l > *best_limit ? l : *best_limit;
        ratio[round] = r / l;
    }
    return bench_median(ratio, ROUNDS);
}

/* The claims of the first token of path into p->claims: 0, or -1. */
static int
read_claims(struct peers *p, const char *path)
{
    char **lines = NULL, *token = NULL;
    json_t *obj = NULL;
    const char *tok, *dot1, *dot2;
    size_t n = bench_read_lines(path, 1, &lines), len = 0;
    int rc = -1;

    if (n == 1 &&
        hm_json_parse_object((const unsigned char *)lines[0], strlen(lines[0]), (size_t)1 << 20, 6,
                             &obj) == HALLMARK_OK &&
        (tok = json_string_value(json_object_get(obj, "token"))) != NULL &&
        (dot1 = strchr(tok, '.')) != NULL && (dot2 = strchr(dot1 + 1, '.')) != NULL &&
        (token = strndup(dot1 + 1, (size_t)(dot2 - dot1 - 1))) != NULL &&
        hm_b64url_decode((unsigned char *)p->claims, sizeof p->claims - 1, token, strlen(token),
                         &len) == HALLMARK_OK) {
        p->claims[len] = '\0';
        p->claims_len = len;
        rc = 0;
    }
    free(token);
    json_decref(obj);
    bench_lines_free(lines, n);
    return rc;
}

/* The key (P-256), its PEM forms, the cjose JWK and header, one token of each peer, and the
 * signing input of the limit. 0, or -1. */
static int
prepare(struct peers *p)
{
    static const char header[] = "{\"alg\":\"ES256\",\"typ\":\"hallmark+jwt\"}";
    BIO *priv = BIO_new(BIO_s_mem()), *pub = BIO_new(BIO_s_mem());
    char *data, h64[128], c64[CLAIMS_MAX * 2];
    long len;
    size_t hl = 0, cl = 0;
    int ok;

    p->limit = bench_es256_new();
    ok =
        p->limit != NULL && priv != NULL && pub != NULL &&
        PEM_write_bio_PrivateKey(priv, bench_es256_key(p->limit), NULL, NULL, 0, NULL, NULL) == 1 &&
        PEM_write_bio_PUBKEY(pub, bench_es256_key(p->limit)) == 1;
    if (ok && (len = BIO_get_mem_data(priv, &data)) > 0) {
        p->pem_private = strndup(data, (size_t)len);
    }
    if (ok && (len = BIO_get_mem_data(pub, &data)) > 0) {
        p->pem_public = strndup(data, (size_t)len);
    }
    BIO_free(priv);
    BIO_free(pub);
    p->jwk = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, NULL);
    p->header = cjose_header_new(NULL);
    if (!ok || p->pem_private == NULL || p->pem_public == NULL || p->jwk == NULL ||
        p->header == NULL ||
        !cjose_header_set(p->header, CJOSE_HDR_ALG, CJOSE_HDR_ALG_ES256, NULL) ||
        !cjose_header_set(p->header, "typ", "hallmark+jwt", NULL)) {
        return -1;
    }
    {
        cjose_jws_t *jws =
            cjose_jws_sign(p->jwk, p->header, (const uint8_t *)p->claims, p->claims_len, NULL);
        const char *out = NULL;
        if (jws == NULL || !cjose_jws_export(jws, &out, NULL) ||
            (p->cjose_token = strdup(out)) == NULL) {
            cjose_jws_release(jws);
            return -1;
        }
        cjose_jws_release(jws);
    }
    {
        jwt_t *jwt = NULL;
        if (jwt_new(&jwt) != 0 || jwt_add_grants_json(jwt, p->claims) != 0 ||
            jwt_set_alg(jwt, JWT_ALG_ES256, (const unsigned char *)p->pem_private,
                        (int)strlen(p->pem_private)) != 0 ||
            (p->libjwt_token = jwt_encode_str(jwt)) == NULL) {
            jwt_free(jwt);
            return -1;
        }
        jwt_free(jwt);
    }
    if (hm_b64url_encode(h64, sizeof h64, (const unsigned char *)header, sizeof header - 1, &hl) !=
            HALLMARK_OK ||
        hm_b64url_encode(c64, sizeof c64, (const unsigned char *)p->claims, p->claims_len, &cl) !=
            HALLMARK_OK ||
        hl + 1 + cl > sizeof p->input) {
        return -1;
    }
    memcpy(p->input, h64, hl);
    p->input[hl] = '.';
    memcpy(p->input + hl + 1, c64, cl);
    p->input_len = hl + 1 + cl;
    return raw_sign(p) ? 0 : -1;
}

int
main(int argc, char **argv)
{
    static struct peers p;
    static const struct {
        const char *name;
        op_fn peer, limit;
    } rows[] = {{"cjose_es256_sign", cjose_sign, raw_sign},
                {"cjose_es256_verify", cjose_verify, raw_verify},
                {"libjwt_es256_sign", libjwt_sign, raw_sign},
                {"libjwt_es256_verify", libjwt_verify, raw_verify}};
    double secs = bench_seconds(2.0), raw_sign_best = 0, raw_verify_best = 0;
    size_t i;
    int st = 1;

    if (argc != 2) {
        (void)fprintf(stderr, "usage: bench-peers SIGNED.ndjson\n");
        return 2;
    }
    if (read_claims(&p, argv[1]) != 0 || prepare(&p) != 0) {
        (void)fprintf(stderr, "bench-peers: cannot read the claims or set up the peers\n");
        goto out;
    }
    (void)printf("{\"cjose_version\":\"%s\",\"libjwt_version\":\"1.10\",\"claims_bytes\":%zu",
                 cjose_version(), p.claims_len);
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        double best, limit, ratio = paired(&p, rows[i].peer, rows[i].limit, secs, &best, &limit);
        if (ratio < 0) {
            (void)fprintf(stderr, "\nbench-peers: %s failed\n", rows[i].name);
            goto out;
        }
        if (rows[i].limit == raw_sign) {
            raw_sign_best = limit > raw_sign_best ? limit : raw_sign_best;
        } else {
            raw_verify_best = limit > raw_verify_best ? limit : raw_verify_best;
        }
        (void)printf(",\"%s\":%.0f,\"%s_ratio\":%.3f", rows[i].name, best, rows[i].name, ratio);
    }
    (void)printf(",\"raw_es256_sign\":%.0f,\"raw_es256_verify\":%.0f,\"rounds\":%d}\n",
                 raw_sign_best, raw_verify_best, ROUNDS);
    st = 0;
out:
    cjose_jwk_release(p.jwk);
    cjose_header_release(p.header);
    free(p.cjose_token);
    free(p.libjwt_token);
    free(p.pem_private);
    free(p.pem_public);
    bench_es256_free(p.limit);
    return st;
}
