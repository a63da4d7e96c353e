/* signer_conns: connection cap and request deadline for one worker (see signer_conns.h). */
#include "signer_conns.h"

#include <event2/bufferevent_ssl.h>
#include <stdlib.h>
#include <time.h>

#define SWEEP_MICROSECONDS 100000
#define RECUT_SECONDS 1.0

struct conn {
    struct bufferevent *bev; /* one reference is ours */
    double since;            /* accept, or the end of the previous request */
    double cut_at;           /* 0, or when the guard last raised a timeout on it */
};

struct conn_guard {
    struct event_base *base;
    struct event *sweep;
    struct evconnlistener *listener;
    SSL_CTX *tls;
    size_t cap, read_max;
    double deadline;
    struct conn *conns;
    size_t count, alloc;
    int paused;
};

static unsigned long open_total, cut_total, paused_total;

static double
now_seconds(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* evhttp clears a bufferevent's callbacks when it frees it, and never otherwise: while evhttp
 * owns a connection its event callback is set. */
static int
owned_by_evhttp(struct bufferevent *bev)
{
    bufferevent_data_cb r, w;
    bufferevent_event_cb e;
    void *arg;

    bufferevent_getcb(bev, &r, &w, &e, &arg);
    return e != NULL;
}

static void
release(conn_guard *g, size_t i)
{
    (void)bufferevent_decref(g->conns[i].bev); /* the last reference: closes the socket */
    g->conns[i] = g->conns[--g->count];
    __atomic_sub_fetch(&open_total, 1, __ATOMIC_RELAXED);
}

static void
sweep(evutil_socket_t fd, short what, void *arg)
{
    conn_guard *g = arg;
    double now = now_seconds();
    size_t i = 0;

    (void)fd;
    (void)what;
    while (i < g->count) {
        struct conn *c = &g->conns[i];
        if (!owned_by_evhttp(c->bev)) {
            release(g, i);
            continue;
        }
        if (now - c->since > g->deadline && (c->cut_at == 0 || now - c->cut_at > RECUT_SECONDS)) {
            if (c->cut_at == 0) {
                __atomic_add_fetch(&cut_total, 1, __ATOMIC_RELAXED);
            }
            c->cut_at = now;
            /* evhttp answers a timeout on an incoming connection by freeing it */
            bufferevent_trigger_event(c->bev, BEV_EVENT_TIMEOUT | BEV_EVENT_READING, 0);
            continue; /* looked at again at once: released now if evhttp let go of it */
        }
        i++;
    }
    if (g->paused && g->count < g->cap && g->listener != NULL) {
        g->paused = 0;
        (void)evconnlistener_enable(g->listener);
    }
}

conn_guard *
conn_guard_new(struct event_base *base, size_t cap, double deadline_seconds, size_t read_max,
               SSL_CTX *tls)
{
    struct timeval every = {0, SWEEP_MICROSECONDS};
    conn_guard *g;

    if (base == NULL || cap == 0 || !(deadline_seconds > 0) || read_max == 0 ||
        (g = calloc(1, sizeof *g)) == NULL) {
        return NULL;
    }
    g->base = base;
    g->cap = cap;
    g->deadline = deadline_seconds;
    g->read_max = read_max;
    g->tls = tls;
    if ((g->sweep = event_new(base, -1, EV_PERSIST, sweep, g)) == NULL ||
        event_add(g->sweep, &every) != 0) {
        conn_guard_free(g);
        return NULL;
    }
    return g;
}

void
conn_guard_set_listener(conn_guard *g, struct evconnlistener *listener)
{
    g->listener = listener;
}

static struct bufferevent *
new_bev(conn_guard *g)
{
    SSL *ssl;
    struct bufferevent *bev;

    /* BEV_OPT_CLOSE_ON_FREE: the socket must stay open while our reference lives, or a new
     * connection could reuse its number under a bufferevent still watching it. */
    if (g->tls == NULL) {
        return bufferevent_socket_new(g->base, -1, BEV_OPT_CLOSE_ON_FREE);
    }
    if ((ssl = SSL_new(g->tls)) == NULL) {
        return NULL;
    }
    bev = bufferevent_openssl_socket_new(g->base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                         BEV_OPT_CLOSE_ON_FREE);
    if (bev == NULL) {
        SSL_free(ssl);
    }
    return bev;
}

struct bufferevent *
conn_guard_bev(struct event_base *base, void *arg)
{
    conn_guard *g = arg;
    struct bufferevent *bev;

    (void)base;
    if (g->count == g->alloc) {
        size_t n = g->alloc == 0 ? 64 : g->alloc * 2;
        struct conn *grown = realloc(g->conns, n * sizeof *grown);
        if (grown == NULL) {
            return NULL; /* evhttp then makes an untracked plain bufferevent: still served */
        }
        g->conns = grown;
        g->alloc = n;
    }
    if ((bev = new_bev(g)) == NULL) {
        return NULL;
    }
    /* evhttp sets no watermarks: without one, input piles up while it writes an answer. */
    bufferevent_setwatermark(bev, EV_READ, 0, g->read_max);
    bufferevent_incref(bev);
    g->conns[g->count].bev = bev;
    g->conns[g->count].since = now_seconds();
    g->conns[g->count].cut_at = 0;
    g->count++;
    __atomic_add_fetch(&open_total, 1, __ATOMIC_RELAXED);
    if (g->count >= g->cap && !g->paused && g->listener != NULL) {
        g->paused = 1;
        __atomic_add_fetch(&paused_total, 1, __ATOMIC_RELAXED);
        (void)evconnlistener_disable(g->listener);
    }
    return bev;
}

void
conn_guard_request_done(conn_guard *g, struct bufferevent *bev)
{
    size_t i;

    if (g == NULL || bev == NULL) {
        return;
    }
    for (i = 0; i < g->count; i++) {
        if (g->conns[i].bev == bev) {
            g->conns[i].since = now_seconds();
            return;
        }
    }
}

void
conn_guard_free(conn_guard *g)
{
    if (g == NULL) {
        return;
    }
    while (g->count > 0) {
        release(g, g->count - 1);
    }
    if (g->sweep != NULL) {
        event_free(g->sweep);
    }
    free(g->conns);
    free(g);
}

unsigned long
conn_guard_open_total(void)
{
    return __atomic_load_n(&open_total, __ATOMIC_RELAXED);
}

unsigned long
conn_guard_cut_total(void)
{
    return __atomic_load_n(&cut_total, __ATOMIC_RELAXED);
}

unsigned long
conn_guard_paused_total(void)
{
    return __atomic_load_n(&paused_total, __ATOMIC_RELAXED);
}
