/* hallmark-signer: options shared by the pipe mode and the service. */
#ifndef SIGNER_CLI_H
#define SIGNER_CLI_H

#include <stddef.h>

struct hm_store;

#define EXIT_DONE 0
#define EXIT_FAILED 1
#define EXIT_USAGE 2

struct signer_opts {
    const char *keystore, *pass_file, *audit, *listen, *tls_cert, *tls_key, *client_ca, *clients,
        *log_level;
    int threads;
    long rate;           /* requests per second per client */
    long directory_rate; /* GET /v1/tokens requests per second per client address */
    size_t body_max, batch_max;
    size_t max_connections; /* open connections, divided among the workers */
    long request_timeout;   /* seconds a connection has to deliver a whole request */
    int audit_sync;         /* hm_sigaudit_sync */
    const char *store;      /* --store SPEC, or NULL: sqlite:<the --audit folder>/tokens.db */
    const char
        *consent_secret;  /* --consent-secret FILE, or NULL: <the --audit folder>/consent.key */
    long purge_every;     /* seconds between purge steps of the token store */
    long stem_memo;       /* recipient stems each signing thread remembers (hm_stem_memo_*) */
    int directory_only;   /* hallmark-signer directory: no keys, no signing, only the tokens */
    long reload_every;    /* seconds between checks of the bundle and the state (0: SIGHUP only) */
    long expiry_warning;  /* /healthz is degraded this many seconds before the bundle expires */
    int access_log_signs; /* --access-log signs: log sign requests and failed reads only */
    char *pass;
    size_t pass_len;
};

int signer_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* prefix, the folder of --audit (with its slash; none for a bare file name) and name, into out. */
void signer_beside_audit(const struct signer_opts *o, const char *prefix, const char *name,
                         char *out, size_t cap);
/* Opens the token directory's store (--store, or SQLite beside the signature log); 0, or the
 * exit status after saying why. */
int signer_store_open(const struct signer_opts *o, struct hm_store **out);
int run_pipe(struct signer_opts *o);
/* serve, or with o->directory_only the token directory alone (hallmark-signer directory). */
int run_serve(struct signer_opts *o);

#endif
