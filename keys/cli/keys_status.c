/* hallmark-keys status and audit verify: what a person needs to see at a glance. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hm_audit.h"
#include "hm_ids.h"
#include "hm_publish.h"
#include "keys_cli.h"

/* Status warns this long before the publisher certificate ends (spec HM-TRUST-62). */
#define CERT_WARNING_SECS (86400LL * 7)

/* The next action for one key, in words. */
static const char *
next_for_key(const struct cli *c, const json_t *brand, const json_t *k, char *buf, size_t cap)
{
    const char *state = hm_ks_str(k, "state");
    long long now = c->ks.now,
              window = hm_ks_int(json_object_get(c->ks.state, "settings"), "propagation");
    char when[32], kid[12];

    if (json_object_get(brand, "revoked_at") != NULL) {
        return "-";
    }
    if (strcmp(state, "pending") == 0) {
        if (json_object_get(k, "published_at") == NULL) {
            return "publish, then promote after the window";
        }
        if (now < hm_ks_int(k, "published_at") + window) {
            (void)snprintf(buf, cap, "promote possible after %s",
                           fmt_time(hm_ks_int(k, "published_at") + window, when, sizeof when));
            return buf;
        }
        (void)snprintf(buf, cap, "ready: key promote %s", short_kid(hm_ks_str(k, "kid"), kid));
        return buf;
    }
    if (strcmp(state, "active") == 0) {
        if (hm_ks_int(k, "exp") - now < 30 * 86400LL) {
            (void)snprintf(buf, cap, "EXPIRES %s: rotate %s",
                           fmt_time(hm_ks_int(k, "exp"), when, sizeof when),
                           hm_ks_str(brand, "id"));
            return buf;
        }
        return "-";
    }
    if (strcmp(state, "retiring") == 0) {
        long long p = hm_ks_int(k, "retiring_published_at");
        if (json_object_get(k, "retiring_published_at") == NULL) {
            return "publish, then retire after the window";
        }
        if (now < p + window) {
            (void)snprintf(buf, cap, "retire possible after %s",
                           fmt_time(p + window, when, sizeof when));
            return buf;
        }
        (void)snprintf(buf, cap, "ready: key retire %s", short_kid(hm_ks_str(k, "kid"), kid));
        return buf;
    }
    if (strcmp(state, "retired") == 0) {
        if (hm_pub_bundle_state(k, now) != NULL) {
            (void)snprintf(buf, cap, "in bundles until %s",
                           fmt_time(hm_ks_int(k, "retired_at") + HM_TOKEN_LIFETIME_MAX + HM_SKEW,
                                    when, sizeof when));
            return buf;
        }
        (void)snprintf(buf, cap, "may be destroyed: key destroy %s",
                       short_kid(hm_ks_str(k, "kid"), kid));
        return buf;
    }
    if (strcmp(state, "revoked") == 0) {
        (void)snprintf(buf, cap, "secret may be destroyed: key destroy %s",
                       short_kid(hm_ks_str(k, "kid"), kid));
        return buf;
    }
    return "-";
}

/* [HM-TRUST-65]: a scoped key's channels and senders, on a line of its own under the key. */
static void
print_scope(const json_t *scope)
{
    const json_t *x;
    size_t i;
    char text[HM_ID_MAX + 32];

    if (scope == NULL) {
        return;
    }
    (void)printf("%-20s %-9s %-8s scope:", "", "", "");
    json_array_foreach(json_object_get(scope, "channels"), i, x)
    {
        (void)printf(" channel %s", json_string_value(x));
    }
    json_array_foreach(json_object_get(scope, "senders"), i, x)
    {
        (void)printf(" %s", describe_entry(x, text, sizeof text));
    }
    (void)printf("\n");
}

static long long
key_date(const json_t *k)
{
    static const char *const fields[] = {"destroyed_at", "revoked_at",  "retired_at",
                                         "retiring_at",  "promoted_at", "created"};
    size_t i;

    for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (json_object_get(k, fields[i]) != NULL) {
            return hm_ks_int(k, fields[i]);
        }
    }
    return 0;
}

int
cmd_status(struct cli *c)
{
    const json_t *s, *last, *b, *k;
    long long now;
    char when[32], span[32], kid[12], next[160];
    size_t i, j, warnings = 0;
    int st;

    if (c->nargs != 0) {
        return keys_fail(EXIT_USAGE, "status takes no arguments");
    }
    if ((st = open_keystore(c, 0)) != 0) {
        return st;
    }
    s = c->ks.state;
    now = c->ks.now;
    last = json_object_get(s, "last_publish");
    (void)printf("keystore  %s  \"%s\"  now %s%s\n", c->ks.dir, hm_ks_str(s, "platform"),
                 fmt_time(now, when, sizeof when), c->ks.clock_overridden ? " (HALLMARK_NOW)" : "");
    (void)printf("root      %s  (%zu rotations)   publisher %s certified until %s\n",
                 short_kid(hm_ks_str(json_object_get(s, "root"), "kid"), kid),
                 json_array_size(json_object_get(s, "root_chain")),
                 hm_ks_str(json_object_get(s, "publisher"), "kid"),
                 fmt_time(hm_ks_int(json_object_get(s, "publisher"), "exp"), span, sizeof span));
    if (hm_ks_int(json_object_get(s, "publisher"), "exp") - now < CERT_WARNING_SECS) {
        /* [HM-TRUST-62]: a short-lived certificate needs its ceremony before it ends. */
        (void)printf(
            "WARNING   the publisher certificate ends %s: gather a root quorum and run "
            "hallmark-keys publisher recertify --root-media DIR, then publish\n",
            fmt_time(hm_ks_int(json_object_get(s, "publisher"), "exp"), when, sizeof when));
        warnings++;
    }
    if (keys_quorum(s) && hm_ks_int(json_object_get(s, "quorum"), "custodians") <= 1) {
        /* [HM-TRUST-67]: one passphrase opens every root key file. */
        (void)printf("WARNING   every root key is sealed under one passphrase: give each custodian "
                     "a medium and passphrase of their own at the next root rotate (--root-media "
                     "and --custodian-passphrase-file, one per key)\n");
        warnings++;
    }
    if (!keys_quorum(s) && !root_single_offline(s)) {
        (void)printf("WARNING   the root secret is on this host (secret/): move it to removable "
                     "media with hallmark-keys root export --root-media DIR\n");
        warnings++;
    }
    if (last == NULL) {
        (void)printf("bundle    never published: run hallmark-keys publish\n");
        warnings++;
    } else {
        long long exp = hm_ks_int(last, "exp");
        (void)printf("bundle    serial %lld, published %s, %s %s%s\n", hm_ks_int(last, "serial"),
                     fmt_time(hm_ks_int(last, "iat"), when, sizeof when),
                     exp <= now ? "EXPIRED" : "expires", fmt_time(exp, span, sizeof span),
                     json_is_true(json_object_get(s, "unpublished"))
                         ? "; changes since: run hallmark-keys publish"
                         : "");
        if (exp - now < 86400 || json_is_true(json_object_get(s, "unpublished"))) {
            warnings++;
        }
    }
    (void)printf("audit     %zu entries, chain intact\n\n", c->ks.audit_seq);
    (void)printf("%-20s %-9s %-8s %-8s %-9s %-17s %s\n", "BRAND", "STATUS", "KEY", "ALG", "STATE",
                 "SINCE", "NEXT ACTION");
    json_array_foreach(hm_ks_brands(&c->ks), i, b)
    {
        const char *bstat = json_object_get(b, "revoked_at") != NULL ? "revoked"
                            : brand_active_key(b) == NULL            ? "NO-KEY"
                            : hm_ks_int(b, "exp") <= now             ? "EXPIRED"
                                                                     : "ok";
        size_t shown = 0;

        if (strcmp(bstat, "ok") != 0 && strcmp(bstat, "revoked") != 0) {
            warnings++;
        }
        json_array_foreach(json_object_get(b, "keys"), j, k)
        {
            (void)printf("%-20s %-9s %-8s %-8s %-9s %-17s %s\n",
                         shown == 0 ? hm_ks_str(b, "id") : "", shown == 0 ? bstat : "",
                         short_kid(hm_ks_str(k, "kid"), kid), hm_ks_str(k, "alg"),
                         hm_ks_str(k, "state"), fmt_time(key_date(k), when, sizeof when),
                         next_for_key(c, b, k, next, sizeof next));
            print_scope(json_object_get(k, "scope"));
            shown++;
        }
        if (shown == 0) {
            /* A revoked brand gets no new keys (key add refuses it): nothing is due, as for the
             * keys of a revoked brand (next_for_key). */
            (void)printf(
                "%-20s %-9s %-8s %-8s %-9s %-17s %s\n", hm_ks_str(b, "id"), bstat, "-", "-", "-",
                "-",
                json_object_get(b, "revoked_at") != NULL ? "-" : "key add, publish, then promote");
        } else if (brand_active_key(b) == NULL && json_object_get(b, "revoked_at") == NULL) {
            (void)printf("%-20s %-9s %-8s %-8s %-9s %-17s %s\n", "", "", "", "", "", "",
                         "no active key: messages cannot be signed");
        }
    }
    if (json_array_size(hm_ks_brands(&c->ks)) == 0) {
        (void)printf("(no brands yet: hallmark-keys brand add ID ...)\n");
    }
    (void)printf("\n%zu item%s need%s attention\n", warnings, warnings == 1 ? "" : "s",
                 warnings == 1 ? "s" : "");
    return EXIT_DONE;
}

/* The state MAC, after the chain (so that a broken chain is reported as such first). */
static int
check_state(struct cli *c)
{
    hallmark_result rc;
    int st = need_passphrase(c, 0);

    if (st != 0) {
        return st;
    }
    rc = hm_keystore_authenticate(&c->ks, 0, c->pass, c->pass_len, c->err, sizeof c->err);
    return rc == HALLMARK_OK ? 0 : keys_fail(status_for(rc), "%s", c->err);
}

/* Accepts keystore.json as it is, after the operator has checked it: a keystore from before the
 * state MAC, or one edited outside hallmark-keys. A passphrase holder's decision, audited with
 * the reason and the digest of the state accepted. */
static int
audit_seal(struct cli *c)
{
    char digest[44];
    int st, had_mac;

    if (c->reason == NULL || c->reason[0] == '\0') {
        return keys_fail(EXIT_USAGE,
                         "audit seal needs --reason TEXT (it is recorded in the audit log)");
    }
    if ((st = open_keystore(c, OPEN_TO_CHANGE | HM_KS_ACCEPT_STATE)) != 0) {
        return st;
    }
    if (hm_keystore_state_authentic(&c->ks)) {
        return keys_fail(EXIT_USAGE, "%s/keystore.json: its MAC is intact; nothing to seal",
                         c->ks.dir);
    }
    had_mac = c->ks.state_mac_present;
    hm_keystore_state_digest(&c->ks, digest);
    if ((st = keys_commit(c, json_pack("{s:s,s:s,s:s,s:s}", "verb", "audit seal", "reason",
                                       c->reason, "state", digest, "found",
                                       had_mac ? "a MAC that did not match" : "no MAC"))) != 0) {
        return st;
    }
    (void)printf("sealed %s/keystore.json as reviewed (it had %s; state SHA-256 %s); the audit log "
                 "records it\n",
                 c->ks.dir, had_mac ? "a MAC that did not match" : "no MAC", digest);
    return EXIT_DONE;
}

int
cmd_audit(struct cli *c)
{
    char path[HM_KEYSTORE_PATH_MAX], head[44];
    const json_t *audit;
    const char *pending_prev;
    size_t entries = 0, bad = 0;
    hallmark_result rc;
    int st;

    if (c->nargs != 1 || (strcmp(c->args[0], "verify") != 0 && strcmp(c->args[0], "seal") != 0)) {
        return keys_fail(EXIT_USAGE,
                         "usage: hallmark-keys audit verify | audit seal --reason TEXT");
    }
    if (strcmp(c->args[0], "seal") == 0) {
        return audit_seal(c);
    }
    if ((st = open_keystore(c, HM_KS_AUDIT_LENIENT)) != 0) {
        return st;
    }
    audit = json_object_get(c->ks.state, "audit");
    (void)hm_keystore_path(&c->ks, path, sizeof path, "audit.log");
    rc = hm_audit_verify(path, &entries, &bad, head);
    if (rc == HALLMARK_ERR_IO && errno == ENOENT) {
        hm_audit_genesis(head); /* no log yet: an empty one */
        entries = 0;
        rc = HALLMARK_OK;
    }
    if (rc == HALLMARK_ERR_CORRUPT) {
        char intact[64] = "";
        if (bad > 2) {
            (void)snprintf(intact, sizeof intact, "; entries 1 to %zu are intact", bad - 2);
        }
        return keys_fail(EXIT_REFUSED,
                         "%s: the hash chain breaks at entry %zu: it%s was altered, removed or "
                         "inserted%s",
                         path, bad, bad > 1 ? ", or the entry before it," : "", intact);
    }
    if (rc != HALLMARK_OK) {
        return keys_fail(status_for(rc), "%s: %s", path, strerror(errno));
    }
    pending_prev = hm_ks_str(json_object_get(c->ks.state, "audit_pending"), "prev");
    if ((long long)entries + 1 == hm_ks_int(audit, "seq") && pending_prev != NULL &&
        strcmp(head, pending_prev) == 0) {
        if ((st = check_state(c)) != 0) {
            return st;
        }
        (void)printf("%s: %zu entries, hash chain intact; the last command's entry is in the "
                     "keystore's commit record and the next command appends it\n",
                     path, entries);
        return EXIT_DONE;
    }
    if ((long long)entries != hm_ks_int(audit, "seq") ||
        strcmp(head, hm_ks_str(audit, "head")) != 0) {
        return keys_fail(
            EXIT_REFUSED,
            "%s: the chain is intact but has %zu entries where the keystore recorded "
            "%lld: entries after %zu were removed or replaced",
            path, entries, hm_ks_int(audit, "seq"),
            entries < (size_t)hm_ks_int(audit, "seq") ? entries : (size_t)hm_ks_int(audit, "seq"));
    }
    if ((st = check_state(c)) != 0) {
        return st;
    }
    (void)printf("%s: %zu entries, hash chain intact, matches the keystore (head %s); "
                 "keystore.json's MAC is intact\n",
                 path, entries, head);
    return EXIT_DONE;
}
