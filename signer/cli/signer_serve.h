/* The HTTP(S) signing service's internal interface, shared by its server core
 * (signer_serve.c), its clients (signer_clients.c), its replies and counters (signer_reply.c)
 * and one file per endpoint family (signer_endpoint_*.c). Nothing here is a library API. */
#ifndef SIGNER_SERVE_H
#define SIGNER_SERVE_H

#include <event2/http.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include "hm_digest.h"
#include "hm_json.h"
#include "hm_sigaudit.h"
#include "hm_signer.h"
#include "hm_store.h"
#include "signer_cli.h"
#include "signer_consent.h"

#define CLIENTS_MAX 256U
#define ALLOW_MAX 32U
#define LATENCY_BUCKETS 10

/* A client of the clients file and its rights. */
struct client {
    char id[65];
    unsigned char token_hash[HM_SHA256_BYTES];
    int has_token;
    char cert_cn[129];
    char *brands[ALLOW_MAX], *channels[ALLOW_MAX];
    size_t brand_count, channel_count; /* channel_count 0: every channel */
    double tokens;                     /* rate limiter bucket */
    struct timespec last;
};

struct metric {
    char *labels;
    unsigned long long value;
};

/* The service's one state, set up by run_serve before the workers start. */
struct server {
    struct signer_opts *o;
    struct client clients[CLIENTS_MAX];
    size_t client_count;
    pthread_mutex_t lock; /* guards current, clients' buckets, metrics */
    hm_signer *current;
    hm_sigaudit *audit;
    hm_store *store; /* the token directory (spec 9.6), the consent ledger and caps (9.7) */
    hm_consent_secret *consent; /* keys the ledger's recipients (NULL on a directory node) */
    int draining;
    SSL_CTX *tls;
    evutil_socket_t fd;
    char address[300];
    struct metric *metrics;
    size_t metric_count, metric_cap;
    unsigned long long latency[LATENCY_BUCKETS + 1], latency_count;
    double latency_sum;
    unsigned long reloads, reload_failures;
};
extern struct server srv;

/* ---- signer_serve.c: the signing set in force (a new reference; NULL before the start) ------ */
hm_signer *serve_current_set(void);

/* ---- signer_clients.c: who may ask ----------------------------------------------------------- */
/* Loads the clients file into srv.clients; 0, or the exit status after saying why. */
int serve_clients_load(const char *path);
/* Frees what serve_clients_load kept; srv.client_count becomes 0. */
void serve_clients_free(void);
/* The client making the request, or NULL with the reason in *why. */
struct client *serve_authenticate(struct evhttp_request *req, const char **why);
/* Whether a brand or channel list ("*": all) names v. */
int serve_client_allows(char *const *list, size_t count, const char *v);
/* Takes cost requests from the client's bucket; 0 when it is over its rate. */
int serve_rate_ok(struct client *c, double cost);

/* ---- signer_reply.c: replies, the request body, the log and the counters -------------------- */
extern const double serve_latency_bounds[LATENCY_BUCKETS];
void serve_log(const char *level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void serve_count(const char *labels, unsigned long long n);
void serve_observe_latency(double seconds);
/* Sends body (stolen; NULL sends no body) as JSON with the status. */
void serve_reply_json(struct evhttp_request *req, int status, json_t *body);
/* 200 with the bytes of a file (data, malloc'd, taken and freed) as content_type, not sniffed;
 * 500 when out of memory. Caching headers are the caller's. */
void serve_reply_file(struct evhttp_request *req, unsigned char *data, size_t len,
                      const char *content_type);
/* The same with a Cache-Control of the caller's (serve_reply_json says no-store). */
void serve_reply_json_cached(struct evhttp_request *req, int status, json_t *body,
                             const char *cache_control);
/* A 200 JSON reply whose body the caller wrote (body owned; a newline is added; NULL when out of
 * memory: an empty body), with the headers of serve_reply_json. */
void serve_reply_json_buffer(struct evhttp_request *req, struct evbuffer *body);
/* The error code of the last JSON reply this thread sent ("" for a success), for the access log. */
const char *serve_reply_error_code(void);
/* {"code","message"[,"field"]} for rc (new reference). */
json_t *serve_error_object(hallmark_result rc, const char *message, const char *field);
/* The error reply for rc, counted in hallmark_errors_total. */
void serve_reply_error(struct evhttp_request *req, hallmark_result rc, const char *message,
                       const char *field);
/* The request's JSON object (new reference), or NULL with *rc and *why. */
json_t *serve_read_body(struct evhttp_request *req, hallmark_result *rc, const char **why);

/* ---- signer_commit.c: the committer (group commit of directory tokens, off the event loops) -- */
struct serve_job; /* a sign request waiting for its commit (signer_endpoint_sign.c) */
/* Called on the job's worker thread: rc is its commit's result; client_gone: the client left,
 * so the request is to be freed (evhttp_request_free), not answered. */
typedef void (*serve_committed_fn)(struct serve_job *job, hallmark_result rc, int client_gone);
/* The directory rows of a job into out (NULL: only count them): each token under its lookup key
 * and its rendering's (HM-CARRY-30); their number. */
size_t serve_job_tokens(const struct serve_job *job, hm_store_token *out);
/* On the committer's thread, before a group's commit: consent and caps (spec §9.7) for every
 * message of the group's jobs in one store call, then each job's signatures recorded in the
 * signature log. A message refused here is neither recorded nor counted, and its token is
 * dropped (so it is not committed either). */
void serve_jobs_admit(struct serve_job *const *jobs, size_t n_jobs);
/* Queues a job whose request is owned (evhttp_request_own); done is called once committed. */
void serve_commit_submit(struct serve_job *job, struct evhttp_connection *conn,
                         serve_committed_fn done);
/* 1 if the handler just run queued its request (route then leaves its log line to done). */
int serve_commit_deferred_take(void);
int serve_commit_start(void);
/* After the workers stopped: commits what is queued and ends the thread. */
void serve_commit_stop(void);
/* After evhttp_free: frees the requests no worker completed. */
void serve_commit_free_leftovers(void);

/* ---- signer_serve.c: a request's log line, counters and latency, once it is answered -------- */
void serve_request_done(struct evhttp_request *req, const char *endpoint, const struct client *c,
                        const struct timespec *t0);

/* ---- one file per endpoint family; c is the authenticated client (NULL where none is needed) - */
void serve_sign(struct evhttp_request *req, struct client *c);        /* POST /v1/sign */
void serve_sign_batch(struct evhttp_request *req, struct client *c);  /* POST /v1/sign/batch */
void serve_bundle(struct evhttp_request *req, struct client *c);      /* GET /v1/bundle */
void serve_status(struct evhttp_request *req, struct client *c);      /* GET /v1/status */
void serve_jwks(struct evhttp_request *req, struct client *c);        /* GET /v1/jwks */
void serve_tokens(struct evhttp_request *req, struct client *c);      /* GET /v1/tokens/{key} */
void serve_healthz(struct evhttp_request *req, struct client *c);     /* GET /healthz */
void serve_inbound(struct evhttp_request *req, struct client *c);     /* POST /v1/inbound */
void serve_consent_set(struct evhttp_request *req, struct client *c); /* POST /v1/consent/set */
void serve_consent_export(struct evhttp_request *req,
                          struct client *c);                          /* POST /v1/consent/export */
void serve_consent_tap(struct evhttp_request *req, struct client *c); /* POST /v1/consent */
/* One request of the client's address from the per-address bucket (--directory-rate): 0 when it
 * is over its rate (the public endpoints: the token directory, one-tap consent). */
int serve_address_rate_ok(struct evhttp_request *req);
void serve_metrics(struct evhttp_request *req, struct client *c); /* GET /metrics */
#define SERVE_LOGOS_PREFIX "/v1/logos/"
#define SERVE_TOKENS_PREFIX "/v1/tokens/"
void serve_logo(struct evhttp_request *req, struct client *c); /* GET /v1/logos/{sha256} */

#endif
