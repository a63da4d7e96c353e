/* hallmark-signer: signs outgoing brand messages, as a pipe (NDJSON) or as an HTTPS service. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hm_datadir.h"
#include "hm_digest.h"
#include "hm_json.h"
#include "hm_keystore.h"
#include "hm_passphrase.h"
#include "hm_secmem.h"
#include "hm_sigaudit.h"
#include "hm_signer.h"
#include "hm_store.h"
#include "signer_admin.h"
#include "signer_cli.h"

static const char usage_text[] =
    "usage: hallmark-signer sign --keystore DIR --audit FILE < messages.ndjson\n"
    "       hallmark-signer serve --keystore DIR --listen HOST:PORT|unix:PATH --audit FILE\n"
    "                             --clients FILE [--tls-cert PEM --tls-key PEM [--client-ca PEM]]\n"
    "       hallmark-signer directory --store SPEC --listen HOST:PORT|unix:PATH\n"
    "                                 [--tls-cert PEM --tls-key PEM]\n"
    "       hallmark-signer audit verify LOG [--checkpoint FILE]\n"
    "       hallmark-signer client add ID --brands B[,B...] [--channels C[,C...]] --clients FILE\n"
    "       hallmark-signer --version | --help\n"
    "\n"
    "Signs outgoing brand messages with the brand's active key from a hallmark-keys keystore,\n"
    "after checking that the brand may send them (sender id, link domains, fields). Only keys\n"
    "that the published trust bundle carries are used, and each is proven at start-up by\n"
    "signing a probe that must verify with the verifier library.\n"
    "\n"
    "sign: one JSON message per input line, one JSON result per line on stdout, in order:\n"
    "  "
    "{\"brand\":\"acme-bank\",\"channel\":\"sms\",\"from\":\"ACMEBANK\",\"to\":\"+447700900123\",\n"
    "   \"body\":\"...\",\"category\":\"transactional\",\"sender\":{\"kind\":\"automated\"},\n"
    "   "
    "\"conv\":\"c-1\",\"actions\":[{\"kind\":\"link\",\"label\":\"Pay\",\"url\":\"https://...\"}],"
    "\"ttl\":86400}\n"
    "  gives the message with \"token\", \"jti\" and \"kid\" added, or\n"
    "  "
    "{\"line\":N,\"error\":{\"code\":\"sender_not_authorized\",\"message\":\"...\",\"field\":"
    "\"from\"}}\n"
    "  Optional: \"subject\" (e-mail Subject or push title), \"reply_to\" (email; a domain of\n"
    "  the brand's e-mail senders), \"renderings\" ([] or [\"gsm7\"], the sms default: the\n"
    "  GSM-7 rendering is signed too and kept under its own lookup key; spec 3.4).\n"
    "  A bad line never stops the stream. Exit 0 if every line was signed, 1 if any failed.\n"
    "\n"
    "serve: the HTTP API (spec/signer-api.yaml): POST /v1/sign, POST /v1/sign/batch,\n"
    "  GET /v1/bundle, GET /v1/jwks, GET /v1/tokens/KEY (the token directory),\n"
    "  GET /healthz, GET /metrics. A newly published bundle (or a changed keystore.json)\n"
    "  is loaded by itself within --reload-every seconds, as SIGHUP loads it at once;\n"
    "  either way the old set keeps serving if the new one fails. SIGTERM drains and exits.\n"
    "\n"
    "directory: only GET /v1/tokens/KEY, /healthz and /metrics, from a shared store\n"
    "  (postgres:CONNINFO, written by the serve nodes): a node with no keystore, no\n"
    "  passphrase and no clients, to scale the token directory out. Every other path is\n"
    "  404. Example:\n"
    "    hallmark-signer directory --store 'postgres:host=db.internal dbname=hallmark' \\\n"
    "        --listen 0.0.0.0:443 --tls-cert directory.pem --tls-key directory.key\n"
    "\n"
    "audit verify: checks a signature log offline (the --audit FILE of sign and serve, or a\n"
    "  copy): its whole hash chain, and that it reaches its checkpoint (LOG.head, or a copy\n"
    "  kept off the host with --checkpoint). Writes nothing. Exit 0 intact, 1 not (the first\n"
    "  bad record is named), 2 unreadable.\n"
    "\n"
    "client add: mints a bearer token for a new client of the clients file (created if\n"
    "  missing) with the brands (and channels; default all) it may sign for, prints the\n"
    "  token once on stdout and keeps only its SHA-256 in the file. Restart serve to use it.\n"
    "\n"
    "serve writes one JSON line per request on stderr (id, method, path, status, error,\n"
    "  latency_ms, peer, client); each reply carries the id as X-Request-Id.\n"
    "\n";
static const char usage_options[] =
    "options:\n"
    "  --keystore DIR          the hallmark-keys keystore (default: $HALLMARK_KEYSTORE)\n"
    "  --passphrase-file FILE  its passphrase (default: $HALLMARK_PASSPHRASE_FILE, else a prompt)\n"
    "                          Keys in an HSM (key add --pkcs11) sign through the module the\n"
    "                          keystore records ($HALLMARK_PKCS11_MODULE overrides it), with the\n"
    "                          PIN of the URI's pin-source or $HALLMARK_PKCS11_PIN_FILE; a token\n"
    "                          that does not answer gets 503 hsm_unavailable (docs/hsm.md)\n"
    "  --audit FILE            hash-chained log of every signature (required; one writer),\n"
    "                          with its checkpoint FILE.head: a log cut or rewritten since\n"
    "                          the checkpoint stops the signer from starting\n"
    "  --store SPEC            where tokens that travel without their message are kept for the\n"
    "                          app to fetch (spec 9.5-9.6: every sms token; rcs and whatsapp\n"
    "                          with \"carriage\":\"directory\"), committed before the token is\n"
    "                          returned: sqlite:PATH (default: tokens.db beside --audit) or\n"
    "                          postgres:CONNINFO (several signer and directory nodes); it\n"
    "                          also keeps the consent ledger and the counts of capped\n"
    "                          categories, checked before every signature (spec 9.7)\n"
    "  --consent-secret FILE   32 bytes (mode 0600) that key the consent ledger's recipients\n"
    "                          (HMAC): the same file on every node of one store (default:\n"
    "                          consent.key beside --audit, made at the first start)\n"
    "  --audit-sync MODE       each: every record is on disk before its token is returned\n"
    "                          (one fdatasync per signature); batch (default): every 256\n"
    "                          records, every 200 ms (serve) and at exit\n"
    "  --threads N             1-64 (default: one per core): serve's event-loop workers;\n"
    "                          sign's threads that parse and sign a chunk of lines at once\n"
    "                          (results, log records and caps still follow the input order)\n"
    "";
/* The service's options (one string would pass the 4,095 characters C99 compilers take). */
static const char usage_serve_options[] =
    "  --listen ADDR           127.0.0.1:8443, [::1]:8443 or unix:/run/hallmark.sock\n"
    "  --clients FILE          who may sign what: JSON, see spec/signer-api.yaml\n"
    "  --tls-cert, --tls-key   serve HTTPS with this certificate chain and key (PEM); without\n"
    "                          them the service listens only on loopback or a unix socket\n"
    "  --client-ca PEM         require client certificates issued by this CA (mutual TLS)\n"
    "  --rate N                messages per second per client (default 200; a batch of n\n"
    "                          counts n)\n"
    "  --directory-rate N      GET /v1/tokens lookups per second per client address (default\n"
    "                          20; past it 429 with Retry-After)\n"
    "  --purge-every S         seconds between purge steps of the store: tokens past exp + 300\n"
    "                          are removed (default 60; serve and directory)\n"
    "  --stem-memo N           recipient stems each signing thread remembers (default 65536,\n"
    "                          64 bytes each, guarded and wiped): a repeat recipient costs\n"
    "                          about a microsecond instead of the Argon2id's millisecond\n"
    "                          (spec HM-TOKEN-55)\n"
    "  --reload-every S        seconds between checks of published/bundle.jws and\n"
    "                          keystore.json (default 10; 0: only on SIGHUP): a changed file\n"
    "                          is loaded as on SIGHUP (spec/signer-api.yaml, /healthz)\n"
    "  --expiry-warning S      /healthz answers \"degraded\" (still 200) this many seconds\n"
    "                          before the bundle expires (default 172800, 2 days): publish\n"
    "                          before then (hallmark-keys publish --if-due)\n"
    "  --batch-max N           messages per batch request (default 100)\n"
    "  --body-max BYTES        request body limit (default 1048576)\n"
    "  --max-connections N     open connections at most, shared out among the workers\n"
    "                          (default 1024); more clients wait in the listen backlog\n"
    "  --access-log MODE       all (default): one JSON line per request on stderr; signs:\n"
    "                          only sign requests and the reads the service failed (5xx)\n"
    "  --request-timeout S     seconds a connection has to deliver a whole request, counted\n"
    "                          from its start or its previous request (default 15); slow\n"
    "                          clients are cut. Idle keep-alive connections close after 10 s\n"
    "exit status: 0 done (serve, directory: stopped by SIGTERM), 1 some message refused (sign),\n"
    "2 usage error or the service could not start.\n";

static void
usage(FILE *to)
{
    char api[4096];

    (void)fputs(usage_text, to);
    (void)fputs(usage_options, to);
    (void)fputs(usage_serve_options, to);
    (void)fprintf(to, "\nThe HTTP API and the clients file: %s\n",
                  hm_datadir_path("signer-api.yaml",
                                  "spec/signer-api.yaml in the source; installed as "
                                  "PREFIX/share/hallmark/signer-api.yaml",
                                  api, sizeof api));
}

int
signer_fail(int status, const char *fmt, ...)
{
    va_list ap;

    (void)fputs("hallmark-signer: ", stderr);
    va_start(ap, fmt);
    (void)vfprintf(stderr, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized): as in runner.c
    va_end(ap);
    (void)fputc('\n', stderr);
    return status;
}

void
signer_beside_audit(const struct signer_opts *o, const char *prefix, const char *name, char *out,
                    size_t cap)
{
    /* Beside the signature log: the same folder, the same backups. */
    const char *slash = o->audit != NULL ? strrchr(o->audit, '/') : NULL;

    (void)snprintf(out, cap, "%s%.*s%s", prefix, slash != NULL ? (int)(slash - o->audit + 1) : 0,
                   slash != NULL ? o->audit : "", name);
}

int
signer_store_open(const struct signer_opts *o, struct hm_store **out)
{
    char spec[4200], err[1024];

    if (o->store != NULL) {
        (void)snprintf(spec, sizeof spec, "%s", o->store);
    } else {
        signer_beside_audit(o, "sqlite:", "tokens.db", spec, sizeof spec);
    }
    if (hm_store_open(spec, out, err, sizeof err) != HALLMARK_OK) {
        return signer_fail(EXIT_USAGE, "%s", err);
    }
    return 0;
}

enum {
    OPT_KEYSTORE = 256,
    OPT_PASS,
    OPT_AUDIT,
    OPT_LISTEN,
    OPT_CERT,
    OPT_KEY,
    OPT_CA,
    OPT_CLIENTS,
    OPT_THREADS,
    OPT_RATE,
    OPT_BATCH,
    OPT_BODY,
    OPT_MAX_CONN,
    OPT_AUDIT_SYNC,
    OPT_REQ_TIMEOUT,
    OPT_STORE,
    OPT_DIRECTORY_RATE,
    OPT_PURGE_EVERY,
    OPT_STEM_MEMO,
    OPT_CONSENT_SECRET,
    OPT_RELOAD_EVERY,
    OPT_EXPIRY_WARNING,
    OPT_ACCESS_LOG
};

static const struct option long_options[] = {
    {"keystore", required_argument, NULL, OPT_KEYSTORE},
    {"passphrase-file", required_argument, NULL, OPT_PASS},
    {"audit", required_argument, NULL, OPT_AUDIT},
    {"audit-sync", required_argument, NULL, OPT_AUDIT_SYNC},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"tls-cert", required_argument, NULL, OPT_CERT},
    {"tls-key", required_argument, NULL, OPT_KEY},
    {"client-ca", required_argument, NULL, OPT_CA},
    {"clients", required_argument, NULL, OPT_CLIENTS},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"rate", required_argument, NULL, OPT_RATE},
    {"batch-max", required_argument, NULL, OPT_BATCH},
    {"body-max", required_argument, NULL, OPT_BODY},
    {"max-connections", required_argument, NULL, OPT_MAX_CONN},
    {"request-timeout", required_argument, NULL, OPT_REQ_TIMEOUT},
    {"store", required_argument, NULL, OPT_STORE},
    {"consent-secret", required_argument, NULL, OPT_CONSENT_SECRET},
    {"directory-rate", required_argument, NULL, OPT_DIRECTORY_RATE},
    {"purge-every", required_argument, NULL, OPT_PURGE_EVERY},
    {"stem-memo", required_argument, NULL, OPT_STEM_MEMO},
    {"reload-every", required_argument, NULL, OPT_RELOAD_EVERY},
    {"expiry-warning", required_argument, NULL, OPT_EXPIRY_WARNING},
    {"access-log", required_argument, NULL, OPT_ACCESS_LOG},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static int
number(const char *s, long lo, long hi, long *out)
{
    char *end = NULL;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
        return 0;
    }
    *out = v;
    return 1;
}

int
main(int argc, char **argv)
{
    static struct signer_opts o;
    const char *cmd;
    long v = 0;
    int ch, st;
    hallmark_result rc;

    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_DONE;
    }
    cmd = argv[1];
    if (strcmp(cmd, "--version") == 0) {
        (void)printf("hallmark-signer %s\n", HALLMARK_VERSION_STRING);
        return EXIT_DONE;
    }
    if (strcmp(cmd, "audit") == 0 || strcmp(cmd, "client") == 0) {
        return hm_crypto_init() == HALLMARK_OK
                   ? signer_admin(argc, argv)
                   : signer_fail(EXIT_USAGE, "libsodium failed to initialize");
    }
    if (strcmp(cmd, "sign") != 0 && strcmp(cmd, "serve") != 0 && strcmp(cmd, "directory") != 0) {
        return signer_fail(
            EXIT_USAGE,
            "unknown command '%s' (sign, serve, directory, audit or client; see --help)", cmd);
    }
    o.directory_only = strcmp(cmd, "directory") == 0;
    o.purge_every = 60;
    o.reload_every = 10;
    o.expiry_warning = 2L * 86400;
    o.stem_memo = 65536;
    o.rate = 200;
    o.directory_rate = 20;
    o.batch_max = 100;
    o.body_max = (size_t)1024 * 1024;
    o.max_connections = 1024;
    o.request_timeout = 15;
    opterr = 0;
    optind = 2;
    while ((ch = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        switch (ch) {
        case OPT_KEYSTORE:
            o.keystore = optarg;
            break;
        case OPT_PASS:
            o.pass_file = optarg;
            break;
        case OPT_STORE:
            o.store = optarg;
            break;
        case OPT_CONSENT_SECRET:
            o.consent_secret = optarg;
            break;
        case OPT_AUDIT:
            o.audit = optarg;
            break;
        case OPT_LISTEN:
            o.listen = optarg;
            break;
        case OPT_CERT:
            o.tls_cert = optarg;
            break;
        case OPT_KEY:
            o.tls_key = optarg;
            break;
        case OPT_CA:
            o.client_ca = optarg;
            break;
        case OPT_CLIENTS:
            o.clients = optarg;
            break;
        case OPT_THREADS:
            if (!number(optarg, 1, 64, &v)) {
                return signer_fail(EXIT_USAGE, "--threads: 1 to 64");
            }
            o.threads = (int)v;
            break;
        case OPT_RATE:
            if (!number(optarg, 1, 1000000, &v)) {
                return signer_fail(EXIT_USAGE, "--rate: 1 to 1000000 requests per second");
            }
            o.rate = v;
            break;
        case OPT_DIRECTORY_RATE:
            if (!number(optarg, 1, 1000000, &v)) {
                return signer_fail(EXIT_USAGE,
                                   "--directory-rate: 1 to 1000000 lookups per second per address");
            }
            o.directory_rate = v;
            break;
        case OPT_STEM_MEMO:
            if (!number(optarg, 1, 16777216, &v)) {
                return signer_fail(EXIT_USAGE, "--stem-memo: 1 to 16777216 recipients per thread");
            }
            o.stem_memo = v;
            break;
        case OPT_PURGE_EVERY:
            if (!number(optarg, 1, 86400, &v)) {
                return signer_fail(EXIT_USAGE, "--purge-every: 1 to 86400 seconds");
            }
            o.purge_every = v;
            break;
        case OPT_RELOAD_EVERY:
            if (!number(optarg, 0, 86400, &v)) {
                return signer_fail(EXIT_USAGE, "--reload-every: 0 (SIGHUP only) to 86400 seconds");
            }
            o.reload_every = v;
            break;
        case OPT_EXPIRY_WARNING:
            if (!number(optarg, 0, 14L * 86400, &v)) {
                return signer_fail(EXIT_USAGE,
                                   "--expiry-warning: 0 to 1209600 seconds (the longest bundle)");
            }
            o.expiry_warning = v;
            break;
        case OPT_BATCH:
            if (!number(optarg, 1, 10000, &v)) {
                return signer_fail(EXIT_USAGE, "--batch-max: 1 to 10000");
            }
            o.batch_max = (size_t)v;
            break;
        case OPT_BODY:
            if (!number(optarg, 1024, 64L * 1024 * 1024, &v)) {
                return signer_fail(EXIT_USAGE, "--body-max: 1024 to 67108864 bytes");
            }
            o.body_max = (size_t)v;
            break;
        case OPT_ACCESS_LOG:
            if (strcmp(optarg, "all") == 0 || strcmp(optarg, "signs") == 0) {
                o.access_log_signs = strcmp(optarg, "signs") == 0;
            } else {
                return signer_fail(EXIT_USAGE, "--access-log: all or signs");
            }
            break;
        case OPT_AUDIT_SYNC:
            if (strcmp(optarg, "each") == 0) {
                o.audit_sync = HM_SIGAUDIT_SYNC_EACH;
            } else if (strcmp(optarg, "batch") == 0) {
                o.audit_sync = HM_SIGAUDIT_SYNC_BATCH;
            } else {
                return signer_fail(EXIT_USAGE, "--audit-sync: each or batch");
            }
            break;
        case OPT_MAX_CONN:
            if (!number(optarg, 1, 1000000, &v)) {
                return signer_fail(EXIT_USAGE, "--max-connections: 1 to 1000000");
            }
            o.max_connections = (size_t)v;
            break;
        case OPT_REQ_TIMEOUT:
            if (!number(optarg, 1, 3600, &v)) {
                return signer_fail(EXIT_USAGE, "--request-timeout: 1 to 3600 seconds");
            }
            o.request_timeout = v;
            break;
        case 'h':
            usage(stdout);
            return EXIT_DONE;
        case ':':
            return signer_fail(EXIT_USAGE, "%s needs a value (see --help)", argv[optind - 1]);
        default:
            return signer_fail(EXIT_USAGE, "unknown option %s (see --help)", argv[optind - 1]);
        }
    }
    if (optind != argc) {
        return signer_fail(EXIT_USAGE, "unexpected argument '%s' (see --help)", argv[optind]);
    }
    if (o.directory_only) {
        /* No keys here: the keystore, the passphrase, the log and the clients are refused rather
         * than ignored, so that a node is never believed to sign when it cannot. */
        if (o.keystore != NULL || o.pass_file != NULL || o.audit != NULL || o.clients != NULL) {
            return signer_fail(EXIT_USAGE, "directory serves tokens only: it takes no --keystore, "
                                           "--passphrase-file, --audit or --clients (see --help)");
        }
        if (hm_crypto_init() != HALLMARK_OK) {
            return signer_fail(EXIT_USAGE, "libsodium failed to initialize");
        }
        return run_serve(&o);
    }
    if (o.keystore == NULL) {
        o.keystore = getenv("HALLMARK_KEYSTORE");
    }
    if (o.keystore == NULL) {
        return signer_fail(EXIT_USAGE, "--keystore DIR is required (or set HALLMARK_KEYSTORE)");
    }
    if (hm_crypto_init() != HALLMARK_OK) {
        return signer_fail(EXIT_USAGE, "libsodium failed to initialize");
    }
    {
        char err[512];
        rc = hm_passphrase_read(o.pass_file, "Keystore passphrase: ", 0, &o.pass, &o.pass_len, err,
                                sizeof err);
        if (rc != HALLMARK_OK) {
            return signer_fail(EXIT_USAGE, "%s", err);
        }
    }
    st = strcmp(cmd, "sign") == 0 ? run_pipe(&o) : run_serve(&o);
    hm_secret_free(o.pass);
    return st;
}
