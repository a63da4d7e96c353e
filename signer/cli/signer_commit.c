/* hallmark-signer serve: the committer, one thread that takes every sign request waiting at a
 * moment, checks consent and caps for all their messages in one store transaction, records their
 * signatures, and puts their directory tokens into the store in one transaction (group commit),
 * so that a worker never blocks its event loop on the store and each transaction's cost is shared
 * by every request it carries. A request's reply is sent from its own worker thread once its commit
 * is done (event_base_once on the worker's base); a failed commit fails that request's directory
 * tokens.
 *
 * Lifetimes: while a request waits, evhttp leaves it to us (evhttp_request_own), and the
 * connection's close callback marks it gone if the client leaves; its completion then frees it
 * instead of replying. At shutdown the workers stop first, the committer commits what is queued,
 * and serve_commit_free_leftovers frees what no worker completed (after evhttp_free). */
#include <event2/event.h>
#include <event2/http.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "signer_serve.h"

struct waiting {
    struct serve_job *job;
    struct event_base *base; /* the worker's */
    serve_committed_fn done;
    hallmark_result rc;
    int gone;                            /* the client left (worker thread only) */
    struct waiting *next;                /* in the queue */
    struct waiting *prev_all, *next_all; /* every waiting request, for shutdown */
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct waiting *head, *tail, *all;
    int stopping, started;
    pthread_t thread;
} committer = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, NULL, 0, 0, 0};

static _Thread_local int deferred;

int
serve_commit_deferred_take(void)
{
    int d = deferred;

    deferred = 0;
    return d;
}

static void
unlink_all(struct waiting *w)
{
    (void)pthread_mutex_lock(&committer.lock);
    if (w->prev_all != NULL) {
        w->prev_all->next_all = w->next_all;
    } else {
        committer.all = w->next_all;
    }
    if (w->next_all != NULL) {
        w->next_all->prev_all = w->prev_all;
    }
    (void)pthread_mutex_unlock(&committer.lock);
}

static void
on_close(struct evhttp_connection *conn, void *arg)
{
    struct waiting *w = arg;

    (void)conn;
    w->gone = 1;
}

/* On the worker's thread, once the commit is done. */
static void
complete(evutil_socket_t fd, short what, void *arg)
{
    struct waiting *w = arg;

    (void)fd;
    (void)what;
    unlink_all(w);
    w->done(w->job, w->rc, w->gone);
    free(w);
}

void
serve_commit_submit(struct serve_job *job, struct evhttp_connection *conn, serve_committed_fn done)
{
    struct waiting *w = calloc(1, sizeof *w);

    if (w == NULL) {
        deferred = 1; /* done logs the request */
        done(job, HALLMARK_ERR_NOMEM, 0);
        return;
    }
    w->job = job;
    w->base = evhttp_connection_get_base(conn);
    w->done = done;
    evhttp_connection_set_closecb(conn, on_close, w);
    (void)pthread_mutex_lock(&committer.lock);
    w->next_all = committer.all;
    if (committer.all != NULL) {
        committer.all->prev_all = w;
    }
    committer.all = w;
    if (committer.tail != NULL) {
        committer.tail->next = w;
    } else {
        committer.head = w;
    }
    committer.tail = w;
    (void)pthread_cond_signal(&committer.wake);
    (void)pthread_mutex_unlock(&committer.lock);
    deferred = 1;
}

/* One group: consent, caps and the signature log for every request taken (serve_jobs_admit),
 * then every directory token they still carry in one transaction. */
static void
commit_group(struct waiting *group)
{
    struct waiting *w;
    struct serve_job **jobs;
    hm_store_token *t = NULL;
    size_t n_jobs = 0, n = 0, k = 0;
    char err[512] = "";
    hallmark_result rc = HALLMARK_OK;

    for (w = group; w != NULL; w = w->next) {
        n_jobs++;
    }
    if ((jobs = calloc(n_jobs, sizeof(struct serve_job *))) != NULL) {
        for (w = group, k = 0; w != NULL; w = w->next) {
            jobs[k++] = w->job;
        }
        serve_jobs_admit(jobs, n_jobs);
        free(jobs);
    } else {
        for (w = group; w != NULL; w = w->next) {
            serve_jobs_admit(&w->job, 1); /* out of memory: one request at a time */
        }
    }
    for (w = group; w != NULL; w = w->next) {
        n += serve_job_tokens(w->job, NULL);
    }
    if (n > 0 && (t = calloc(n, sizeof *t)) == NULL) {
        rc = HALLMARK_ERR_NOMEM;
    }
    for (w = group, k = 0; t != NULL && w != NULL; w = w->next) {
        k += serve_job_tokens(w->job, t + k);
    }
    if (t != NULL) {
        rc = hm_store_put_tokens(srv.store, t, k, err, sizeof err);
        free(t);
    }
    if (rc != HALLMARK_OK) {
        serve_log("error", "directory_write_failed", "\"tokens\":%zu", n);
        if (err[0] != '\0') {
            (void)fprintf(stderr, "hallmark-signer: %s\n", err);
        }
    }
    for (w = group; w != NULL;) {
        struct waiting *next = w->next;
        w->rc = rc;
        w->next = NULL;
        if (event_base_once(w->base, -1, EV_TIMEOUT, complete, w, NULL) != 0) {
            serve_log("error", "commit_completion_lost", "\"message\":\"out of memory\"");
        }
        w = next;
    }
}

static void *
committer_main(void *arg)
{
    struct waiting *group;

    (void)arg;
    for (;;) {
        (void)pthread_mutex_lock(&committer.lock);
        while (committer.head == NULL && !committer.stopping) {
            (void)pthread_cond_wait(&committer.wake, &committer.lock);
        }
        group = committer.head;
        committer.head = committer.tail = NULL;
        (void)pthread_mutex_unlock(&committer.lock);
        if (group == NULL) {
            return NULL; /* stopping, and nothing queued */
        }
        commit_group(group);
    }
}

int
serve_commit_start(void)
{
    committer.stopping = 0;
    if (pthread_create(&committer.thread, NULL, committer_main, NULL) != 0) {
        return -1;
    }
    committer.started = 1;
    return 0;
}

void
serve_commit_stop(void)
{
    if (!committer.started) {
        return;
    }
    (void)pthread_mutex_lock(&committer.lock);
    committer.stopping = 1;
    (void)pthread_cond_signal(&committer.wake);
    (void)pthread_mutex_unlock(&committer.lock);
    (void)pthread_join(committer.thread, NULL);
    committer.started = 0;
}

void
serve_commit_free_leftovers(void)
{
    struct waiting *w;

    (void)pthread_mutex_lock(&committer.lock);
    w = committer.all;
    committer.all = NULL;
    (void)pthread_mutex_unlock(&committer.lock);
    while (w != NULL) {
        struct waiting *next = w->next_all;
        w->done(w->job, w->rc, 1); /* every connection is closed by now */
        free(w);
        w = next;
    }
}
