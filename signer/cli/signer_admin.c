/* hallmark-signer's offline commands: `audit verify` checks a signature log for an auditor, and
 * `client add` mints a client's bearer token for the clients file. Neither needs the keystore. */
#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hm_b64url.h"
#include "hm_digest.h"
#include "hm_fileio.h"
#include "hm_ids.h"
#include "hm_json.h"
#include "hm_sigaudit.h"
#include "signer_admin.h"
#include "signer_serve.h"

#define TOKEN_BYTES 32U
#define CLIENTS_FILE_MAX ((size_t)1 << 20)

/* audit verify LOG [--checkpoint FILE]: 0 intact, 1 not, 2 usage or unreadable. */
static int
audit_verify(int argc, char **argv)
{
    static const struct option opts[] = {{"checkpoint", required_argument, NULL, 'c'},
                                         {NULL, 0, NULL, 0}};
    const char *checkpoint = NULL;
    char err[1024];
    size_t entries = 0, first_bad = 0;
    hallmark_result rc;
    int ch;

    opterr = 0;
    optind = 3;
    while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (ch == 'c') {
            checkpoint = optarg;
        } else {
            return signer_fail(EXIT_USAGE, "audit verify LOG [--checkpoint FILE] (see --help)");
        }
    }
    if (optind != argc - 1) {
        return signer_fail(EXIT_USAGE, "audit verify LOG [--checkpoint FILE] (see --help)");
    }
    rc = hm_sigaudit_verify(argv[optind], checkpoint, &entries, &first_bad, err, sizeof err);
    if (rc == HALLMARK_ERR_CORRUPT) {
        (void)signer_fail(EXIT_FAILED, "%s", err);
        if (first_bad > 0) {
            (void)printf("first bad record: %zu\n", first_bad);
        }
        return EXIT_FAILED;
    }
    if (rc != HALLMARK_OK) {
        return signer_fail(EXIT_USAGE, "%s", err);
    }
    (void)printf("%s: %zu records, hash chain intact, reaches its checkpoint %s%s\n", argv[optind],
                 entries, checkpoint != NULL ? checkpoint : argv[optind],
                 checkpoint != NULL ? "" : ".head");
    return EXIT_DONE;
}

/* "a,b,c" into a JSON array of brand ids or channels ("*": all), or NULL. */
static json_t *
list_arg(const char *arg, int brands)
{
    json_t *out = json_array();
    char *copy = strdup(arg), *save = NULL, *item;

    if (out == NULL || copy == NULL) {
        free(copy);
        json_decref(out);
        return NULL;
    }
    for (item = strtok_r(copy, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
        if ((strcmp(item, "*") != 0 && !(brands ? hm_brand_id_ok(item) : hm_channel_ok(item))) ||
            json_array_size(out) >= ALLOW_MAX ||
            json_array_append_new(out, json_string(item)) != 0) {
            json_decref(out);
            free(copy);
            return NULL;
        }
    }
    free(copy);
    if (json_array_size(out) == 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* The clients file as it is (a missing one is empty), checked as serve would load it. */
static int
clients_read(const char *path, json_t **doc)
{
    static struct signer_opts check;
    unsigned char *text = NULL;
    size_t len = 0;
    int st;

    *doc = NULL;
    if (hm_read_file(path, CLIENTS_FILE_MAX, &text, &len) != HALLMARK_OK) {
        if (errno != ENOENT) {
            return signer_fail(EXIT_USAGE, "%s: %s", path, strerror(errno));
        }
        *doc = json_pack("{s:[]}", "clients");
        return *doc != NULL ? 0 : signer_fail(EXIT_USAGE, "out of memory");
    }
    free(text);
    srv.o = &check;
    st = serve_clients_load(path);
    serve_clients_free();
    if (st != 0) {
        return st;
    }
    if (hm_read_file(path, CLIENTS_FILE_MAX, &text, &len) != HALLMARK_OK ||
        hm_json_parse_object(text, len, CLIENTS_FILE_MAX, 6, doc) != HALLMARK_OK) {
        free(text);
        return signer_fail(EXIT_USAGE, "%s: changed while being read", path);
    }
    free(text);
    return 0;
}

/* client add ID --brands B[,B] [--channels C[,C]] --clients FILE: mints a bearer token, adds
 * the client with only the token's SHA-256, and prints the token once. */
static int
client_add(int argc, char **argv)
{
    static const struct option opts[] = {{"brands", required_argument, NULL, 'b'},
                                         {"channels", required_argument, NULL, 'c'},
                                         {"clients", required_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    const char *brands = NULL, *channels = NULL, *path = NULL, *id;
    unsigned char secret[TOKEN_BYTES];
    char token[64], hash[HM_SHA256_B64_LEN + 1];
    json_t *doc = NULL, *entry = NULL, *b = NULL, *c = NULL, *v;
    char *text = NULL;
    size_t i;
    int ch, st = EXIT_USAGE;

    opterr = 0;
    optind = 3;
    while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (ch) {
        case 'b':
            brands = optarg;
            break;
        case 'c':
            channels = optarg;
            break;
        case 'f':
            path = optarg;
            break;
        default:
            return signer_fail(EXIT_USAGE, "client add ID --brands B[,B...] [--channels "
                                           "C[,C...]] --clients FILE (see --help)");
        }
    }
    if (optind != argc - 1 || brands == NULL || path == NULL) {
        return signer_fail(EXIT_USAGE, "client add ID --brands B[,B...] [--channels C[,C...]] "
                                       "--clients FILE (see --help)");
    }
    id = argv[optind];
    if (id[0] == '\0' || strlen(id) > 64 ||
        strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != strlen(id)) {
        return signer_fail(EXIT_USAGE, "client id: 1 to 64 of a-z, 0-9, '-', '_' and '.'");
    }
    if ((b = list_arg(brands, 1)) == NULL) {
        return signer_fail(EXIT_USAGE, "--brands: brand ids (or *), comma-separated, at most %u",
                           ALLOW_MAX);
    }
    if (channels != NULL && (c = list_arg(channels, 0)) == NULL) {
        json_decref(b);
        return signer_fail(EXIT_USAGE, "--channels: channels (or *), comma-separated, at most %u",
                           ALLOW_MAX);
    }
    if ((st = clients_read(path, &doc)) != 0) {
        goto out;
    }
    st = EXIT_USAGE;
    json_array_foreach(json_object_get(doc, "clients"), i, v)
    {
        const char *other = hm_json_string(v, "id", NULL);
        if (other != NULL && strcmp(other, id) == 0) {
            (void)signer_fail(EXIT_USAGE, "%s: a client %s exists already", path, id);
            goto out;
        }
    }
    if (json_array_size(json_object_get(doc, "clients")) >= CLIENTS_MAX) {
        (void)signer_fail(EXIT_USAGE, "%s: already %u clients", path, CLIENTS_MAX);
        goto out;
    }
    /* 256 random bits; the file keeps only their hash, as serve_authenticate compares it. */
    randombytes_buf(secret, sizeof secret);
    if (hm_b64url_encode(token, sizeof token, secret, sizeof secret, NULL) != HALLMARK_OK ||
        hm_sha256_b64url(hash, (const unsigned char *)token, strlen(token)) != HALLMARK_OK ||
        (entry = json_pack("{s:s,s:s,s:O}", "id", id, "token_sha256", hash, "brands", b)) == NULL ||
        (c != NULL && json_object_set(entry, "channels", c) != 0) ||
        json_array_append(json_object_get(doc, "clients"), entry) != 0 ||
        (text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) == NULL) {
        (void)signer_fail(EXIT_USAGE, "out of memory");
        goto out;
    }
    {
        size_t n = strlen(text);
        text[n] = '\n';
        if (hm_atomic_write(path, text, n + 1) != HALLMARK_OK) {
            (void)signer_fail(EXIT_USAGE, "%s: cannot write: %s", path, strerror(errno));
            goto out;
        }
    }
    (void)printf("%s\n", token);
    (void)fprintf(stderr,
                  "hallmark-signer: client %s added to %s (only its token's SHA-256 is kept). "
                  "The token above is shown once: give it to the client (Authorization: Bearer "
                  "TOKEN) and restart the signer, which reads its clients at start\n",
                  id, path);
    st = EXIT_DONE;
out:
    sodium_memzero(secret, sizeof secret);
    sodium_memzero(token, sizeof token);
    free(text);
    json_decref(entry);
    json_decref(doc);
    json_decref(b);
    json_decref(c);
    return st;
}

int
signer_admin(int argc, char **argv)
{
    if (strcmp(argv[1], "audit") == 0 && argc >= 3 && strcmp(argv[2], "verify") == 0) {
        return audit_verify(argc, argv);
    }
    if (strcmp(argv[1], "client") == 0 && argc >= 3 && strcmp(argv[2], "add") == 0) {
        return client_add(argc, argv);
    }
    return signer_fail(EXIT_USAGE, "%s: the command is '%s verify' or '%s add' (see --help)",
                       argv[1], argv[1], argv[1]);
}
