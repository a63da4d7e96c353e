#include "hm_pkcs11.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <p11-kit/pkcs11.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hm_digest.h"
#include "hm_secmem.h"

/* The DER OIDs of the curves (CKA_EC_PARAMS): id-Ed25519 (RFC 8410) and prime256v1. */
static const unsigned char oid_ed25519[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
static const unsigned char oid_p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48,
                                         0xce, 0x3d, 0x03, 0x01, 0x07};
#define POOL_MAX 64

static void say(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
say(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (err != NULL && cap > 0) {
        /* clang 14 reports an uninitialized va_list here: a false positive (as in hm_errorf). */
        (void)vsnprintf(err, cap, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
    }
    va_end(ap);
}

/* ---- URIs (RFC 7512) ------------------------------------------------------------------------ */

static int
hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* RFC 7512 §2.3 pchar/qchar, minus '%' (decoded apart): unreserved, and the sub-delims and
 * ':' '@' '&' (path) or '/' '?' '|' ':' '[' ']' '@' '!' '$' '\'' '(' ')' '*' '+' ',' '=' (query).
 */
static int
plain_char(unsigned char c, int query)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        strchr("-._~:[]@!$'()*+,=", c) != NULL) {
        return c != '\0';
    }
    return c != '\0' && (query ? strchr("/?|", c) != NULL : c == '&');
}

/* Decodes [v, end) into out (cap bytes, NUL-terminated unless binary): -1 on a bad escape, a
 * character the URI may not hold there, %00 in text, or too long. Returns the length. */
static long
pct_decode(const char *v, const char *end, int query, unsigned char *out, size_t cap, int binary)
{
    size_t n = 0;

    while (v < end) {
        int c;
        if (*v == '%') {
            int hi, lo;
            if (end - v < 3 || (hi = hexval(v[1])) < 0 || (lo = hexval(v[2])) < 0) {
                return -1;
            }
            c = hi * 16 + lo;
            if (c == 0 && !binary) {
                return -1;
            }
            v += 3;
        } else if (plain_char((unsigned char)*v, query)) {
            c = (unsigned char)*v++;
        } else {
            return -1;
        }
        if (n + (binary ? 0 : 1) >= cap) {
            return -1;
        }
        out[n++] = (unsigned char)c;
    }
    if (!binary) {
        out[n] = '\0';
    }
    return (long)n;
}

struct uri_attr {
    const char *name;
    size_t off, cap;
    int binary;
};

hallmark_result
hm_p11_uri_parse(const char *text, hm_p11_uri *out, char *err, size_t err_cap)
{
    static const struct uri_attr path_attrs[] = {
        {"token", offsetof(hm_p11_uri, token), sizeof out->token, 0},
        {"manufacturer", offsetof(hm_p11_uri, manufacturer), sizeof out->manufacturer, 0},
        {"model", offsetof(hm_p11_uri, model), sizeof out->model, 0},
        {"serial", offsetof(hm_p11_uri, serial), sizeof out->serial, 0},
        {"object", offsetof(hm_p11_uri, object), sizeof out->object, 0},
        {"id", offsetof(hm_p11_uri, id), sizeof out->id, 1},
        {"type", 0, 8, 0},
    };
    static const struct uri_attr query_attrs[] = {
        {"pin-source", offsetof(hm_p11_uri, pin_source), sizeof out->pin_source, 0},
        {"module-path", offsetof(hm_p11_uri, module_path), sizeof out->module_path, 0},
    };
    unsigned seen = 0;
    const char *p, *end;
    int query = 0;

    memset(out, 0, sizeof *out);
    if (text == NULL || strncmp(text, "pkcs11:", 7) != 0) {
        say(err, err_cap, "a PKCS#11 URI starts with \"pkcs11:\" (RFC 7512)");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (strlen(text) >= HM_P11_URI_MAX) {
        say(err, err_cap, "the PKCS#11 URI is longer than %u characters", HM_P11_URI_MAX - 1);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    p = text + 7;
    while (*p != '\0') {
        const struct uri_attr *set = query ? query_attrs : path_attrs;
        size_t count = query ? sizeof query_attrs / sizeof query_attrs[0]
                             : sizeof path_attrs / sizeof path_attrs[0];
        const char *eq, *sep = query ? "&" : ";?";
        size_t i, name_len;
        long n;

        end = p + strcspn(p, sep);
        eq = memchr(p, '=', (size_t)(end - p));
        if (eq == NULL || eq == p || eq + 1 == end) {
            say(err, err_cap, "PKCS#11 URI: \"%.*s\" is not name=value (RFC 7512)",
                (int)(end - p > 64 ? 64 : end - p), p);
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
        name_len = (size_t)(eq - p);
        for (i = 0; i < count; i++) {
            if (strlen(set[i].name) == name_len && strncmp(set[i].name, p, name_len) == 0) {
                break;
            }
        }
        if (i == count) {
            say(err, err_cap,
                "PKCS#11 URI: attribute \"%.*s\" is not one Hallmark uses (path: token, "
                "manufacturer, model, serial, object, id, type; query: pin-source, module-path; "
                "never pin-value)",
                (int)(name_len > 32 ? 32 : name_len), p);
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
        if (seen & (1u << (i + (query ? 16 : 0)))) {
            say(err, err_cap, "PKCS#11 URI: attribute %s is given twice", set[i].name);
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
        seen |= 1u << (i + (query ? 16 : 0));
        if (!query && strcmp(set[i].name, "type") == 0) {
            char type[8];
            if (pct_decode(eq + 1, end, 0, (unsigned char *)type, sizeof type, 0) < 0 ||
                strcmp(type, "private") != 0) {
                say(err, err_cap, "PKCS#11 URI: type is \"private\" for a signing key");
                return HALLMARK_ERR_INVALID_ARGUMENT;
            }
            out->type_private = 1;
        } else {
            n = pct_decode(eq + 1, end, query, (unsigned char *)out + set[i].off, set[i].cap,
                           set[i].binary);
            if (n <= 0) {
                say(err, err_cap,
                    "PKCS#11 URI: the value of %s is empty, too long, or badly percent-encoded",
                    set[i].name);
                return HALLMARK_ERR_INVALID_ARGUMENT;
            }
            if (set[i].binary) {
                out->id_len = (size_t)n;
                out->has_id = 1;
            }
        }
        if (*end == '\0') {
            break;
        }
        if (*end == '?') {
            if (query) {
                say(err, err_cap, "PKCS#11 URI: a second '?'");
                return HALLMARK_ERR_INVALID_ARGUMENT;
            }
            query = 1;
        }
        p = end + 1;
        if (*p == '\0') {
            say(err, err_cap, "PKCS#11 URI: it ends with a separator");
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
    }
    if (out->token[0] == '\0') {
        say(err, err_cap, "PKCS#11 URI: token=LABEL is required (which token holds the key)");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (out->object[0] == '\0' && !out->has_id) {
        say(err, err_cap, "PKCS#11 URI: object=LABEL or id=... is required (which key)");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    return HALLMARK_OK;
}

/* all: every byte escaped (an id); query: a query value (where '&' separates, '/' is plain). */
static int
pct_encode(char *out, size_t cap, size_t *at, const unsigned char *v, size_t len, int all,
           int query)
{
    size_t i;

    for (i = 0; i < len; i++) {
        int w;
        if (!all && plain_char(v[i], query) && v[i] != '&') {
            w = snprintf(out + *at, cap - *at, "%c", v[i]);
        } else {
            w = snprintf(out + *at, cap - *at, "%%%02x", v[i]);
        }
        if (w < 0 || (size_t)w >= cap - *at) {
            return -1;
        }
        *at += (size_t)w;
    }
    return 0;
}

int
hm_p11_uri_format(const hm_p11_uri *uri, char *out, size_t cap)
{
    size_t at = 0;
    int w = snprintf(out, cap, "pkcs11:token=");

    if (w < 0 || (size_t)w >= cap) {
        return -1;
    }
    at = (size_t)w;
    if (pct_encode(out, cap, &at, (const unsigned char *)uri->token, strlen(uri->token), 0, 0) !=
        0) {
        return -1;
    }
    if (uri->object[0] != '\0') {
        if (at + 8 >= cap) {
            return -1;
        }
        memcpy(out + at, ";object=", 9);
        at += 8;
        if (pct_encode(out, cap, &at, (const unsigned char *)uri->object, strlen(uri->object), 0,
                       0) != 0) {
            return -1;
        }
    }
    if (uri->has_id) {
        if (at + 4 >= cap) {
            return -1;
        }
        memcpy(out + at, ";id=", 5);
        at += 4;
        if (pct_encode(out, cap, &at, uri->id, uri->id_len, 1, 0) != 0) {
            return -1;
        }
    }
    w = snprintf(out + at, cap - at, ";type=private");
    if (w < 0 || (size_t)w >= cap - at) {
        return -1;
    }
    at += (size_t)w;
    if (uri->pin_source[0] != '\0') {
        w = snprintf(out + at, cap - at, "?pin-source=");
        if (w < 0 || (size_t)w >= cap - at) {
            return -1;
        }
        at += (size_t)w;
        return pct_encode(out, cap, &at, (const unsigned char *)uri->pin_source,
                          strlen(uri->pin_source), 0, 1);
    }
    return 0;
}

const char *
hm_p11_module_path(const char *module, const hm_p11_uri *uri, const char *recorded)
{
    const char *env = getenv("HALLMARK_PKCS11_MODULE");

    if (module != NULL && module[0] != '\0') {
        return module;
    }
    if (env != NULL && env[0] != '\0') {
        return env;
    }
    if (uri != NULL && uri->module_path[0] != '\0') {
        return uri->module_path;
    }
    return recorded != NULL && recorded[0] != '\0' ? recorded : NULL;
}

/* ---- modules: loaded once per path and process ---------------------------------------------- */

struct p11_module {
    char path[1024];
    void *dl;
    CK_FUNCTION_LIST_PTR f;
    pid_t pid;              /* the process that called C_Initialize; 0: not initialized */
    unsigned long gen;      /* bumped at every re-initialisation: sessions of older ones are gone */
    unsigned long inflight; /* calls in progress (a re-initialisation waits for none) */
    struct p11_module *next;
};

static pthread_mutex_t modules_lock = PTHREAD_MUTEX_INITIALIZER;
static struct p11_module *modules;
static unsigned long long unavailable_total;
static _Thread_local const char *last_error;
static _Thread_local char last_error_buf[256];

const char *
hm_p11_last_error(void)
{
    return last_error;
}

unsigned long long
hm_p11_unavailable_count(void)
{
    return __atomic_load_n(&unavailable_total, __ATOMIC_RELAXED);
}

static long long
now_ms(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
rv_name(CK_RV rv)
{
    switch (rv) {
    case CKR_OK:
        return "CKR_OK";
    case CKR_PIN_INCORRECT:
        return "CKR_PIN_INCORRECT";
    case CKR_PIN_LOCKED:
        return "CKR_PIN_LOCKED";
    case CKR_TOKEN_NOT_PRESENT:
        return "CKR_TOKEN_NOT_PRESENT";
    case CKR_TOKEN_NOT_RECOGNIZED:
        return "CKR_TOKEN_NOT_RECOGNIZED";
    case CKR_DEVICE_REMOVED:
        return "CKR_DEVICE_REMOVED";
    case CKR_DEVICE_ERROR:
        return "CKR_DEVICE_ERROR";
    case CKR_SESSION_HANDLE_INVALID:
        return "CKR_SESSION_HANDLE_INVALID";
    case CKR_SESSION_CLOSED:
        return "CKR_SESSION_CLOSED";
    case CKR_KEY_HANDLE_INVALID:
        return "CKR_KEY_HANDLE_INVALID";
    case CKR_OBJECT_HANDLE_INVALID:
        return "CKR_OBJECT_HANDLE_INVALID";
    case CKR_MECHANISM_INVALID:
        return "CKR_MECHANISM_INVALID";
    case CKR_CRYPTOKI_NOT_INITIALIZED:
        return "CKR_CRYPTOKI_NOT_INITIALIZED";
    case CKR_USER_NOT_LOGGED_IN:
        return "CKR_USER_NOT_LOGGED_IN";
    case CKR_GENERAL_ERROR:
        return "CKR_GENERAL_ERROR";
    case CKR_FUNCTION_FAILED:
        return "CKR_FUNCTION_FAILED";
    case CKR_ARGUMENTS_BAD:
        return "CKR_ARGUMENTS_BAD";
    case CKR_TEMPLATE_INCONSISTENT:
        return "CKR_TEMPLATE_INCONSISTENT";
    case CKR_ATTRIBUTE_VALUE_INVALID:
        return "CKR_ATTRIBUTE_VALUE_INVALID";
    case CKR_DOMAIN_PARAMS_INVALID:
        return "CKR_DOMAIN_PARAMS_INVALID";
    default:
        return "a PKCS#11 error";
    }
}

/* C_Initialize in this process (again after a fork, or after a reset); the caller holds
 * modules_lock. CKR_CRYPTOKI_ALREADY_INITIALIZED is success: another part of the process (or a
 * library sharing the module) initialised it. */
static CK_RV
module_init_locked(struct p11_module *m)
{
    CK_C_INITIALIZE_ARGS args;
    CK_RV rv;

    if (m->pid == getpid()) {
        return CKR_OK;
    }
    memset(&args, 0, sizeof args);
    args.flags = CKF_OS_LOCKING_OK;
    rv = m->f->C_Initialize(&args);
    if (rv == CKR_OK || rv == CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        m->pid = getpid();
        m->gen++;
        return CKR_OK;
    }
    return rv;
}

static struct p11_module *
module_get(const char *path, char *err, size_t err_cap)
{
    struct p11_module *m;
    CK_C_GetFunctionList get;
    CK_RV rv;

    if (path == NULL) {
        say(err, err_cap,
            "no PKCS#11 module: give --pkcs11-module PATH or set HALLMARK_PKCS11_MODULE (the "
            "vendor's PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so)");
        return NULL;
    }
    (void)pthread_mutex_lock(&modules_lock);
    for (m = modules; m != NULL && strcmp(m->path, path) != 0; m = m->next) {
    }
    if (m == NULL) {
        void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (dl == NULL) {
            (void)pthread_mutex_unlock(&modules_lock);
            say(err, err_cap, "PKCS#11 module %s cannot be loaded: %s", path, dlerror());
            return NULL;
        }
        *(void **)(&get) = dlsym(dl, "C_GetFunctionList");
        if ((m = calloc(1, sizeof *m)) == NULL || get == NULL || get(&m->f) != CKR_OK ||
            m->f == NULL || strlen(path) >= sizeof m->path) {
            (void)pthread_mutex_unlock(&modules_lock);
            free(m);
            (void)dlclose(dl);
            say(err, err_cap, "%s is not a PKCS#11 module (no C_GetFunctionList)", path);
            return NULL;
        }
        (void)snprintf(m->path, sizeof m->path, "%s", path);
        m->dl = dl;
        m->next = modules;
        modules = m;
    }
    rv = module_init_locked(m);
    (void)pthread_mutex_unlock(&modules_lock);
    if (rv != CKR_OK) {
        say(err, err_cap, "PKCS#11 module %s: C_Initialize failed: %s (0x%lx)", path, rv_name(rv),
            (unsigned long)rv);
        return NULL;
    }
    return m;
}

/* ---- tokens, objects, the PIN --------------------------------------------------------------- */

/* 1 when the blank-padded field (n bytes) equals want, or want is empty. */
static int
padded_eq(const CK_UTF8CHAR *field, size_t n, const char *want)
{
    size_t len = strlen(want), i;

    if (len == 0) {
        return 1;
    }
    if (len > n || memcmp(field, want, len) != 0) {
        return 0;
    }
    for (i = len; i < n; i++) {
        if (field[i] != ' ') {
            return 0;
        }
    }
    return 1;
}

/* The one slot whose token the URI names. CKR_OK, or an error with the reason said. */
static hallmark_result
find_slot(struct p11_module *m, const hm_p11_uri *uri, CK_SLOT_ID *slot, char *err, size_t cap)
{
    CK_SLOT_ID slots[64];
    CK_ULONG n = sizeof slots / sizeof slots[0], i, found = 0;
    CK_RV rv = m->f->C_GetSlotList(CK_TRUE, slots, &n);

    if (rv != CKR_OK) {
        say(err, cap, "PKCS#11: C_GetSlotList failed: %s", rv_name(rv));
        return HALLMARK_ERR_UNAVAILABLE;
    }
    for (i = 0; i < n; i++) {
        CK_TOKEN_INFO info;
        if (m->f->C_GetTokenInfo(slots[i], &info) != CKR_OK) {
            continue;
        }
        if (padded_eq(info.label, sizeof info.label, uri->token) &&
            padded_eq(info.manufacturerID, sizeof info.manufacturerID, uri->manufacturer) &&
            padded_eq(info.model, sizeof info.model, uri->model) &&
            padded_eq(info.serialNumber, sizeof info.serialNumber, uri->serial)) {
            if (found++ == 0) {
                *slot = slots[i];
            }
        }
    }
    if (found == 0) {
        say(err, cap, "PKCS#11: no token labelled \"%s\" is present in %s", uri->token, m->path);
        return HALLMARK_ERR_UNAVAILABLE;
    }
    if (found > 1) {
        say(err, cap, "PKCS#11: %lu tokens match the URI (token \"%s\"): add serial= to name one",
            (unsigned long)found, uri->token);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    return HALLMARK_OK;
}

/* Reads the PIN: pin-source (a file path, or file:PATH) or $HALLMARK_PKCS11_PIN_FILE; one line,
 * its newline dropped. *pin is hm_secret_alloc memory. */
static hallmark_result
read_pin(const hm_p11_uri *uri, char **pin, size_t *pin_len, char *err, size_t cap)
{
    const char *path =
        uri->pin_source[0] != '\0' ? uri->pin_source : getenv("HALLMARK_PKCS11_PIN_FILE");
    char *buf;
    ssize_t n;
    size_t len = 0;
    int fd;

    *pin = NULL;
    if (path == NULL || path[0] == '\0') {
        say(err, cap,
            "no PIN source: set HALLMARK_PKCS11_PIN_FILE or give pin-source=FILE in the URI "
            "(never the PIN itself)");
        return HALLMARK_ERR_IO;
    }
    if (strncmp(path, "file:", 5) == 0) {
        path += 5;
    }
    if ((buf = hm_secret_alloc(HM_P11_PIN_MAX + 1)) == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        say(err, cap, "the PIN file %s cannot be read: %s", path, strerror(errno));
        hm_secret_free(buf);
        return HALLMARK_ERR_IO;
    }
    while (len < HM_P11_PIN_MAX && (n = read(fd, buf + len, HM_P11_PIN_MAX - len)) != 0) {
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            break;
        }
        len += (size_t)n;
    }
    (void)close(fd);
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) {
        buf[--len] = '\0';
    }
    if (len == 0 || len >= HM_P11_PIN_MAX) {
        say(err, cap, "the PIN file %s is empty or too long", path);
        hm_secret_free(buf);
        return HALLMARK_ERR_IO;
    }
    *pin = buf;
    *pin_len = len;
    return HALLMARK_OK;
}

static hallmark_result
login(struct p11_module *m, CK_SESSION_HANDLE h, const char *pin, size_t pin_len, char *err,
      size_t cap)
{
    CK_RV rv = m->f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)(uintptr_t)pin, (CK_ULONG)pin_len);

    if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) {
        return HALLMARK_OK;
    }
    say(err, cap, "PKCS#11: login to the token refused: %s%s", rv_name(rv),
        rv == CKR_PIN_INCORRECT ? " (wrong PIN)" : "");
    return rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LOCKED || rv == CKR_PIN_LEN_RANGE
               ? HALLMARK_ERR_WRONG_PASSPHRASE
               : HALLMARK_ERR_UNAVAILABLE;
}

/* The objects of class that the URI names (label and/or id), at most cap handles into out. */
static CK_RV
find_objects(struct p11_module *m, CK_SESSION_HANDLE h, const hm_p11_uri *uri, CK_OBJECT_CLASS cls,
             CK_OBJECT_HANDLE *out, CK_ULONG cap, CK_ULONG *n)
{
    CK_ATTRIBUTE t[3];
    CK_ULONG k = 0;
    CK_RV rv;

    t[k].type = CKA_CLASS;
    t[k].pValue = &cls;
    t[k++].ulValueLen = sizeof cls;
    if (uri->object[0] != '\0') {
        t[k].type = CKA_LABEL;
        t[k].pValue = (void *)(uintptr_t)uri->object;
        t[k++].ulValueLen = (CK_ULONG)strlen(uri->object);
    }
    if (uri->has_id) {
        t[k].type = CKA_ID;
        t[k].pValue = (void *)(uintptr_t)uri->id;
        t[k++].ulValueLen = (CK_ULONG)uri->id_len;
    }
    *n = 0;
    if ((rv = m->f->C_FindObjectsInit(h, t, k)) != CKR_OK) {
        return rv;
    }
    rv = m->f->C_FindObjects(h, out, cap, n);
    (void)m->f->C_FindObjectsFinal(h);
    return rv;
}

/* ---- keys in a token ------------------------------------------------------------------------ */

struct p11_key {
    struct p11_module *m;
    hm_p11_uri uri;
    hm_alg alg;
    char *pin; /* hm_secret_alloc */
    size_t pin_len;
    pthread_mutex_t lock;
    /* Connection state, under lock: */
    unsigned long mgen; /* the module generation the handles below belong to */
    pid_t pid;
    int ready;
    CK_SLOT_ID slot;
    CK_OBJECT_HANDLE priv;
    CK_SESSION_HANDLE pool[POOL_MAX];
    size_t pool_n, open_n;
    long long retry_at; /* while down: no reconnect attempt before this (ms, monotonic) */
    int reconnecting;
    char reason[200];
};

static void
key_release(void *ctx)
{
    struct p11_key *k = ctx;
    size_t i;

    if (k == NULL) {
        return;
    }
    if (k->ready && k->pid == getpid() && k->m->pid == getpid() && k->mgen == k->m->gen) {
        for (i = 0; i < k->pool_n; i++) {
            (void)k->m->f->C_CloseSession(k->pool[i]);
        }
    }
    hm_secret_free(k->pin);
    (void)pthread_mutex_destroy(&k->lock);
    free(k);
}

static int
ec_params_are(struct p11_module *m, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o,
              const unsigned char *oid, size_t oid_len)
{
    unsigned char buf[64];
    CK_ATTRIBUTE a = {CKA_EC_PARAMS, buf, sizeof buf};

    if (m->f->C_GetAttributeValue(h, o, &a, 1) != CKR_OK) {
        return 0;
    }
    if (a.ulValueLen == oid_len && memcmp(buf, oid, oid_len) == 0) {
        return 1;
    }
    /* Some tokens (SoftHSM2 among them) also accept the curve by name: PrintableString. */
    return oid == oid_ed25519 && a.ulValueLen == 14 && buf[0] == 0x13 && buf[1] == 12 &&
           memcmp(buf + 2, "edwards25519", 12) == 0;
}

/* The public key's bytes as hm_pubkey_from_raw wants them, from CKA_EC_POINT. */
static hallmark_result
read_public(struct p11_module *m, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, hm_alg alg,
            unsigned char *pub, size_t *pub_len, char *err, size_t cap)
{
    unsigned char buf[128];
    CK_ATTRIBUTE a = {CKA_EC_POINT, buf, sizeof buf};
    size_t want = alg == HM_ALG_ED25519 ? HM_ED25519_PUBLIC_BYTES : HM_ES256_PUBLIC_BYTES;
    CK_RV rv = m->f->C_GetAttributeValue(h, o, &a, 1);

    if (rv != CKR_OK) {
        say(err, cap, "PKCS#11: the public key's CKA_EC_POINT cannot be read: %s", rv_name(rv));
        return HALLMARK_ERR_INVALID_KEY;
    }
    if (a.ulValueLen == want + 2 && buf[0] == 0x04 && buf[1] == want) {
        memcpy(pub, buf + 2, want); /* DER OCTET STRING, as PKCS#11 v2.40 and SoftHSM2 give it */
    } else if (a.ulValueLen == want &&
               (alg == HM_ALG_ED25519 || buf[0] == 0x04)) { /* the bare point (PKCS#11 3.0) */
        memcpy(pub, buf, want);
    } else {
        say(err, cap, "PKCS#11: the public key's CKA_EC_POINT is not a %s point", hm_alg_name(alg));
        return HALLMARK_ERR_INVALID_KEY;
    }
    *pub_len = want;
    return HALLMARK_OK;
}

/* Finds the one private key, checks its type, reads its public key. Caller holds k->lock or owns
 * k alone. */
static hallmark_result
key_connect(struct p11_key *k, CK_SESSION_HANDLE *session, unsigned char *pub, size_t *pub_len,
            char *err, size_t cap)
{
    struct p11_module *m = k->m;
    CK_OBJECT_HANDLE found[2], pubs[2];
    CK_ULONG n = 0;
    CK_KEY_TYPE type = 0;
    CK_BBOOL can_sign = CK_FALSE;
    CK_ATTRIBUTE ta[2] = {{CKA_KEY_TYPE, &type, sizeof type},
                          {CKA_SIGN, &can_sign, sizeof can_sign}};
    unsigned char idbuf[HM_P11_ID_MAX];
    CK_ATTRIBUTE ida = {CKA_ID, idbuf, sizeof idbuf};
    hm_p11_uri by_id;
    hallmark_result rc;
    CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
    CK_RV rv;

    (void)pthread_mutex_lock(&modules_lock);
    rv = module_init_locked(m);
    (void)pthread_mutex_unlock(&modules_lock);
    if (rv != CKR_OK) {
        say(err, cap, "PKCS#11: C_Initialize failed: %s", rv_name(rv));
        return HALLMARK_ERR_UNAVAILABLE;
    }
    k->mgen = m->gen;
    k->pid = getpid();
    if ((rc = find_slot(m, &k->uri, &k->slot, err, cap)) != HALLMARK_OK) {
        return rc;
    }
    if ((rv = m->f->C_OpenSession(k->slot, CKF_SERIAL_SESSION, NULL, NULL, &h)) != CKR_OK) {
        say(err, cap, "PKCS#11: C_OpenSession failed: %s", rv_name(rv));
        return HALLMARK_ERR_UNAVAILABLE;
    }
    if ((rc = login(m, h, k->pin, k->pin_len, err, cap)) != HALLMARK_OK) {
        goto fail;
    }
    rc = HALLMARK_ERR_INVALID_KEY;
    if ((rv = find_objects(m, h, &k->uri, CKO_PRIVATE_KEY, found, 2, &n)) != CKR_OK) {
        say(err, cap, "PKCS#11: the key cannot be searched for: %s", rv_name(rv));
        rc = HALLMARK_ERR_UNAVAILABLE;
        goto fail;
    }
    if (n == 0) {
        say(err, cap, "PKCS#11: token \"%s\" holds no private key%s%s", k->uri.token,
            k->uri.object[0] != '\0' ? " labelled " : " with that id",
            k->uri.object[0] != '\0' ? k->uri.object : "");
        goto fail;
    }
    if (n > 1) {
        say(err, cap,
            "PKCS#11: the URI names more than one private key in token \"%s\": give id= too",
            k->uri.token);
        rc = HALLMARK_ERR_INVALID_ARGUMENT;
        goto fail;
    }
    if (m->f->C_GetAttributeValue(h, found[0], ta, 2) != CKR_OK ||
        type != (k->alg == HM_ALG_ED25519 ? CKK_EC_EDWARDS : CKK_EC) ||
        !ec_params_are(m, h, found[0], k->alg == HM_ALG_ED25519 ? oid_ed25519 : oid_p256,
                       k->alg == HM_ALG_ED25519 ? sizeof oid_ed25519 : sizeof oid_p256)) {
        say(err, cap, "PKCS#11: the key the URI names is not an %s key (%s)", hm_alg_name(k->alg),
            k->alg == HM_ALG_ED25519 ? "CKK_EC_EDWARDS on Ed25519" : "CKK_EC on P-256");
        goto fail;
    }
    if (can_sign != CK_TRUE) {
        say(err, cap, "PKCS#11: the key the URI names may not sign (CKA_SIGN is false)");
        goto fail;
    }
    if (pub != NULL) {
        /* Its public half: the public key object with the same CKA_ID. */
        memset(&by_id, 0, sizeof by_id);
        if (m->f->C_GetAttributeValue(h, found[0], &ida, 1) != CKR_OK || ida.ulValueLen == 0 ||
            ida.ulValueLen > sizeof by_id.id) {
            say(err, cap, "PKCS#11: the private key has no CKA_ID to find its public key by");
            goto fail;
        }
        memcpy(by_id.id, idbuf, ida.ulValueLen);
        by_id.id_len = ida.ulValueLen;
        by_id.has_id = 1;
        if (find_objects(m, h, &by_id, CKO_PUBLIC_KEY, pubs, 2, &n) != CKR_OK || n != 1) {
            say(err, cap, "PKCS#11: no single public key has the private key's CKA_ID");
            goto fail;
        }
        if ((rc = read_public(m, h, pubs[0], k->alg, pub, pub_len, err, cap)) != HALLMARK_OK) {
            goto fail;
        }
    }
    k->priv = found[0];
    *session = h; /* the caller marks k ready, under its lock when others may sign */
    return HALLMARK_OK;
fail:
    (void)m->f->C_CloseSession(h);
    return rc;
}

/* Marks k down (lock held): its sessions are dropped (closed when the module is still ours). */
static void
key_down(struct p11_key *k, const char *why)
{
    size_t i;

    if (k->ready && k->pid == getpid() && k->m->pid == getpid() && k->mgen == k->m->gen) {
        for (i = 0; i < k->pool_n; i++) {
            (void)k->m->f->C_CloseSession(k->pool[i]);
        }
    }
    k->pool_n = 0;
    k->open_n = 0;
    k->ready = 0;
    k->retry_at = now_ms() + HM_P11_RETRY_MS;
    (void)snprintf(k->reason, sizeof k->reason, "%s", why);
}

static hallmark_result
unavailable(const char *reason)
{
    (void)snprintf(last_error_buf, sizeof last_error_buf, "%s", reason);
    last_error = last_error_buf;
    (void)__atomic_add_fetch(&unavailable_total, 1, __ATOMIC_RELAXED);
    return HALLMARK_ERR_UNAVAILABLE;
}

/* Re-initialises the module (C_Finalize, C_Initialize) when no call is in progress on it, so that
 * a module that reads its configuration and token list at C_Initialize (SoftHSM2 does) sees a
 * token that came back. */
static void
module_reset(struct p11_module *m)
{
    (void)pthread_mutex_lock(&modules_lock);
    if (m->inflight == 0 && m->pid == getpid()) {
        (void)m->f->C_Finalize(NULL);
        m->pid = 0;
        (void)module_init_locked(m);
    }
    (void)pthread_mutex_unlock(&modules_lock);
}

static void
inflight(struct p11_module *m, int delta)
{
    (void)pthread_mutex_lock(&modules_lock);
    m->inflight = (unsigned long)((long)m->inflight + delta);
    (void)pthread_mutex_unlock(&modules_lock);
}

/* Counts a call in progress on m if m is still the generation gen in this process: checked and
 * counted under one lock, so a module_reset cannot slip between (it waits for no call). */
static int
module_enter(struct p11_module *m, unsigned long gen)
{
    int ok;

    (void)pthread_mutex_lock(&modules_lock);
    ok = m->pid == getpid() && m->gen == gen;
    if (ok) {
        m->inflight++;
    }
    (void)pthread_mutex_unlock(&modules_lock);
    return ok;
}

/* A session taken from the pool before another thread marked the key down (key_down closed the
 * pool, not this one) is closed: without this every flap of the token leaked a session per busy
 * thread, and tokens cap their sessions. orphaned is decided under k->lock; the close runs after
 * it, counted as a call, and only if the module is still the generation the handle belongs to
 * (after a re-initialisation the handle is gone with it; in a forked child it is the parent's). */
static void
close_orphan(struct p11_module *m, unsigned long gen, CK_SESSION_HANDLE h, int orphaned)
{
    if (orphaned && module_enter(m, gen)) {
        (void)m->f->C_CloseSession(h);
        inflight(m, -1);
    }
}

/* hm_signkey_sign_fn: one C_SignInit + C_Sign on a session of the pool. */
static hallmark_result
key_sign(void *ctx, const unsigned char *msg, size_t msg_len, unsigned char sig[HM_SIG_BYTES])
{
    struct p11_key *k = ctx;
    struct p11_module *m = k->m;
    CK_MECHANISM mech = {k->alg == HM_ALG_ED25519 ? CKM_EDDSA : CKM_ECDSA, NULL, 0};
    unsigned char digest[HM_SHA256_BYTES];
    const unsigned char *in = msg;
    CK_ULONG in_len = (CK_ULONG)msg_len, sig_len = HM_SIG_BYTES;
    CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
    char why[200];
    long long t0;
    unsigned long gen;
    int tries = 0, orphaned = 0;
    CK_RV rv;

    last_error = NULL;
    if (k->alg == HM_ALG_ES256) {
        /* CKM_ECDSA signs a digest the caller computes: ES256 is ECDSA over SHA-256. */
        if (hm_sha256(digest, msg, msg_len) != HALLMARK_OK) {
            return HALLMARK_ERR_INTERNAL;
        }
        in = digest;
        in_len = sizeof digest;
    }
again:
    h = CK_INVALID_HANDLE;
    (void)pthread_mutex_lock(&k->lock);
    if (k->ready && (k->pid != getpid() || m->pid != getpid() || k->mgen != m->gen)) {
        /* After a fork or a module reset: those sessions are not ours; never close them. */
        k->ready = 0;
        k->pool_n = 0;
        k->open_n = 0;
        k->retry_at = 0;
    }
    if (!k->ready) {
        char err[200];
        hallmark_result rc;
        if (k->reconnecting || now_ms() < k->retry_at) {
            (void)snprintf(why, sizeof why, "%s",
                           k->reason[0] != '\0' ? k->reason : "reconnecting");
            (void)pthread_mutex_unlock(&k->lock);
            return unavailable(why);
        }
        /* One thread reconnects, without the lock: the others fail fast meanwhile instead of
         * waiting on a token that may not answer. */
        k->reconnecting = 1;
        (void)pthread_mutex_unlock(&k->lock);
        inflight(m, 1);
        t0 = now_ms();
        err[0] = '\0';
        rc = key_connect(k, &h, NULL, NULL, err, sizeof err);
        inflight(m, -1);
        (void)pthread_mutex_lock(&k->lock);
        k->reconnecting = 0;
        if (rc == HALLMARK_OK) {
            k->ready = 1;
            k->open_n = 1;
        }
        if (rc != HALLMARK_OK) {
            key_down(k, err);
            (void)pthread_mutex_unlock(&k->lock);
            module_reset(m);
            return unavailable(err);
        }
        if (now_ms() - t0 > HM_P11_CALL_DEADLINE_MS) {
            k->pool[k->pool_n++] = h;
            key_down(k, "PKCS#11: the token took longer than the deadline to answer");
            (void)pthread_mutex_unlock(&k->lock);
            return unavailable("PKCS#11: the token took longer than the deadline to answer");
        }
    }
    gen = k->mgen;
    if (!module_enter(m, gen)) {
        /* The module was reset since (for another key of it): this session went with it. */
        k->ready = 0;
        k->pool_n = 0;
        k->open_n = 0;
        k->retry_at = 0;
        (void)pthread_mutex_unlock(&k->lock);
        if (tries++ == 0) {
            goto again;
        }
        return unavailable("PKCS#11: the module was re-initialised; reconnecting");
    }
    if (h != CK_INVALID_HANDLE) {
        /* the session key_connect opened */
    } else if (k->pool_n > 0) {
        h = k->pool[--k->pool_n];
    } else {
        rv = m->f->C_OpenSession(k->slot, CKF_SERIAL_SESSION, NULL, NULL, &h);
        if (rv != CKR_OK) {
            (void)snprintf(why, sizeof why, "PKCS#11: C_OpenSession failed: %s", rv_name(rv));
            key_down(k, why);
            (void)pthread_mutex_unlock(&k->lock);
            inflight(m, -1);
            return unavailable(why);
        }
        k->open_n++;
    }
    (void)pthread_mutex_unlock(&k->lock);

    t0 = now_ms();
    rv = m->f->C_SignInit(h, &mech, k->priv);
    if (rv == CKR_OK) {
        rv = m->f->C_Sign(h, (CK_BYTE_PTR)(uintptr_t)in, in_len, sig, &sig_len);
        if (rv == CKR_OK && sig_len != HM_SIG_BYTES) {
            rv = CKR_FUNCTION_FAILED;
        }
    }
    t0 = now_ms() - t0;
    inflight(m, -1);

    (void)pthread_mutex_lock(&k->lock);
    if (rv == CKR_OK && t0 <= HM_P11_CALL_DEADLINE_MS) {
        if (k->ready && k->mgen == gen && k->pool_n < POOL_MAX) {
            k->pool[k->pool_n++] = h;
        } else if (k->ready && k->mgen == gen) {
            (void)m->f->C_CloseSession(h);
            k->open_n--;
        } else {
            orphaned = !k->ready && k->mgen == gen;
        }
        (void)pthread_mutex_unlock(&k->lock);
        close_orphan(m, gen, h, orphaned);
        return HALLMARK_OK;
    }
    if (rv == CKR_OK) {
        (void)snprintf(why, sizeof why,
                       "PKCS#11: the token took %lld ms to sign (deadline %d ms): treated as down",
                       t0, HM_P11_CALL_DEADLINE_MS);
    } else {
        (void)snprintf(why, sizeof why, "PKCS#11: signing failed: %s (0x%lx)", rv_name(rv),
                       (unsigned long)rv);
    }
    if (k->ready && k->mgen == gen) {
        if (k->pool_n < POOL_MAX) {
            k->pool[k->pool_n++] = h; /* key_down closes it with the others */
        } else {
            (void)m->f->C_CloseSession(h);
        }
        key_down(k, why);
    } else {
        orphaned = !k->ready && k->mgen == gen;
    }
    (void)pthread_mutex_unlock(&k->lock);
    close_orphan(m, gen, h, orphaned);
    if (rv == CKR_OK) {
        (void)unavailable(why); /* this signature is good; later ones wait for the retry */
        last_error = NULL;
        return HALLMARK_OK;
    }
    return unavailable(why);
}

static struct p11_key *
key_new(struct p11_module *m, const hm_p11_uri *uri, hm_alg alg, char *err, size_t cap,
        hallmark_result *rc)
{
    struct p11_key *k = calloc(1, sizeof *k);

    if (k == NULL) {
        *rc = HALLMARK_ERR_NOMEM;
        return NULL;
    }
    k->m = m;
    k->uri = *uri;
    k->alg = alg;
    if ((*rc = read_pin(uri, &k->pin, &k->pin_len, err, cap)) != HALLMARK_OK ||
        pthread_mutex_init(&k->lock, NULL) != 0) {
        hm_secret_free(k->pin);
        free(k);
        if (*rc == HALLMARK_OK) {
            *rc = HALLMARK_ERR_INTERNAL;
        }
        return NULL;
    }
    return k;
}

hallmark_result
hm_p11_open(const char *module, const hm_p11_uri *uri, hm_alg alg, const char *kid,
            hm_signkey **out, char *err, size_t err_cap)
{
    struct p11_module *m;
    struct p11_key *k;
    unsigned char pub[HM_ES256_PUBLIC_BYTES];
    size_t pub_len = 0;
    CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
    hallmark_result rc;

    *out = NULL;
    if (alg != HM_ALG_ED25519 && alg != HM_ALG_ES256) {
        say(err, err_cap, "PKCS#11 keys are Ed25519 or ES256");
        return HALLMARK_UNSUPPORTED_ALG;
    }
    if ((m = module_get(module, err, err_cap)) == NULL) {
        return HALLMARK_ERR_IO;
    }
    if ((k = key_new(m, uri, alg, err, err_cap, &rc)) == NULL) {
        return rc;
    }
    if ((rc = key_connect(k, &h, pub, &pub_len, err, err_cap)) != HALLMARK_OK) {
        key_release(k);
        return rc;
    }
    k->ready = 1;
    k->open_n = 1;
    k->pool[k->pool_n++] = h;
    if ((rc = hm_signkey_external(out, alg, pub, pub_len, key_sign, key_release, k)) !=
        HALLMARK_OK) {
        say(err, err_cap, "PKCS#11: the token's public key is not a valid %s key",
            hm_alg_name(alg));
        return rc == HALLMARK_ERR_NOMEM ? rc : HALLMARK_ERR_INVALID_KEY;
    }
    if (kid != NULL && strcmp(hm_signkey_public(*out)->kid, kid) != 0) {
        say(err, err_cap,
            "PKCS#11: the key in token \"%s\" is not key %s the keystore records (its kid is %s)",
            uri->token, kid, hm_signkey_public(*out)->kid);
        hm_signkey_free(*out);
        *out = NULL;
        return HALLMARK_ERR_INVALID_KEY;
    }
    return HALLMARK_OK;
}

hallmark_result
hm_p11_generate(const char *module, const hm_p11_uri *uri, hm_alg alg, hm_signkey **out,
                char *canonical, size_t cap, char *err, size_t err_cap)
{
    struct p11_module *m;
    char *pin = NULL;
    size_t pin_len = 0;
    hm_p11_uri named = *uri, by_label;
    CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
    CK_OBJECT_HANDLE pubh, privh, any[1];
    CK_ULONG n = 0;
    CK_SLOT_ID slot;
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_MECHANISM mech = {alg == HM_ALG_ED25519 ? CKM_EC_EDWARDS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN,
                         NULL, 0};
    const unsigned char *oid = alg == HM_ALG_ED25519 ? oid_ed25519 : oid_p256;
    CK_ULONG oid_len = alg == HM_ALG_ED25519 ? sizeof oid_ed25519 : sizeof oid_p256;
    CK_ULONG label_len = (CK_ULONG)strlen(uri->object);
    hallmark_result rc;
    CK_RV rv;

    *out = NULL;
    if (alg != HM_ALG_ED25519 && alg != HM_ALG_ES256) {
        say(err, err_cap, "PKCS#11 keys are Ed25519 or ES256");
        return HALLMARK_UNSUPPORTED_ALG;
    }
    if (uri->object[0] == '\0' || uri->has_id) {
        say(err, err_cap,
            "key add --pkcs11: the URI names the new key by object=LABEL only (the id is made "
            "here)");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if ((m = module_get(module, err, err_cap)) == NULL) {
        return HALLMARK_ERR_IO;
    }
    if ((rc = read_pin(uri, &pin, &pin_len, err, err_cap)) != HALLMARK_OK) {
        return rc;
    }
    if ((rc = find_slot(m, uri, &slot, err, err_cap)) != HALLMARK_OK) {
        goto out;
    }
    if ((rv = m->f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h)) !=
        CKR_OK) {
        say(err, err_cap, "PKCS#11: C_OpenSession (read-write) failed: %s", rv_name(rv));
        rc = HALLMARK_ERR_UNAVAILABLE;
        goto out;
    }
    if ((rc = login(m, h, pin, pin_len, err, err_cap)) != HALLMARK_OK) {
        goto out;
    }
    memset(&by_label, 0, sizeof by_label);
    memcpy(by_label.object, uri->object, sizeof by_label.object);
    if (find_objects(m, h, &by_label, CKO_PRIVATE_KEY, any, 1, &n) != CKR_OK || n != 0 ||
        find_objects(m, h, &by_label, CKO_PUBLIC_KEY, any, 1, &n) != CKR_OK || n != 0) {
        say(err, err_cap,
            "PKCS#11: token \"%s\" already holds an object labelled \"%s\": choose another "
            "object= (a URI must name one key)",
            uri->token, uri->object);
        rc = HALLMARK_ERR_INVALID_ARGUMENT;
        goto out;
    }
    named.id_len = 16;
    named.has_id = 1;
    randombytes_buf(named.id, named.id_len);
    {
        CK_ATTRIBUTE pub_t[] = {
            {CKA_TOKEN, &yes, sizeof yes},
            {CKA_PRIVATE, &no, sizeof no},
            {CKA_VERIFY, &yes, sizeof yes},
            {CKA_LABEL, named.object, label_len},
            {CKA_ID, named.id, (CK_ULONG)named.id_len},
            {CKA_EC_PARAMS, (void *)(uintptr_t)oid, oid_len},
        };
        CK_ATTRIBUTE priv_t[] = {
            {CKA_TOKEN, &yes, sizeof yes},
            {CKA_PRIVATE, &yes, sizeof yes},
            {CKA_SENSITIVE, &yes, sizeof yes},
            {CKA_EXTRACTABLE, &no, sizeof no},
            {CKA_SIGN, &yes, sizeof yes},
            {CKA_LABEL, named.object, label_len},
            {CKA_ID, named.id, (CK_ULONG)named.id_len},
        };
        rv = m->f->C_GenerateKeyPair(h, &mech, pub_t, sizeof pub_t / sizeof pub_t[0], priv_t,
                                     sizeof priv_t / sizeof priv_t[0], &pubh, &privh);
    }
    if (rv != CKR_OK) {
        say(err, err_cap, "PKCS#11: the token cannot generate an %s key pair: %s (0x%lx)",
            hm_alg_name(alg), rv_name(rv), (unsigned long)rv);
        rc = rv == CKR_MECHANISM_INVALID || rv == CKR_DOMAIN_PARAMS_INVALID
                 ? HALLMARK_UNSUPPORTED_ALG
                 : HALLMARK_ERR_UNAVAILABLE;
        goto out;
    }
    if (hm_p11_uri_format(&named, canonical, cap) != 0) {
        say(err, err_cap, "PKCS#11: the key's URI is too long");
        rc = HALLMARK_ERR_INVALID_ARGUMENT;
        (void)m->f->C_DestroyObject(h, pubh);
        (void)m->f->C_DestroyObject(h, privh);
        goto out;
    }
    named.pin_source[0] = '\0';
    memcpy(named.pin_source, uri->pin_source, sizeof named.pin_source);
    rc = hm_p11_open(module, &named, alg, NULL, out, err, err_cap);
    if (rc != HALLMARK_OK) {
        (void)m->f->C_DestroyObject(h, pubh);
        (void)m->f->C_DestroyObject(h, privh);
    }
out:
    if (h != CK_INVALID_HANDLE) {
        (void)m->f->C_CloseSession(h);
    }
    hm_secret_free(pin);
    return rc;
}
