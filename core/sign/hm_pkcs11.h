/* Brand signing keys in a PKCS#11 token (an HSM, a cloud KMS's PKCS#11 library, SoftHSM2):
 * RFC 7512 URIs, key pairs generated inside the token, and hm_signkey objects that sign through
 * the token. Linked by signer/ and keys/ only (libhmsign). Internal to Hallmark.
 *
 * The module (the vendor's PKCS#11 library) is loaded at run time with dlopen, once per path and
 * process, and never unloaded. Why the C API directly and not an OpenSSL engine or provider: no
 * extra dependency (libp11 / pkcs11-provider), and direct control of what the signer must get
 * right: one session per concurrently signing thread, one login, re-initialisation after fork, and
 * what happens when the token goes away.
 *
 * Sessions: a key keeps a pool of open sessions; a signing thread takes one for one C_SignInit +
 * C_Sign and gives it back, so each of N concurrently signing workers has its own session (PKCS#11
 * forbids two operations at once on one session) and no more than N are ever open. The user is
 * logged in once per token (login state is shared by every session of the process;
 * CKR_USER_ALREADY_LOGGED_IN counts as success).
 *
 * Fork: a child process must not use its parent's sessions (PKCS#11 v2.40 §6.7.7). Every call
 * compares getpid() with the pid that set the module up; a child calls C_Initialize again (and
 * CKR_CRYPTOKI_ALREADY_INITIALIZED counts as success), opens its own sessions and logs in.
 *
 * Time limits: PKCS#11 has none, and a call blocked inside a module cannot be cancelled: a helper
 * thread with a deadline would return to the caller but leave the thread, the session and the
 * module's internal lock held, so the next call blocks anyway. So the limit is checked around each
 * call instead: a call that fails with a token or device error, or that takes longer than the
 * deadline (HM_P11_CALL_DEADLINE_MS), marks the token down; while it is down every signature fails
 * at once with HALLMARK_ERR_UNAVAILABLE (no worker waits on a token known to be in trouble), and
 * one caller at a time, at most once per HM_P11_RETRY_MS, tries to reconnect (re-initialising the
 * module when the token is gone). How long one blocked call can take is the module's own network
 * timeout: docs/hsm.md says where to set it for network HSMs and cloud KMS libraries.
 *
 * The PIN: from the URI's pin-source (a file) or $HALLMARK_PKCS11_PIN_FILE, never from a command
 * line, a log or an error text; held in hm_secret_alloc memory while a key needs it to log in
 * again. pin-value in a URI is refused. */
#ifndef HM_PKCS11_H
#define HM_PKCS11_H

#include <stddef.h>

#include "hm_signkey.h"

#define HM_P11_URI_MAX 2048U
#define HM_P11_LABEL_MAX 128U
#define HM_P11_ID_MAX 64U
#define HM_P11_PIN_MAX 256U
#define HM_P11_CALL_DEADLINE_MS 2000
#define HM_P11_RETRY_MS 1000

/* A parsed RFC 7512 URI (the attributes Hallmark uses; any other one is an error). */
typedef struct hm_p11_uri {
    char token[33], manufacturer[33], model[17], serial[17]; /* "" when absent */
    char object[HM_P11_LABEL_MAX + 1];                       /* CKA_LABEL, "" when absent */
    unsigned char id[HM_P11_ID_MAX];                         /* CKA_ID */
    size_t id_len;
    int has_id;
    int type_private; /* type=private given (the only type a signing key may name) */
    char pin_source[1024];
    char module_path[1024];
} hm_p11_uri;

/*
 * Parses text strictly (RFC 7512 §2.3): "pkcs11:" then ';'-separated path attributes token,
 * manufacturer, model, serial, object, id, type (only "private"), then optionally '?' and
 * '&'-separated query attributes pin-source and module-path. Percent-encoding is decoded (two hex
 * digits, never %00); each attribute at most once; unknown attributes, pin-value, empty values
 * and values too long for their field are errors. HALLMARK_OK or HALLMARK_ERR_INVALID_ARGUMENT
 * with the reason in err.
 */
hallmark_result hm_p11_uri_parse(const char *text, hm_p11_uri *out, char *err, size_t err_cap);

/* The URI of a key (token, object, id, type=private, and the pin-source when it has one: a file
 * name, never a PIN; percent-encoded) into out. 0, or -1 when it does not fit. */
int hm_p11_uri_format(const hm_p11_uri *uri, char *out, size_t cap);

/*
 * The module path: module (a command's --pkcs11-module) when given, else $HALLMARK_PKCS11_MODULE,
 * else the URI's module-path, else recorded (what the keystore recorded); NULL when none.
 */
const char *hm_p11_module_path(const char *module, const hm_p11_uri *uri, const char *recorded);

/*
 * Generates a key pair of alg inside the token the URI names (exactly one token must match), with
 * the URI's object label (no object of the token may have it yet), a fresh random CKA_ID, the
 * private key CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE and not CKA_EXTRACTABLE. Then opens it as
 * hm_p11_open does. canonical (cap bytes) receives the URI the keystore records (with the id).
 * HALLMARK_OK; HALLMARK_ERR_INVALID_ARGUMENT (a bad URI, no label, the label in use, no such
 * token, two tokens); HALLMARK_ERR_WRONG_PASSPHRASE (the PIN); HALLMARK_ERR_IO (the module or the
 * PIN file cannot be read); HALLMARK_ERR_UNAVAILABLE (the token refused or failed); reason in err.
 */
hallmark_result hm_p11_generate(const char *module, const hm_p11_uri *uri, hm_alg alg,
                                hm_signkey **out, char *canonical, size_t cap, char *err,
                                size_t err_cap);

/*
 * Opens the private key the URI names (exactly one private key must match) as an hm_signkey of
 * alg that signs through the token: checks its key type (CKK_EC_EDWARDS for Ed25519, CKK_EC on
 * P-256 for ES256) and CKA_SIGN, reads the public key of the same CKA_ID (Ed25519: CKA_EC_POINT as
 * a DER OCTET STRING or the 32 bytes; P-256: the uncompressed point, DER-wrapped or not), and when
 * kid is not NULL checks that the key's thumbprint is kid. *out is freed with hm_signkey_free.
 * Results as hm_p11_generate, plus HALLMARK_ERR_INVALID_KEY (the wrong key type, or not the key
 * kid names).
 */
hallmark_result hm_p11_open(const char *module, const hm_p11_uri *uri, hm_alg alg, const char *kid,
                            hm_signkey **out, char *err, size_t err_cap);

/*
 * What happened to the last signature made through key in this thread: when hm_signkey_sign
 * returned HALLMARK_ERR_UNAVAILABLE for a token key, the reason (static or thread-local text, no
 * secret); NULL otherwise.
 */
const char *hm_p11_last_error(void);

/* The number of signatures refused because a token was down or failed, since start (for the
 * signer's metrics). Thread-safe. */
unsigned long long hm_p11_unavailable_count(void);

#endif
