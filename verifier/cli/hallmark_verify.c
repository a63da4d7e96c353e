/* hallmark-verify: the verifier library from the command line. Exit 0 verified, 1 not verified
 * (including a refused trust bundle), 2 usage or input error. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hallmark.h"
#include "hm_b64url.h"
#include "hm_json.h"
#include "verify_fetch.h"
#include "verify_json.h"
#include "verify_logos.h"

#define PROG "hallmark-verify"
#define MAX_ROOTS 8
#define MESSAGE_MAX ((size_t)16 * 1024 * 1024)
#define EXIT_VERIFIED 0
#define EXIT_NOT_VERIFIED 1
#define EXIT_USAGE 2

static const char usage_text[] =
    "usage: " PROG " --platform ID --root KEY --bundle FILE [options] [--message FILE]\n"
    "\n"
    "Checks one message against a signed Hallmark trust bundle and says whether the app may show\n"
    "the verified checkmark. The message is a JSON object read from --message FILE or stdin:\n"
    "  {\"channel\": \"sms\", \"from\": \"ACMEBANK\", \"to\": \"+447700900123\",\n"
    "   \"body\": \"...\", \"token\": \"<compact JWS>\"}\n"
    "(\"body_b64\" instead of \"body\" carries bytes that are not UTF-8; an empty or absent\n"
    "token means the message is unsigned. Optional \"subject\" and \"reply_to\": the subject or\n"
    "title and the Reply-To address the app displays, checked when the token signs them.)\n"
    "\n"
    "options:\n"
    "  --platform ID       the pinned platform id: the \"platform\" of its bundles (default:\n"
    "                      $HALLMARK_PLATFORM); a bundle of another platform is refused\n"
    "  --root KEY          a pinned root public key: base64url of 32 bytes, or a file holding it;\n"
    "                      repeat for a root set (at most 8)\n"
    "  --threshold K       signatures of the root set a certificate needs (default 1)\n"
    "  --bundle FILE       the trust bundle (compact JWS) to load; without it every message is\n"
    "                      \"not verified: no trust bundle is loaded\"\n"
    "  --state FILE        the app's persisted trust state (spec 6.8): read if FILE exists, and\n"
    "                      replaced by the next state after a successful load; bundles of an\n"
    "                      older publisher generation, a forked root chain or an older serial\n"
    "                      are refused (replaces --last-serial)\n"
    "  --status FILE       the bundle's status object (spec 6.9), loaded after the bundle: keys\n"
    "                      and brands revoked since it; --state gets the next state again\n"
    "  --now SECONDS       the device clock at the call (default: now): judges the bundle and\n"
    "                      its status; also the receipt time unless --received-at is given\n"
    "  --received-at SECONDS  when the app received the message (its own clock, recorded then;\n"
    "                      spec HM-VERIFY-60): judges the token; at most --now + 300\n"
    "  --loaded-at SECONDS when the bundle was loaded (default: --now); a bundle that expires\n"
    "                      between load and --now gives the stale result\n"
    "  --message FILE      read the message from FILE instead of stdin\n"
    "  --tokens FILE       the message came without a token (SMS): FILE is what the platform's\n"
    "                      token directory answered for its lookup key, {\"tokens\": [...]}\n"
    "                      ({\"tokens\": []} after a 404); the verdict follows spec HM-CARRY-18\n"
    "  --fetch URL         the message came without a token (SMS): fetch its tokens from the\n"
    "                      platform's token endpoint URL (GET URL/<lookup key>, as the app does:\n"
    "                      https://, or http:// to a loopback address; no redirects, no\n"
    "                      cookies; at most 1 MiB) and verify as with --tokens. A failed fetch\n"
    "                      exits 2 (the app shows the neutral UI and retries later)\n"
    "  --fetch-timeout S   seconds the whole fetch may take (default 10)\n"
    "  --logo-dir DIR      the app's logo store: after the bundle loads, every logo it lists\n"
    "                      (brands not revoked, not level basic) that DIR lacks is fetched,\n"
    "                      checked against its digest and kept as DIR/<sha256>.png; the verdict\n"
    "                      then names the file, or the placeholder if it is not held. A message\n"
    "                      never causes a fetch (spec HM-CRED-78: that would be a read receipt)\n"
    "  --logo-base URL     the platform the logos come from: GET URL/v1/logos/<sha256> (https://,\n"
    "                      or http:// to a loopback address); without it nothing is fetched\n";

/* The rest of --help (C99 keeps a string literal under 4095 bytes). */
static const char usage_more[] =
    "  --lookup-key        print the message's token lookup key (spec §9.6) and exit: the app\n"
    "                      fetches GET <token endpoint>/<key>; needs no --root or --bundle\n"
    "  --recheck ISS:KID:IAT  after the loads, re-check a stored verdict of brand ISS, key KID,\n"
    "                      issued at IAT (spec 7.5): \"still valid\" or the code that withdraws\n"
    "                      it (JSON: \"recheck\")\n"
    "  --subject TEXT      the subject or title the app displays (overrides the message's)\n"
    "  --reply-to ADDR     the Reply-To address the app displays (overrides the message's)\n"
    "  --json              print the verdict as JSON (result, message, ui, serial, brand); ui\n"
    "                      is what the app shows on the message's channel (spec 8): checkmark,\n"
    "                      domain, neutral, warning, api-error or none; brand.signed names\n"
    "                      the displayed fields that are signed\n"
    "  -h, --help          this text\n"
    "  --version           print the version and exit\n"
    "\n"
    "exit status: 0 verified (also domain only), 1 not verified (or the bundle was refused), 2 "
    "usage or input error\n"
    "examples:\n"
    "  " PROG " --platform 'Hallmark Demo' --root ROOT.pub --bundle bundle.jws \\\n"
    "      --state app.state --message msg.json\n"
    "  " PROG " --platform ID --root ROOT.pub --bundle bundle.jws --message sms.json \\\n"
    "      --fetch https://tokens.example/v1/tokens\n"
    "  key=$(" PROG " --lookup-key --message sms.json)\n"
    "  curl -s https://tokens.example/v1/tokens/$key > tokens.json   # {\"tokens\":[]} on 404\n"
    "  " PROG " --platform ID --root ROOT.pub --bundle bundle.jws --message sms.json \\\n"
    "      --tokens tokens.json\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, PROG ": ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized): as in runner.c
    va_end(ap);
    fprintf(stderr, "\n(try '" PROG " --help')\n");
    return EXIT_USAGE;
}

static unsigned char *
read_stream(FILE *f, size_t cap, size_t *len)
{
    unsigned char *buf = malloc(cap + 1);
    size_t n;

    if (buf == NULL) {
        return NULL;
    }
    n = fread(buf, 1, cap + 1, f);
    if (ferror(f) || n > cap) {
        free(buf);
        errno = ferror(f) ? EIO : EFBIG;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static unsigned char *
read_path(const char *path, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    int saved;

    if (f == NULL) {
        return NULL;
    }
    buf = read_stream(f, cap, len);
    saved = errno;
    (void)fclose(f);
    errno = saved;
    return buf;
}

/* A bundle or status file without the white space at its end (spec [HM-BUNDLE-106]): editors
 * and echo end text files with a newline, and no JWS holds white space, so the signed bytes are
 * the same. Leading or inner white space stays, and the load refuses it. */
static unsigned char *
read_jws_file(const char *path, size_t cap, size_t *len)
{
    unsigned char *buf = read_path(path, cap, len);

    while (buf != NULL && *len > 0 &&
           (buf[*len - 1] == ' ' || buf[*len - 1] == '\t' || buf[*len - 1] == '\r' ||
            buf[*len - 1] == '\n')) {
        buf[--*len] = '\0';
    }
    return buf;
}

/* A root given as the key itself, or as a file whose first line is the key. */
static char *
root_key(const char *arg)
{
    unsigned char raw[32];
    size_t len = 0, n;
    char *text;

    if (strlen(arg) == 43 && hm_b64url_decode_exact(raw, 32, arg, 43) == HALLMARK_OK) {
        return strdup(arg);
    }
    text = (char *)read_path(arg, 4096, &len);
    if (text == NULL) {
        return NULL;
    }
    n = strcspn(text, "\r\n");
    text[n] = '\0';
    return text;
}

static int
parse_integer(const char *s, long long *out)
{
    char *end = NULL;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 0) {
        return 0;
    }
    *out = v;
    return 1;
}

struct message_input {
    json_t *root;
    unsigned char *body; /* decoded body_b64, owned */
    hallmark_message m;
};

static int
load_message(const char *path, struct message_input *in)
{
    size_t len = 0, body_len = 0;
    unsigned char *text =
        path != NULL ? read_path(path, MESSAGE_MAX, &len) : read_stream(stdin, MESSAGE_MAX, &len);
    const char *body, *b64, *token;
    const char *what = path != NULL ? path : "stdin";

    memset(in, 0, sizeof *in);
    if (text == NULL) {
        fprintf(stderr, PROG ": %s: %s\n", what,
                errno == EFBIG ? "larger than 16 MiB" : strerror(errno));
        return 0;
    }
    if (hm_json_parse_object(text, len, MESSAGE_MAX, 4, &in->root) != HALLMARK_OK) {
        fprintf(stderr, PROG ": %s: not one JSON object (duplicate keys are refused)\n", what);
        free(text);
        return 0;
    }
    free(text);
    in->m.channel = hm_json_string(in->root, "channel", NULL);
    in->m.from = hm_json_string(in->root, "from", NULL);
    in->m.to = hm_json_string(in->root, "to", NULL);
    body = hm_json_string(in->root, "body", &body_len);
    b64 = hm_json_string(in->root, "body_b64", &len);
    token = hm_json_string(in->root, "token", &in->m.token_len);
    if (in->m.channel == NULL || in->m.from == NULL || in->m.to == NULL ||
        (body == NULL) == (b64 == NULL) ||
        (json_object_get(in->root, "token") != NULL && token == NULL)) {
        fprintf(stderr,
                PROG ": %s: needs string members channel, from, to, one of body or body_b64, "
                     "and optionally token\n",
                what);
        return 0;
    }
    if (b64 != NULL) {
        in->body = malloc(hm_b64url_decoded_max(len) + 1);
        if (in->body == NULL || hm_b64url_decode(in->body, hm_b64url_decoded_max(len) + 1, b64, len,
                                                 &body_len) != HALLMARK_OK) {
            fprintf(stderr, PROG ": %s: body_b64 is not strict base64url\n", what);
            return 0;
        }
        in->m.body = in->body;
    } else {
        in->m.body = (const unsigned char *)body;
    }
    in->m.body_len = body_len;
    in->m.token = token;
    /* Displayed fields ([HM-VERIFY-48]): optional strings. */
    if ((json_object_get(in->root, "subject") != NULL &&
         !json_is_string(json_object_get(in->root, "subject"))) ||
        (json_object_get(in->root, "reply_to") != NULL &&
         !json_is_string(json_object_get(in->root, "reply_to")))) {
        fprintf(stderr, PROG ": %s: subject and reply_to are strings\n", what);
        return 0;
    }
    in->m.subject = hm_json_string(in->root, "subject", &in->m.subject_len);
    in->m.reply_to = hm_json_string(in->root, "reply_to", &in->m.reply_to_len);
    return 1;
}

/* The token directory's answer (HM-CARRY-17): {"tokens": [up to 100 strings]}, nothing else. */
struct fetched_input {
    json_t *root;
    const char *tokens[HALLMARK_FETCHED_TOKENS_MAX];
    size_t count;
};

/* Parses the directory's answer text (from `what`, for messages) into in. */
static int
parse_tokens(const unsigned char *text, size_t len, const char *what, struct fetched_input *in)
{
    const json_t *list, *t;
    size_t i;

    if (hm_json_parse_object(text, len, MESSAGE_MAX, 3, &in->root) != HALLMARK_OK ||
        json_object_size(in->root) != 1 ||
        !json_is_array(list = json_object_get(in->root, "tokens")) ||
        json_array_size(list) > HALLMARK_FETCHED_TOKENS_MAX) {
        fprintf(stderr,
                PROG ": %s: not a token directory answer: {\"tokens\": [at most %d strings]}\n",
                what, HALLMARK_FETCHED_TOKENS_MAX);
        return 0;
    }
    json_array_foreach(list, i, t)
    {
        if (!json_is_string(t)) {
            fprintf(stderr, PROG ": %s: tokens[%zu] is not a string\n", what, i);
            return 0;
        }
        in->tokens[in->count++] = json_string_value(t);
    }
    return 1;
}

static int
load_tokens(const char *path, struct fetched_input *in)
{
    size_t len = 0;
    unsigned char *text = read_path(path, MESSAGE_MAX, &len);
    int ok;

    memset(in, 0, sizeof *in);
    if (text == NULL) {
        fprintf(stderr, PROG ": %s: %s\n", path,
                errno == EFBIG ? "larger than 16 MiB" : strerror(errno));
        return 0;
    }
    ok = parse_tokens(text, len, path, in);
    free(text);
    return ok;
}

/* --fetch: the message's lookup key, GET <endpoint>/<key>, and its answer in in (none on 404). */
static int
fetch_tokens(const char *endpoint, long timeout_s, const hallmark_message *m,
             struct fetched_input *in)
{
    char key[HALLMARK_LOOKUP_KEY_LEN + 1], err[2600];
    unsigned char *body = NULL;
    size_t len = 0;
    long status = 0;
    hallmark_result rc = hallmark_token_lookup_key(m, key, sizeof key);
    int ok;

    memset(in, 0, sizeof *in);
    if (rc != HALLMARK_OK) {
        fprintf(stderr, PROG ": --fetch: the message has no lookup key: %s\n",
                hallmark_strerror(rc));
        return 0;
    }
    if (!verify_fetch_tokens(endpoint, key, timeout_s, &status, &body, &len, err, sizeof err)) {
        fprintf(stderr, PROG ": %s\n", err);
        return 0;
    }
    if (status == 404) {
        return 1;
    }
    ok = parse_tokens(body, len, endpoint, in);
    free(body);
    return ok;
}

/* --logo-dir: the app's logo store, read at display, filled only at load. */
static const char *logo_dir;
/* The re-check's code name for the JSON output (--recheck), or NULL. */
static const char *recheck_name;

/* The verified result as spec §12.2 names it (verify_json.c), with the logo file to draw or null
 * (the placeholder) under --logo-dir. */
static json_t *
brand_json(const hallmark_verification *v)
{
    json_t *file = NULL;

    if (logo_dir != NULL) {
        char path[4096];

        file = verify_logos_file(logo_dir, v->logo_sha256, path, sizeof path) ? json_string(path)
                                                                              : json_null();
    }
    return verify_json_brand(v, file);
}

/* The serial of a state the library wrote (spec 6.8), for --json. */
static uint64_t
state_serial(const unsigned char *state, size_t len)
{
    json_t *doc = json_loadb((const char *)state, len, 0, NULL);
    uint64_t serial = (uint64_t)json_integer_value(json_object_get(doc, "serial"));

    json_decref(doc);
    return serial;
}

/* Replaces path with the state: a temporary file, fsync, rename (as an app must, [HM-BUNDLE-31]).
 */
static int
write_state(const char *path, const unsigned char *state, size_t len)
{
    char tmp[4096];
    FILE *f;
    int ok;

    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp ||
        (f = fopen(tmp, "wb")) == NULL) {
        return 0;
    }
    ok = fwrite(state, 1, len, f) == len && fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        (void)remove(tmp);
        return 0;
    }
    return 1;
}

static void
print_verdict(const hallmark_verification *v, hallmark_result code, hallmark_ui ui, int as_json,
              int have_serial, uint64_t serial)
{
    size_t i;

    if (as_json) {
        json_t *out = json_pack("{s:s,s:s}", "result", hallmark_result_name(code), "message",
                                hallmark_strerror(code));
        char *text;

        if (have_serial) {
            json_object_set_new(out, "serial", json_integer((json_int_t)serial));
        }
        if (code == HALLMARK_VERIFIED || code == HALLMARK_VERIFIED_DOMAIN) {
            json_object_set_new(out, "brand", brand_json(v));
            /* With brand.id, the pair an app remembers to show a repeat as neutral
             * ([HM-VERIFY-65]). */
            json_object_set_new(out, "jti", json_string(v->token_id));
        }
        if (recheck_name != NULL) {
            json_object_set_new(out, "recheck", json_string(recheck_name));
        }
        /* Last, so that readers of the members before it see the output they always saw. */
        json_object_set_new(out, "ui", json_string(hallmark_ui_class_name(ui)));
        text = json_dumps(out, JSON_COMPACT | JSON_ENSURE_ASCII);
        if (text != NULL) {
            printf("%s\n", text);
        }
        free(text);
        json_decref(out);
        return;
    }
    if (code == HALLMARK_VERIFIED_DOMAIN) {
        /* [HM-CRED-40]: no checkmark, no name; the domain is all that was proven. */
        printf("signed by %s (%s, %s): no checkmark, name or logo\n", v->signed_domain, v->brand_id,
               hallmark_level_name(v->level));
    } else if (code != HALLMARK_VERIFIED) {
        printf("\u2718 not verified: %s (%s)\n", hallmark_strerror(code),
               hallmark_result_name(code));
        printf("  the app shows: %s\n", hallmark_ui_class_name(ui));
        return;
    } else {
        printf("\u2714 verified by \"%s\" (%s, %s)\n", v->display_name, v->brand_id,
               hallmark_level_name(v->level));
        if (logo_dir != NULL) {
            char file[4096];

            if (verify_logos_file(logo_dir, v->logo_sha256, file, sizeof file)) {
                printf("  logo %s\n", file);
            } else {
                printf("  logo not held: the placeholder (fetched at the next bundle load)\n");
            }
        }
    }
    printf("  category %s; written by %s%s%s%s\n", hallmark_category_name(v->category),
           hallmark_sender_kind_name(v->sender_kind), v->agent_name[0] ? " (" : "", v->agent_name,
           v->agent_name[0] ? ")" : "");
    if (v->conversation_id[0] != '\0') {
        printf("  conversation %s\n", v->conversation_id);
    }
    for (i = 0; i < v->action_count; i++) {
        printf("  action %s \"%s\" -> %s\n", hallmark_action_kind_name(v->actions[i].kind),
               v->actions[i].label, v->actions[i].url);
    }
    printf("  signed with %s key %s\n", v->alg, v->key_id);
    /* [HM-RESULT-46]: the signed time, and which displayed fields the verified view may show. */
    printf("  signed at %lld (show this time, not the transport's)\n", (long long)v->issued_at);
    printf("  subject or title: %s\n", (v->signed_fields & HALLMARK_SIGNED_SUBJECT) != 0
                                           ? "signed"
                                           : "not signed: show it outside the verified view");
    if (v->reply_to[0] != '\0') {
        printf("  reply to: %s (signed)\n", v->reply_to);
    }
    if ((v->signed_fields & HALLMARK_SIGNED_BODY_RENDERING) != 0) {
        printf("  the body arrived in a rendering the brand signed (spec 3.4)\n");
    }
}

int
main(int argc, char **argv)
{
    static const struct option options[] = {{"root", required_argument, NULL, 'r'},
                                            {"bundle", required_argument, NULL, 'b'},
                                            {"last-serial", required_argument, NULL, 's'},
                                            {"state", required_argument, NULL, 'S'},
                                            {"platform", required_argument, NULL, 'p'},
                                            {"threshold", required_argument, NULL, 'T'},
                                            {"now", required_argument, NULL, 'n'},
                                            {"message", required_argument, NULL, 'm'},
                                            {"json", no_argument, NULL, 'j'},
                                            {"loaded-at", required_argument, NULL, 'l'},
                                            {"tokens", required_argument, NULL, 't'},
                                            {"lookup-key", no_argument, NULL, 'k'},
                                            {"fetch", required_argument, NULL, 'f'},
                                            {"fetch-timeout", required_argument, NULL, 'F'},
                                            {"logo-dir", required_argument, NULL, 'L'},
                                            {"logo-base", required_argument, NULL, 'B'},
                                            {"subject", required_argument, NULL, 'u'},
                                            {"reply-to", required_argument, NULL, 'R'},
                                            {"status", required_argument, NULL, 'A'},
                                            {"recheck", required_argument, NULL, 'C'},
                                            {"received-at", required_argument, NULL, 'E'},
                                            {"help", no_argument, NULL, 'h'},
                                            {"version", no_argument, NULL, 'V'},
                                            {NULL, 0, NULL, 0}};
    char *roots[MAX_ROOTS];
    size_t root_count = 0, bundle_len = 0, i;
    const char *bundle_path = NULL, *message_path = NULL, *tokens_path = NULL, *fetch_url = NULL;
    const char *subject = NULL, *reply_to = NULL, *status_path = NULL;
    char *recheck = NULL, *recheck_kid = NULL;
    long long recheck_iat = 0, received_at = -1;
    const char *state_path = NULL, *platform = getenv("HALLMARK_PLATFORM"), *logo_base = NULL;
    long long threshold = 1, now = (long long)time(NULL), loaded_at = -1, fetch_timeout = 10;
    unsigned char *state = NULL, next_state[HALLMARK_TRUST_STATE_MAX];
    size_t state_len = 0, next_state_len = 0;
    int as_json = 0, lookup_key = 0, opt, status = EXIT_USAGE;
    unsigned char *bundle = NULL;
    hallmark_verifier *verifier = NULL;
    hallmark_verification verdict;
    hallmark_error err;
    struct message_input in;
    struct fetched_input fetched;
    hallmark_result rc;
    uint64_t serial = 0;

    memset(&in, 0, sizeof in);
    memset(&fetched, 0, sizeof fetched);
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'r':
            if (root_count == MAX_ROOTS) {
                status = usage_error("at most %d --root options", MAX_ROOTS);
                goto out;
            }
            roots[root_count] = root_key(optarg);
            if (roots[root_count] == NULL) {
                status =
                    usage_error("--root %s: neither a base64url key nor a readable file", optarg);
                goto out;
            }
            root_count++;
            break;
        case 'b':
            bundle_path = optarg;
            break;
        case 's':
            status = usage_error("--last-serial was replaced by --state FILE: a serial alone "
                                 "cannot refuse a leaked publishing key's bundles (spec 6.8)");
            goto out;
        case 'S':
            state_path = optarg;
            break;
        case 'p':
            platform = optarg;
            break;
        case 'T':
            if (!parse_integer(optarg, &threshold) || threshold < 1 || threshold > MAX_ROOTS) {
                status =
                    usage_error("--threshold %s: not an integer from 1 to %d", optarg, MAX_ROOTS);
                goto out;
            }
            break;
        case 'n':
            if (!parse_integer(optarg, &now)) {
                status = usage_error("--now %s: not a non-negative Unix time", optarg);
                goto out;
            }
            break;
        case 'l':
            if (!parse_integer(optarg, &loaded_at)) {
                status = usage_error("--loaded-at %s: not a non-negative Unix time", optarg);
                goto out;
            }
            break;
        case 'm':
            message_path = optarg;
            break;
        case 'j':
            as_json = 1;
            break;
        case 't':
            tokens_path = optarg;
            break;
        case 'k':
            lookup_key = 1;
            break;
        case 'f':
            fetch_url = optarg;
            break;
        case 'F':
            if (!parse_integer(optarg, &fetch_timeout) || fetch_timeout < 1 ||
                fetch_timeout > 300) {
                status = usage_error("--fetch-timeout %s: 1 to 300 seconds", optarg);
                goto out;
            }
            break;
        case 'L':
            logo_dir = optarg;
            break;
        case 'B':
            logo_base = optarg;
            break;
        case 'u':
            subject = optarg;
            break;
        case 'R':
            reply_to = optarg;
            break;
        case 'A':
            status_path = optarg;
            break;
        case 'E':
            if (!parse_integer(optarg, &received_at)) {
                status = usage_error("--received-at %s: not a non-negative Unix time", optarg);
                goto out;
            }
            break;
        case 'C': {
            char *colon, *last;

            free(recheck);
            recheck = strdup(optarg);
            colon = recheck != NULL ? strchr(recheck, ':') : NULL;
            last = recheck != NULL ? strrchr(recheck, ':') : NULL;
            if (colon == NULL || last == colon || !parse_integer(last + 1, &recheck_iat)) {
                status = usage_error("--recheck %s: not ISS:KID:IAT", optarg);
                goto out;
            }
            *colon = '\0';
            *last = '\0';
            recheck_kid = colon + 1;
            break;
        }
        case 'V':
            (void)printf("hallmark-verify %s\n", hallmark_version());
            status = EXIT_VERIFIED;
            goto out;
        case 'h':
            fputs(usage_text, stdout);
            fputs(usage_more, stdout);
            status = EXIT_VERIFIED;
            goto out;
        default:
            status = usage_error("unknown option");
            goto out;
        }
    }
    if (optind < argc) {
        status = usage_error("unexpected argument '%s'", argv[optind]);
        goto out;
    }
    if (fetch_url != NULL && tokens_path != NULL) {
        status = usage_error("--fetch and --tokens: give one (--tokens is a saved --fetch answer)");
        goto out;
    }
    if (logo_base != NULL && logo_dir == NULL) {
        status = usage_error("--logo-base needs --logo-dir: the store the logos are kept in");
        goto out;
    }
    if (logo_dir != NULL) {
        struct stat st;

        if (stat(logo_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            status = usage_error("--logo-dir %s: not a directory (create it first)", logo_dir);
            goto out;
        }
    }
    if (lookup_key) {
        char key[HALLMARK_LOOKUP_KEY_LEN + 1];
        if (!load_message(message_path, &in)) {
            goto out;
        }
        rc = hallmark_token_lookup_key(&in.m, key, sizeof key);
        if (rc != HALLMARK_OK) {
            fprintf(stderr, PROG ": no lookup key: %s (%s)\n", hallmark_strerror(rc),
                    rc == HALLMARK_BODY_MODIFIED ? "the body is not UTF-8"
                                                 : "a channel, sender or recipient id that is not "
                                                   "valid for its channel, spec §4");
            goto out;
        }
        printf("%s\n", key);
        status = EXIT_VERIFIED;
        goto out;
    }
    if (root_count == 0) {
        status = usage_error("--root is required: the app's pinned root key");
        goto out;
    }
    if (platform == NULL || platform[0] == '\0') {
        status = usage_error("--platform is required (or $HALLMARK_PLATFORM): the app's pinned "
                             "platform id");
        goto out;
    }
    rc = hallmark_verifier_create(&verifier, platform, (const char *const *)roots, root_count,
                                  (size_t)threshold);
    if (rc != HALLMARK_OK) {
        fprintf(stderr, PROG ": --platform, --root, --threshold: %s\n", hallmark_strerror(rc));
        goto out;
    }
    if (state_path != NULL && access(state_path, F_OK) == 0) {
        state = read_path(state_path, HALLMARK_TRUST_STATE_MAX + 1, &state_len);
        if (state == NULL) {
            fprintf(stderr, PROG ": %s: %s\n", state_path, strerror(errno));
            goto out;
        }
    }
    if (bundle_path != NULL) {
        bundle = read_jws_file(bundle_path, (size_t)64 * 1024 * 1024, &bundle_len);
        if (bundle == NULL) {
            fprintf(stderr, PROG ": %s: %s\n", bundle_path, strerror(errno));
            goto out;
        }
    } else {
        fprintf(stderr, PROG ": no --bundle given: nothing can verify\n");
    }
    if (!load_message(message_path, &in)) {
        goto out;
    }
    if ((tokens_path != NULL || fetch_url != NULL) && in.m.token != NULL && in.m.token_len > 0) {
        status = usage_error("%s: the message already carries a token; the directory is for "
                             "messages that arrive without one",
                             tokens_path != NULL ? "--tokens" : "--fetch");
        goto out;
    }
    if ((tokens_path != NULL && !load_tokens(tokens_path, &fetched)) ||
        (fetch_url != NULL && !fetch_tokens(fetch_url, (long)fetch_timeout, &in.m, &fetched))) {
        goto out;
    }
    rc = bundle == NULL
             ? HALLMARK_OK
             : hallmark_verifier_load(verifier, bundle, bundle_len, state, state_len,
                                      (int64_t)(loaded_at >= 0 ? loaded_at : now), next_state,
                                      sizeof next_state, &next_state_len, &err);
    if (rc == HALLMARK_OK && bundle != NULL) {
        serial = state_serial(next_state, next_state_len);
        if (state_path != NULL && !write_state(state_path, next_state, next_state_len)) {
            fprintf(stderr, PROG ": %s: cannot write the next trust state: %s\n", state_path,
                    strerror(errno));
            goto out;
        }
    }
    if (rc == HALLMARK_OK && bundle != NULL && status_path != NULL) {
        size_t status_len = 0;
        unsigned char *status_bytes = read_jws_file(status_path, (size_t)1024 * 1024, &status_len);
        unsigned char prior[HALLMARK_TRUST_STATE_MAX];
        size_t prior_len = next_state_len;

        if (status_bytes == NULL) {
            fprintf(stderr, PROG ": %s: %s\n", status_path, strerror(errno));
            goto out;
        }
        memcpy(prior, next_state, prior_len);
        rc = hallmark_verifier_load_status(verifier, status_bytes, status_len, prior, prior_len,
                                           (int64_t)(loaded_at >= 0 ? loaded_at : now), next_state,
                                           sizeof next_state, &next_state_len, &err);
        free(status_bytes);
        if (rc == HALLMARK_OK && state_path != NULL &&
            !write_state(state_path, next_state, next_state_len)) {
            fprintf(stderr, PROG ": %s: cannot write the next trust state: %s\n", state_path,
                    strerror(errno));
            goto out;
        }
        if (rc != HALLMARK_OK) {
            bundle_path = status_path;
        }
    }
    if (rc != HALLMARK_OK) {
        if (!as_json) {
            fprintf(stderr, PROG ": %s: %s%s%s\n", bundle_path, err.message,
                    err.field != NULL ? " at " : "", err.field != NULL ? err.field : "");
        }
        print_verdict(&verdict, rc, hallmark_ui_class(rc), as_json, 0, 0);
        status = EXIT_NOT_VERIFIED;
        goto out;
    }
    if (logo_dir != NULL && bundle != NULL) { /* [HM-CRED-78]: at load, before any message */
        struct verify_logo_counts n;

        if (verify_logos_sync(verifier, logo_dir, logo_base, (long)fetch_timeout, &n)) {
            fprintf(stderr,
                    PROG ": logos: %zu held, %zu fetched, %zu refused (digest mismatch), %zu "
                         "failed, %zu not fetched (no --logo-base)\n",
                    n.held, n.fetched, n.refused, n.failed, n.missing);
        }
    }
    if (subject != NULL) {
        in.m.subject = subject;
        in.m.subject_len = strlen(subject);
    }
    if (reply_to != NULL) {
        in.m.reply_to = reply_to;
        in.m.reply_to_len = strlen(reply_to);
    }
    if (received_at < 0) {
        received_at = now; /* verified at receipt: one time for both ([HM-VERIFY-60]) */
    }
    rc = tokens_path != NULL || fetch_url != NULL
             ? hallmark_verify_fetched_at(verifier, &in.m, fetched.tokens, fetched.count,
                                          (int64_t)received_at, (int64_t)now, &verdict)
             : hallmark_verify_at(verifier, &in.m, (int64_t)received_at, (int64_t)now, &verdict);
    if (rc == HALLMARK_ERR_INVALID_ARGUMENT) {
        fprintf(stderr, PROG ": message: invalid channel or missing field, or --received-at "
                             "later than --now + 300\n");
        goto out;
    }
    if (recheck != NULL) { /* [HM-VERIFY-57] */
        hallmark_result again =
            hallmark_verdict_still_valid(verifier, recheck, recheck_kid, recheck_iat, (int64_t)now);

        recheck_name = hallmark_result_name(again);
        if (!as_json) {
            printf("stored verdict of %s key %s: %s\n", recheck, recheck_kid,
                   again == HALLMARK_OK ? "still valid"
                                        : "withdrawn, the app now shows the class of this code");
            if (again != HALLMARK_OK) {
                printf("  %s (%s): %s\n", hallmark_result_name(again), hallmark_strerror(again),
                       hallmark_ui_class_name(hallmark_ui_class(again)));
            }
        }
    }
    print_verdict(&verdict, rc, verdict.ui, as_json, bundle != NULL, serial);
    status = rc == HALLMARK_VERIFIED || rc == HALLMARK_VERIFIED_DOMAIN ? EXIT_VERIFIED
                                                                       : EXIT_NOT_VERIFIED;
out:
    for (i = 0; i < root_count; i++) {
        free(roots[i]);
    }
    free(bundle);
    free(state);
    free(recheck);
    free(in.body);
    json_decref(in.root);
    json_decref(fetched.root);
    hallmark_verifier_free(verifier);
    return status;
}
