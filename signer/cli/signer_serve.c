/* hallmark-signer serve: the server core of the HTTP(S) signing service, on libevent: one event
 * loop per worker thread on one shared listening socket, OpenSSL for TLS and mutual TLS, the
 * routing table, reload on SIGHUP and draining on SIGTERM. The endpoints live one family a file
 * (signer_endpoint_*.c); signer_serve.h is what they share. */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "signer_conns.h"
#include "signer_serve.h"
#include "hm_stem_shared.h"

#define HEADERS_MAX 16384
#define TIMEOUT_SECONDS 10
#define WORKERS_MAX 64

struct server srv;

struct worker {
    pthread_t thread;
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    conn_guard *guard;
    struct event *resume; /* re-enables accepting after an accept error */
    int stopping;         /* set by stop_worker: accepting never resumes */
};

/* The workers, so that a listener's error callback can find its own (by event base). */
static struct worker *all_workers;
static int all_worker_count;

hm_signer *
serve_current_set(void)
{
    hm_signer *s;

    (void)pthread_mutex_lock(&srv.lock);
    s = hm_signer_ref(srv.current);
    (void)pthread_mutex_unlock(&srv.lock);
    return s;
}

/* Every endpoint of spec/signer-api.yaml. A new endpoint family adds its file and its rows. */
enum match { EXACT, PREFIX }; /* PREFIX: the path starts with path; the handler reads the rest */
static const struct endpoint {
    const char *path;
    enum match match;
    enum evhttp_cmd_type method;
    int signs;     /* needs an authenticated client within its rate; timed, and logged by path */
    int directory; /* also served by a directory-only node (no keys there) */
    void (*handle)(struct evhttp_request *req, struct client *c);
} endpoints[] = {
    {"/v1/sign", EXACT, EVHTTP_REQ_POST, 1, 0, serve_sign},
    {"/v1/sign/batch", EXACT, EVHTTP_REQ_POST, 1, 0, serve_sign_batch},
    {"/v1/bundle", EXACT, EVHTTP_REQ_GET, 0, 0, serve_bundle},
    {"/v1/jwks", EXACT, EVHTTP_REQ_GET, 0, 0, serve_jwks},
    {"/v1/status", EXACT, EVHTTP_REQ_GET, 0, 0, serve_status},
    {SERVE_LOGOS_PREFIX, PREFIX, EVHTTP_REQ_GET, 0, 0, serve_logo},
    {SERVE_TOKENS_PREFIX, PREFIX, EVHTTP_REQ_GET, 0, 1, serve_tokens},
    {"/v1/inbound", EXACT, EVHTTP_REQ_POST, 1, 0, serve_inbound},
    {"/v1/consent/set", EXACT, EVHTTP_REQ_POST, 1, 0, serve_consent_set},
    {"/v1/consent/export", EXACT, EVHTTP_REQ_POST, 1, 0, serve_consent_export},
    {"/v1/consent", EXACT, EVHTTP_REQ_POST, 0, 0, serve_consent_tap},
    {"/healthz", EXACT, EVHTTP_REQ_GET, 0, 1, serve_healthz},
    {"/metrics", EXACT, EVHTTP_REQ_GET, 0, 1, serve_metrics},
};

static const struct endpoint *
endpoint_find(const char *path)
{
    size_t i;

    for (i = 0; i < sizeof endpoints / sizeof endpoints[0]; i++) {
        const struct endpoint *e = &endpoints[i];
        if (e->match == EXACT ? strcmp(e->path, path) == 0
                              : strncmp(e->path, path, strlen(e->path)) == 0) {
            return e;
        }
    }
    return NULL;
}

/* The request id: the client's X-Request-Id when it is 1-64 of [A-Za-z0-9._-] (a trace that
 * began upstream), else 16 random hex digits; returned as X-Request-Id and logged. */
static void
request_id_set(struct evhttp_request *req)
{
    const char *theirs = evhttp_find_header(evhttp_request_get_input_headers(req), "X-Request-Id");
    char id[65];
    size_t n = theirs != NULL ? strlen(theirs) : 0;

    if (n == 0 || n > 64 ||
        strspn(theirs, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                       "0123456789._-") != n) {
        unsigned char rnd[8];
        randombytes_buf(rnd, sizeof rnd);
        (void)sodium_bin2hex(id, sizeof id, rnd, sizeof rnd);
    } else {
        memcpy(id, theirs, n + 1);
    }
    evhttp_add_header(evhttp_request_get_output_headers(req), "X-Request-Id", id);
}

/* The path as logged: JSON-escaped and cut at 200 bytes; a token lookup's key stays out of the
 * log (it would say when a recipient received which message). out receives a JSON string. */
static void
log_path(const struct endpoint *e, const char *path, char *out, size_t cap)
{
    char cut[201];
    json_t *v;
    char *text;

    (void)snprintf(cut, sizeof cut, "%s",
                   e != NULL && strcmp(e->path, SERVE_TOKENS_PREFIX) == 0 ? SERVE_TOKENS_PREFIX
                       "{key}"
                                                                          : path);
    v = json_stringn_nocheck(cut, strlen(cut));
    text = v != NULL ? json_dumps(v, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;
    (void)snprintf(out, cap, "%s", text != NULL ? text : "\"?\"");
    free(text);
    json_decref(v);
}

/* The peer's address ("unix" on a unix socket). */
static void
log_peer(struct evhttp_request *req, char *out, size_t cap)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    char *addr = NULL;
    ev_uint16_t port = 0;

    if (conn != NULL) {
        evhttp_connection_get_peer(conn, &addr, &port);
    }
    if (addr == NULL || addr[0] == '\0' || strncmp(srv.address, "unix:", 5) == 0) {
        (void)snprintf(out, cap, "unix");
    } else if (strchr(addr, ':') != NULL) {
        (void)snprintf(out, cap, "[%s]:%u", addr, (unsigned)port);
    } else {
        (void)snprintf(out, cap, "%s:%u", addr, (unsigned)port);
    }
}

static const char *
method_name(enum evhttp_cmd_type method)
{
    switch (method) {
    case EVHTTP_REQ_GET:
        return "GET";
    case EVHTTP_REQ_POST:
        return "POST";
    case EVHTTP_REQ_PUT:
        return "PUT";
    case EVHTTP_REQ_DELETE:
        return "DELETE";
    case EVHTTP_REQ_PATCH:
        return "PATCH";
    case EVHTTP_REQ_OPTIONS:
        return "OPTIONS";
    default:
        return "OTHER";
    }
}

/* A request is answered: its latency (sign endpoints), its counter and its access-log line. */
static void
request_done(struct evhttp_request *req, const struct endpoint *e, const char *path,
             enum evhttp_cmd_type method, const struct client *c, const struct timespec *t0)
{
    struct timespec t1;
    char labels[160], logged_path[512], peer[128];
    const char *id = evhttp_find_header(evhttp_request_get_output_headers(req), "X-Request-Id"),
               *code = "";
    double seconds;
    int status = evhttp_request_get_response_code(req);

    if (status >= 400) {
        code = serve_reply_error_code(); /* every error reply is JSON (serve_reply_json_cached) */
    }

    (void)clock_gettime(CLOCK_MONOTONIC, &t1);
    seconds = (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
    if (e != NULL && e->signs) {
        serve_observe_latency(seconds);
    }
    (void)snprintf(labels, sizeof labels, "hallmark_requests_total{endpoint=\"%s\",status=\"%d\"}",
                   e != NULL ? e->path : "other", status);
    serve_count(labels, 1);
    /* One line per request (--access-log signs: sign requests and reads the service failed, for
     * a directory answering thousands of lookups a second). A token lookup's key is not logged
     * (log_path). */
    if (srv.o->access_log_signs && (e == NULL || !e->signs) && status < 500) {
        return;
    }
    log_path(e, path, logged_path, sizeof logged_path);
    log_peer(req, peer, sizeof peer);
    serve_log("info", "request",
              "\"id\":\"%s\",\"method\":\"%s\",\"path\":%s,\"status\":%d,\"error\":%s%s%s,"
              "\"latency_ms\":%.3f,\"peer\":\"%s\",\"client\":\"%s\"",
              id != NULL ? id : "-", method_name(method), logged_path, status,
              code[0] != '\0' ? "\"" : "", code[0] != '\0' ? code : "null",
              code[0] != '\0' ? "\"" : "", seconds * 1000.0, peer, c != NULL ? c->id : "-");
}

static void
route(struct evhttp_request *req, void *arg)
{
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
    enum evhttp_cmd_type method = evhttp_request_get_command(req);
    const struct endpoint *e;
    struct timespec t0;
    struct client *c = NULL;
    const char *why = NULL;

    conn_guard_request_done(arg,
                            evhttp_connection_get_bufferevent(evhttp_request_get_connection(req)));
    (void)clock_gettime(CLOCK_MONOTONIC, &t0);
    request_id_set(req);
    if (path == NULL) {
        path = "";
    }
    e = endpoint_find(path);
    if (e != NULL && srv.o->directory_only && !e->directory) {
        serve_reply_json(req, 404,
                         json_pack("{s:{s:s,s:s}}", "error", "code", "not_found", "message",
                                   "this node serves only the token directory (hallmark-signer "
                                   "directory): sign on a hallmark-signer serve node"));
    } else if (e != NULL && method != e->method) {
        serve_reply_error(req, HALLMARK_ERR_BAD_REQUEST,
                          e->method == EVHTTP_REQ_POST ? "use POST" : "use GET", NULL);
    } else if (e == NULL && method != EVHTTP_REQ_GET) {
        serve_reply_error(req, HALLMARK_ERR_BAD_REQUEST, "use GET", NULL);
    } else if (e == NULL) {
        serve_reply_json(req, 404,
                         json_pack("{s:{s:s,s:s}}", "error", "code", "not_found", "message",
                                   "no such endpoint (see spec/signer-api.yaml)"));
    } else if (!e->signs) {
        e->handle(req, NULL);
    } else if ((c = serve_authenticate(req, &why)) == NULL) {
        serve_reply_error(req, HALLMARK_ERR_UNAUTHORIZED, why, NULL);
    } else if (!serve_rate_ok(c, 1.0)) {
        serve_reply_error(req, HALLMARK_ERR_RATE_LIMITED, "slow down: per-client rate limit", NULL);
    } else {
        e->handle(req, c);
    }
    if (serve_commit_deferred_take()) {
        return; /* answered, timed and logged once its tokens are committed */
    }
    request_done(req, e, path, method, c, &t0);
}

void
serve_request_done(struct evhttp_request *req, const char *endpoint, const struct client *c,
                   const struct timespec *t0)
{
    request_done(req, endpoint_find(endpoint), endpoint, EVHTTP_REQ_POST, c, t0);
}

/* ---- TLS ------------------------------------------------------------------------------------- */

static int
accept_any_cert(int preverify, X509_STORE_CTX *ctx)
{
    (void)preverify;
    (void)ctx;
    return 1; /* decided per request (SSL_get_verify_result), so the client gets a 401 in JSON */
}

static int
setup_tls(const struct signer_opts *o)
{
    if (o->tls_cert == NULL && o->tls_key == NULL) {
        if (o->client_ca != NULL) {
            return signer_fail(EXIT_USAGE, "--client-ca needs --tls-cert and --tls-key");
        }
        return 0;
    }
    if (o->tls_cert == NULL || o->tls_key == NULL) {
        return signer_fail(EXIT_USAGE, "--tls-cert and --tls-key go together");
    }
    srv.tls = SSL_CTX_new(TLS_server_method());
    if (srv.tls == NULL || SSL_CTX_set_min_proto_version(srv.tls, TLS1_2_VERSION) != 1 ||
        SSL_CTX_use_certificate_chain_file(srv.tls, o->tls_cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(srv.tls, o->tls_key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(srv.tls) != 1) {
        return signer_fail(EXIT_USAGE, "TLS: cannot use %s / %s: %s", o->tls_cert, o->tls_key,
                           ERR_reason_error_string(ERR_get_error()));
    }
    if (o->client_ca != NULL) {
        if (SSL_CTX_load_verify_locations(srv.tls, o->client_ca, NULL) != 1) {
            return signer_fail(EXIT_USAGE, "TLS: cannot load client CA %s", o->client_ca);
        }
        SSL_CTX_set_client_CA_list(srv.tls, SSL_load_client_CA_file(o->client_ca));
        SSL_CTX_set_verify(srv.tls, SSL_VERIFY_PEER, accept_any_cert);
        /* Without a session id context, OpenSSL fails every resumed session once peers are
         * verified. */
        (void)SSL_CTX_set_session_id_context(srv.tls, (const unsigned char *)"hallmark-signer", 15);
    }
    return 0;
}

/* ---- sockets, workers, signals --------------------------------------------------------------- */

static int
listen_on(const char *spec)
{
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    int fd, one = 1;

    memset(&ss, 0, sizeof ss);
    if (strncmp(spec, "unix:", 5) == 0) {
        struct sockaddr_un *un = (struct sockaddr_un *)&ss;
        if (strlen(spec + 5) >= sizeof un->sun_path || spec[5] == '\0') {
            return signer_fail(EXIT_USAGE, "--listen %s: socket path too long or empty", spec), -1;
        }
        un->sun_family = AF_UNIX;
        (void)snprintf(un->sun_path, sizeof un->sun_path, "%s", spec + 5);
        (void)unlink(un->sun_path);
        sl = sizeof *un;
    } else {
        char host[256];
        const char *colon = strrchr(spec, ':');
        long port;
        char *end = NULL;
        size_t hl = colon != NULL ? (size_t)(colon - spec) : 0;
        if (colon == NULL || hl == 0 || hl >= sizeof host) {
            return signer_fail(EXIT_USAGE, "--listen %s: write HOST:PORT or unix:PATH", spec), -1;
        }
        memcpy(host, spec, hl);
        host[hl] = '\0';
        port = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || *end != '\0' || port < 0 || port > 65535) {
            return signer_fail(EXIT_USAGE, "--listen %s: bad port", spec), -1;
        }
        if (host[0] == '[' && host[hl - 1] == ']') {
            struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
            host[hl - 1] = '\0';
            s6->sin6_family = AF_INET6;
            s6->sin6_port = htons((uint16_t)port);
            if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1) {
                return signer_fail(EXIT_USAGE, "--listen %s: not an IPv6 address", spec), -1;
            }
            sl = sizeof *s6;
        } else {
            struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
            s4->sin_family = AF_INET;
            s4->sin_port = htons((uint16_t)port);
            if (inet_pton(AF_INET, host, &s4->sin_addr) != 1) {
                return signer_fail(EXIT_USAGE, "--listen %s: not an IPv4 address", spec), -1;
            }
            sl = sizeof *s4;
        }
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return signer_fail(EXIT_USAGE, "socket: %s", strerror(errno)), -1;
    }
    if (ss.ss_family != AF_UNIX) {
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    }
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 1024) != 0) {
        (void)signer_fail(EXIT_USAGE, "--listen %s: %s", spec, strerror(errno));
        (void)close(fd);
        return -1;
    }
    if (ss.ss_family == AF_UNIX) {
        (void)snprintf(srv.address, sizeof srv.address, "%s", spec);
    } else {
        char ip[INET6_ADDRSTRLEN] = "";
        struct sockaddr_storage got;
        socklen_t gl = sizeof got;
        (void)getsockname(fd, (struct sockaddr *)&got, &gl);
        if (got.ss_family == AF_INET6) {
            const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&got;
            (void)inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof ip);
            (void)snprintf(srv.address, sizeof srv.address, "[%s]:%u", ip, ntohs(s6->sin6_port));
        } else {
            const struct sockaddr_in *s4 = (const struct sockaddr_in *)&got;
            (void)inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof ip);
            (void)snprintf(srv.address, sizeof srv.address, "%s:%u", ip, ntohs(s4->sin_port));
        }
    }
    return fd;
}

/* 1 when the workers share the process's memo of recipient stems (hm_stem_shared.h): a request
 * reaches any worker, and a memo of each would run every recipient's Argon2id once per worker. */
static int shared_memo;

static void *
worker_main(void *arg)
{
    struct worker *w = arg;

    /* The workers share one memo of recipient stems (run_serve); without it each keeps its own,
     * and without that a worker still signs, paying the Argon2id for every message. */
    if (!shared_memo && hm_signer_thread_memo((size_t)srv.o->stem_memo) != HALLMARK_OK) {
        serve_log("warning", "stem_memo",
                  "\"detail\":\"no memory for the recipient stem memo (--stem-memo %ld)\"",
                  srv.o->stem_memo);
    }
    (void)event_base_dispatch(w->base);
    hm_signer_thread_memo_release();
    return NULL;
}

/* Out of file descriptors (or another accept error): stop accepting on this worker for a
 * second instead of spinning, and say so once. The timer belongs to the worker, so that
 * stop_worker can cancel it before the listener is freed. */
static void
resume_accepting(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;

    (void)fd;
    (void)what;
    if (!w->stopping && w->bound != NULL) {
        (void)evconnlistener_enable(evhttp_bound_socket_get_listener(w->bound));
    }
}

static void
accept_error(struct evconnlistener *listener, void *arg)
{
    struct timeval pause = {1, 0};
    struct event_base *base = evconnlistener_get_base(listener);
    int err = EVUTIL_SOCKET_ERROR(), i;

    (void)arg;
    (void)evconnlistener_disable(listener);
    for (i = 0; i < all_worker_count; i++) {
        if (all_workers[i].base == base && !all_workers[i].stopping &&
            all_workers[i].resume != NULL) {
            (void)event_add(all_workers[i].resume, &pause);
        }
    }
    serve_log("warn", "accept_paused", "\"error\":\"%s\",\"seconds\":1",
              evutil_socket_error_to_string(err));
}

/* libevent's own messages, as JSON lines and at most one a second. */
static void
libevent_log(int severity, const char *msg)
{
    static time_t last;
    time_t now = time(NULL);

    if (severity < EVENT_LOG_WARN || now == __atomic_load_n(&last, __ATOMIC_RELAXED)) {
        return;
    }
    __atomic_store_n(&last, now, __ATOMIC_RELAXED);
    {
        json_t *m = json_string(msg);
        char *text = m != NULL ? json_dumps(m, JSON_ENCODE_ANY) : NULL;
        serve_log("warn", "libevent", "\"severity\":%d,\"message\":%s", severity,
                  text != NULL ? text : "\"?\"");
        free(text);
        json_decref(m);
    }
}

static int
worker_setup(struct worker *w, size_t max_connections)
{
    if ((w->base = event_base_new()) == NULL || (w->http = evhttp_new(w->base)) == NULL ||
        (w->guard = conn_guard_new(w->base, max_connections, (double)srv.o->request_timeout,
                                   HEADERS_MAX + srv.o->body_max * 2 + 1024 + 65536, srv.tls)) ==
            NULL) {
        return -1;
    }
    evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                            EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH |
                                            EVHTTP_REQ_OPTIONS);
    /* A hard cap beyond which libevent itself refuses; the JSON 413 comes from serve_read_body. */
    evhttp_set_max_body_size(w->http, (ev_ssize_t)(srv.o->body_max * 2 + 1024));
    evhttp_set_max_headers_size(w->http, HEADERS_MAX);
    evhttp_set_timeout(w->http, TIMEOUT_SECONDS);
    evhttp_set_gencb(w->http, route, w->guard);
    evhttp_set_bevcb(w->http, conn_guard_bev, w->guard);
    /* Each worker listens on its own duplicate of the socket: libevent closes it when the
     * worker stops accepting. */
    {
        evutil_socket_t fd = dup(srv.fd);
        if (fd < 0 || evutil_make_socket_nonblocking(fd) != 0 ||
            (w->bound = evhttp_accept_socket_with_handle(w->http, fd)) == NULL) {
            if (fd >= 0) {
                (void)close(fd);
            }
            return -1;
        }
        if ((w->resume = evtimer_new(w->base, resume_accepting, w)) == NULL) {
            return -1;
        }
        evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(w->bound), accept_error);
        conn_guard_set_listener(w->guard, evhttp_bound_socket_get_listener(w->bound));
    }
    return 0;
}

static void
stop_worker(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    struct timeval grace = {1, 0};

    (void)fd;
    (void)what;
    w->stopping = 1;
    if (w->resume != NULL) {
        (void)event_del(w->resume);
    }
    conn_guard_set_listener(w->guard, NULL);
    evhttp_del_accept_socket(w->http, w->bound);
    w->bound = NULL;
    (void)event_base_loopexit(w->base, &grace);
}

struct control {
    struct worker *workers;
    int count;
    struct event_base *base;
};

/* Loads the keystore's signing set again; the old set keeps serving on any failure. 1 when the
 * new set is in force. */
static int
reload(void)
{
    hm_signer *fresh = NULL, *old;
    char err[1024];
    hallmark_result rc;

    if (srv.o->directory_only) {
        serve_log("info", "reload_skipped", "\"message\":\"a directory node has no keys\"");
        return 0;
    }
    rc = hm_signer_load(srv.o->keystore, srv.o->pass, srv.o->pass_len, (long long)time(NULL),
                        &fresh, err, sizeof err);
    if (rc != HALLMARK_OK) {
        (void)pthread_mutex_lock(&srv.lock);
        srv.reload_failures++;
        (void)pthread_mutex_unlock(&srv.lock);
        serve_log("error", "reload_failed", "\"result\":\"%s\",\"keeps_serial\":%llu",
                  hallmark_result_name(rc), (unsigned long long)hm_signer_serial(srv.current));
        (void)fprintf(stderr,
                      "hallmark-signer: reload failed, the previous keys keep serving: %s\n", err);
        return 0;
    }
    (void)pthread_mutex_lock(&srv.lock);
    old = srv.current;
    srv.current = fresh;
    srv.reloads++;
    (void)pthread_mutex_unlock(&srv.lock);
    serve_log("info", "reloaded", "\"serial\":%llu,\"brands\":%zu",
              (unsigned long long)hm_signer_serial(fresh), hm_signer_brand_count(fresh));
    hm_signer_unref(old);
    return 1;
}

/* The watch of --reload-every: what identifies a version of published/bundle.jws and of
 * keystore.json (both are replaced by rename, so a new version has a new inode; the size and
 * times catch an edit in place). */
struct watched {
    dev_t dev[2];
    ino_t ino[2];
    off_t size[2];
    struct timespec mtime[2], ctime[2];
    int missing[2];
};

static struct {
    struct watched in_force; /* the files the set in force was loaded from (or SIGHUP's) */
    struct watched failed;   /* the files of the last failed load, not tried again */
    int has_failed;
} watch;

static void
watch_stat(struct watched *w)
{
    static const char *const names[2] = {"published/bundle.jws", "keystore.json"};
    char path[4200];
    struct stat st;
    int i;

    memset(w, 0, sizeof *w);
    for (i = 0; i < 2; i++) {
        (void)snprintf(path, sizeof path, "%s/%s", srv.o->keystore, names[i]);
        if (stat(path, &st) != 0) {
            w->missing[i] = 1;
            continue;
        }
        w->dev[i] = st.st_dev;
        w->ino[i] = st.st_ino;
        w->size[i] = st.st_size;
        w->mtime[i] = st.st_mtim;
        w->ctime[i] = st.st_ctim;
    }
}

static int
watched_same(const struct watched *a, const struct watched *b)
{
    int i;

    for (i = 0; i < 2; i++) {
        if (a->missing[i] != b->missing[i] || a->dev[i] != b->dev[i] || a->ino[i] != b->ino[i] ||
            a->size[i] != b->size[i] || a->mtime[i].tv_sec != b->mtime[i].tv_sec ||
            a->mtime[i].tv_nsec != b->mtime[i].tv_nsec ||
            a->ctime[i].tv_sec != b->ctime[i].tv_sec ||
            a->ctime[i].tv_nsec != b->ctime[i].tv_nsec) {
            return 0;
        }
    }
    return 1;
}

/* A reload on SIGHUP or by the watch. The files are looked at before the load, so a publish
 * that lands during it is seen as a change at the next check, never lost. */
static void
reload_and_note(int by_watch)
{
    struct watched now;

    watch_stat(&now);
    if (by_watch) {
        serve_log("info", "bundle_changed", "\"keeps_serial\":%llu",
                  (unsigned long long)hm_signer_serial(srv.current));
    }
    if (reload()) {
        watch.in_force = now;
        watch.has_failed = 0;
    } else {
        watch.failed = now;
        watch.has_failed = 1;
    }
}

/* Every --reload-every seconds: files that differ from those in force are loaded as on SIGHUP.
 * When the load fails the old set keeps serving, and those same files are not tried again (a
 * publish or keystore change replaces them; SIGHUP forces a try). */
static void
on_watch(evutil_socket_t fd, short what, void *arg)
{
    struct watched now;

    (void)fd;
    (void)what;
    (void)arg;
    watch_stat(&now);
    if (watched_same(&watch.in_force, &now) ||
        (watch.has_failed && watched_same(&watch.failed, &now))) {
        return;
    }
    reload_and_note(1);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
    struct control *ctl = arg;
    int i;

    (void)what;
    if (sig == SIGHUP) {
        reload_and_note(0);
        return;
    }
    serve_log("info", "draining", "\"signal\":%d", (int)sig);
    __atomic_store_n(&srv.draining, 1, __ATOMIC_RELEASE);
    for (i = 0; i < ctl->count; i++) {
        (void)event_base_once(ctl->workers[i].base, -1, EV_TIMEOUT, stop_worker, &ctl->workers[i],
                              NULL);
    }
    (void)event_base_loopexit(ctl->base, NULL);
}

static void
on_flush(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    if (hm_sigaudit_flush(srv.audit) != HALLMARK_OK) {
        serve_log("error", "audit_flush_failed", "\"message\":\"signing stopped\"");
    }
}

/* One purge step of the token store (HM-CARRY-15): tokens past exp + 300 go, a bounded number a
 * step (SQLite) or whole days (PostgreSQL, one node at a time). Every node purges; a failure is
 * logged and the next step tries again. */
#define PURGE_BUDGET 20000

static void
on_purge(evutil_socket_t fd, short what, void *arg)
{
    uint64_t removed = 0;
    char err[512];

    (void)fd;
    (void)what;
    (void)arg;
    if (hm_store_purge(srv.store, (int64_t)time(NULL), PURGE_BUDGET, &removed, err, sizeof err) !=
        HALLMARK_OK) {
        serve_log("error", "purge_failed", "\"message\":\"%s\"", err);
        return;
    }
    serve_count("hallmark_tokens_purged_total", removed);
}

/* What a node needs before it listens: the keys, the signature log and the clients (serve), or
 * only the store (directory). 0, or the exit status after saying why. */
static int
serve_open_state(struct signer_opts *o)
{
    char err[1024];
    int st;

    if (o->directory_only) {
        if (o->listen == NULL || o->store == NULL) {
            return signer_fail(EXIT_USAGE, "directory needs --listen and --store (see --help)");
        }
        return signer_store_open(o, &srv.store);
    }
    if (o->listen == NULL || o->audit == NULL || o->clients == NULL) {
        return signer_fail(EXIT_USAGE, "serve needs --listen, --audit and --clients (see --help)");
    }
    if ((st = serve_clients_load(o->clients)) != 0) {
        return st;
    }
    watch_stat(&watch.in_force); /* before the load: a publish during it is a change */
    if (hm_signer_load(o->keystore, o->pass, o->pass_len, (long long)time(NULL), &srv.current, err,
                       sizeof err) != HALLMARK_OK) {
        return signer_fail(EXIT_USAGE, "%s", err);
    }
    if (hm_sigaudit_open(o->audit, o->audit_sync, &srv.audit, err, sizeof err) != HALLMARK_OK) {
        return signer_fail(EXIT_USAGE, "%s", err);
    }
    if ((st = signer_consent_open(o, &srv.consent)) != 0) {
        return st;
    }
    return signer_store_open(o, &srv.store);
}

int
run_serve(struct signer_opts *o)
{
    struct worker workers[WORKERS_MAX];
    struct control ctl;
    struct event *ev_hup = NULL, *ev_term = NULL, *ev_int = NULL, *ev_flush = NULL,
                 *ev_purge = NULL, *ev_watch = NULL;
    struct timeval every = {0, 200000}, purge_every = {o->purge_every, 0},
                   reload_every = {o->reload_every, 0};
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int n = o->threads > 0 ? o->threads
                           : (int)(cores < 1             ? 1
                                   : cores > WORKERS_MAX ? WORKERS_MAX
                                                         : cores),
        i, st = EXIT_FAILED;
    size_t per_worker;

    per_worker = o->max_connections / (size_t)n > 0 ? o->max_connections / (size_t)n : 1;
    memset(workers, 0, sizeof workers);
    all_workers = workers;
    all_worker_count = n;
    memset(&ctl, 0, sizeof ctl);
    srv.o = o;
    srv.fd = -1;
    (void)pthread_mutex_init(&srv.lock, NULL);
    if (o->listen == NULL) {
        return signer_fail(EXIT_USAGE, "--listen ADDR is required (see --help)");
    }
    if ((st = setup_tls(o)) != 0) {
        return st;
    }
    if (srv.tls == NULL && strncmp(o->listen, "unix:", 5) != 0 &&
        strncmp(o->listen, "127.", 4) != 0 && strncmp(o->listen, "[::1]:", 6) != 0) {
        return signer_fail(EXIT_USAGE,
                           "--listen %s without --tls-cert/--tls-key would send %s in the clear: "
                           "plain HTTP is for loopback and unix sockets only",
                           o->listen,
                           o->directory_only ? "lookup keys (a recipient and a message)"
                                             : "bearer tokens");
    }
    if ((st = serve_open_state(o)) != 0) {
        goto out;
    }
    if (!o->directory_only && serve_commit_start() != 0) {
        st = signer_fail(EXIT_USAGE, "cannot start the committer thread");
        goto out;
    }
    (void)signal(SIGPIPE, SIG_IGN);
    event_set_log_callback(libevent_log);
    if (evthread_use_pthreads() != 0 || (srv.fd = listen_on(o->listen)) < 0) {
        st = EXIT_USAGE;
        goto out;
    }
    for (i = 0; i < n; i++) {
        if (worker_setup(&workers[i], per_worker) != 0) {
            (void)signer_fail(EXIT_USAGE, "cannot start worker %d", i);
            n = i + 1; /* its parts that were made are freed below */
            st = EXIT_USAGE;
            goto stop;
        }
    }
    ctl.workers = workers;
    ctl.count = n;
    ctl.base = event_base_new();
    ev_hup = evsignal_new(ctl.base, SIGHUP, on_signal, &ctl);
    ev_term = evsignal_new(ctl.base, SIGTERM, on_signal, &ctl);
    ev_int = evsignal_new(ctl.base, SIGINT, on_signal, &ctl);
    ev_flush = event_new(ctl.base, -1, EV_PERSIST, on_flush, NULL);
    ev_purge = event_new(ctl.base, -1, EV_PERSIST, on_purge, NULL);
    ev_watch = event_new(ctl.base, -1, EV_PERSIST, on_watch, NULL);
    if (ctl.base == NULL || ev_hup == NULL || ev_term == NULL || ev_int == NULL ||
        ev_flush == NULL || ev_purge == NULL || ev_watch == NULL || event_add(ev_hup, NULL) != 0 ||
        event_add(ev_term, NULL) != 0 || event_add(ev_int, NULL) != 0 ||
        (srv.audit != NULL && event_add(ev_flush, &every) != 0) ||
        event_add(ev_purge, &purge_every) != 0 ||
        (!o->directory_only && o->reload_every > 0 && event_add(ev_watch, &reload_every) != 0)) {
        (void)signer_fail(EXIT_USAGE, "cannot set up signal handling");
        st = EXIT_USAGE;
        goto stop;
    }
    shared_memo = !o->directory_only && hm_stem_shared_reserve((size_t)o->stem_memo) == HALLMARK_OK;
    for (i = 0; i < n; i++) {
        (void)pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]);
    }
    if (o->directory_only) {
        (void)printf("hallmark-signer: listening on %s://%s (%d workers, token directory only, "
                     "%s store)\n",
                     srv.tls != NULL ? "https" : "http", srv.address, n,
                     hm_store_backend(srv.store));
    } else {
        (void)printf("hallmark-signer: listening on %s://%s (%d workers, bundle serial %llu, %zu "
                     "brands)\n",
                     srv.tls != NULL ? "https" : "http", srv.address, n,
                     (unsigned long long)hm_signer_serial(srv.current),
                     hm_signer_brand_count(srv.current));
    }
    (void)fflush(stdout);
    serve_log("info", "listening", "\"address\":\"%s\",\"tls\":%s,\"mtls\":%s", srv.address,
              srv.tls != NULL ? "true" : "false", o->client_ca != NULL ? "true" : "false");
    (void)event_base_dispatch(ctl.base);
    for (i = 0; i < n; i++) {
        (void)pthread_join(workers[i].thread, NULL);
    }
    hm_stem_shared_release();
    st = EXIT_DONE;
    serve_log("info", "stopped", "\"signatures\":%lu",
              srv.audit != NULL ? hm_sigaudit_count(srv.audit) : 0UL);
stop:
    serve_commit_stop();
    for (i = 0; i < n; i++) {
        if (workers[i].http != NULL) {
            evhttp_free(workers[i].http);
        }
        conn_guard_free(workers[i].guard);
        if (workers[i].resume != NULL) {
            event_free(workers[i].resume);
        }
        if (workers[i].base != NULL) {
            event_base_free(workers[i].base);
        }
    }
    serve_commit_free_leftovers();
    if (ev_hup != NULL) {
        event_free(ev_hup);
        event_free(ev_term);
        event_free(ev_int);
        event_free(ev_flush);
        event_free(ev_purge);
    }
    if (ev_watch != NULL) {
        event_free(ev_watch);
    }
    if (ctl.base != NULL) {
        event_base_free(ctl.base);
    }
out:
    serve_commit_stop();
    if (srv.fd >= 0) {
        (void)close(srv.fd);
    }
    hm_sigaudit_close(srv.audit);
    hm_store_close(srv.store);
    hm_consent_secret_free(srv.consent);
    hm_signer_unref(srv.current);
    if (srv.tls != NULL) {
        SSL_CTX_free(srv.tls);
    }
    serve_clients_free();
    for (i = 0; i < (int)srv.metric_count; i++) {
        free(srv.metrics[i].labels);
    }
    free(srv.metrics);
    return st;
}
