/* signer_conns: the connections one worker of `hallmark-signer serve` holds, so that the service
 * can cap how many it keeps open and cut those that do not deliver a whole request in time.
 *
 * libevent 2.1's evhttp has neither a connection limit nor a request deadline: a client that
 * opens many connections and trickles a byte every few seconds (slowloris) stays under the idle
 * timeout and holds them all. The guard creates every connection's bufferevent itself (the
 * evhttp "bevcb"), keeps a reference to it, and on a 100 ms sweep:
 *   - releases the bufferevents evhttp has freed (their callbacks are gone), closing the socket;
 *   - cuts a connection that has not completed a request within the deadline of its start or of
 *     its previous request, by raising a timeout on it, which makes evhttp close it;
 *   - stops accepting on the worker's listener while it holds `cap` connections (new clients
 *     wait in the kernel's backlog, they are not refused) and starts again below the cap.
 * One guard per worker thread; nothing here is shared between threads except the counters. */
#ifndef SIGNER_CONNS_H
#define SIGNER_CONNS_H

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/ssl.h>
#include <stddef.h>

typedef struct conn_guard conn_guard;

/* A guard for one worker's base: at most `cap` connections (1 or more), each of which must
 * complete a request within `deadline_seconds` and may hold at most `read_max` unread input
 * bytes (beyond that the server stops reading it: a client that pipelines requests without
 * reading the answers, then floods, cannot make the server buffer its flood; make it at least
 * the largest request evhttp accepts). `tls` (borrowed, may be NULL) makes every connection a
 * TLS server connection. NULL when out of memory or the sweep cannot start. */
conn_guard *conn_guard_new(struct event_base *base, size_t cap, double deadline_seconds,
                           size_t read_max, SSL_CTX *tls);

/* The listener to pause at the cap (borrowed; call once, after evhttp_accept_socket). */
void conn_guard_set_listener(conn_guard *g, struct evconnlistener *listener);

/* evhttp_set_bevcb callback; `arg` is the guard. */
struct bufferevent *conn_guard_bev(struct event_base *base, void *arg);

/* A request arrived whole on `bev`: its connection's deadline starts again. */
void conn_guard_request_done(conn_guard *g, struct bufferevent *bev);

/* Releases every reference the guard holds. Call after evhttp_free, before event_base_free. */
void conn_guard_free(conn_guard *g);

/* Process-wide counts, for /metrics. */
unsigned long conn_guard_open_total(void);
unsigned long conn_guard_cut_total(void);
unsigned long conn_guard_paused_total(void);

#endif
