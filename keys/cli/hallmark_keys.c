/* hallmark-keys: the operator's CLI for the platform root, the publishing key, brands and their
 * signing keys, and the signed trust bundles apps load. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hm_fileio.h"
#include "hm_digest.h"
#include "hm_passphrase.h"
#include "hm_secmem.h"
#include "hm_text.h"
#include "keys_cli.h"

static const char usage_text[] =
    "usage: hallmark-keys COMMAND [ARGS] [--dir DIR] [--passphrase-file FILE]\n"
    "\n"
    "Runs a Hallmark keystore: the platform root, the publishing key, brands with their logos,\n"
    "the brands' signing keys, and the signed trust bundles that apps load.\n"
    "\n"
    "commands:\n"
    "  init --platform NAME            create a keystore: root key + certified publishing key\n"
    "  brand add ID --name NAME --logo FILE.png --color HEX --sender CHANNEL:ID ...\n"
    "                                  onboard a brand (see `hallmark-keys help brand`)\n"
    "  brand update ID [options]       change a brand's name, logo, colours, senders, domains\n"
    "  brand add|update ... --transfer-from BRAND --reason TEXT\n"
    "                                  move senders or link domains another brand holds; audited\n"
    "  brand list | show ID            list brands, or show one with its credential digest\n"
    "  brand preview ID --out FILE.png draw what a customer will see, before publishing\n"
    "  brand revoke ID --reason TEXT   withdraw a brand: its messages stop verifying\n"
    "  key add BRAND [--alg ed25519|es256]   new signing key, state pending (prints its kid)\n"
    "  key add BRAND --pkcs11 URI [--pkcs11-module LIB]  the same, generated in an HSM\n"
    "  key promote KID [--force --reason TEXT]  make a published pending key the active one\n"
    "  key retire KID                  a retiring (or unused pending) key stops signing\n"
    "  key revoke KID --reason TEXT    compromised key: its messages get \"key revoked\"\n"
    "  key destroy KID                 delete a revoked or fully expired key's secret\n"
    "  rotate BRAND [--force --reason TEXT]  add + publish a key, promote it after the window\n"
    "  publish [--expires DURATION] [--status-every DURATION] [--consent-url URL|none]\n"
    "                                  sign a new trust bundle (serial + 1), its status object\n"
    "                                  and each brand's JWKS\n"
    "  publish --if-due DURATION       the same, only when the bundle in force expires within\n"
    "                                  DURATION (for a timer); exit 3 when it was not due\n"
    "  status-publish [--expires DURATION]  re-sign the last bundle's status object, with the\n"
    "                                  keys and brands revoked since it (run it hourly, and\n"
    "                                  right after key revoke or brand revoke)\n"
    "  root rotate | root show         rotate the root (apps follow the chain) / print it\n"
    "  root export --root-media DIR    move the root secret to removable media, off this host\n"
    "  export-signer DIR               write what a signer host needs: keystore.json,\n"
    "                                  published/ and the brand keys it signs with; no root\n"
    "                                  or publisher secret\n"
    "  publisher rotate                new publishing key certified by the root; old one deleted\n"
    "  status                          every brand and key, its state, and the next action due\n"
    "  audit verify                    check the audit log's hash chain and the state's MAC\n"
    "  audit seal --reason TEXT        accept a keystore.json edited outside hallmark-keys (or\n"
    "                                  from before the state MAC), once checked; audited\n"
    "\n"
    "options:\n"
    "  --dir DIR               the keystore directory (default: $HALLMARK_KEYSTORE)\n"
    "  --passphrase-file FILE  read the passphrase from FILE's first line (mode 0600); default:\n"
    "                          $HALLMARK_PASSPHRASE_FILE, else a prompt on the terminal\n"
    "  -h, --help              this text; `hallmark-keys help COMMAND` for one command\n"
    "  --version               print the version and exit\n"
    "\n"
    "KID may be shortened to its first 8 or more characters. DURATION is 90s, 15m, 24h or 7d.\n"
    "exit status: 0 done, 1 refused (a rule, a state, bad input, wrong passphrase), 2 usage or\n"
    "I/O error, 3 publish --if-due found nothing due. Every change is written crash-safely and\n"
    "recorded in the audit log.\n"
    "\n";

/* The end of usage_text (one string would pass the 4,095 characters C99 compilers must take). */
static const char usage_example[] =
    "example:\n"
    "  export HALLMARK_KEYSTORE=/srv/hallmark/keys\n"
    "  hallmark-keys init --platform \"Hallmark Demo\"\n"
    "  hallmark-keys brand add acme-bank --name \"Acme Bank\" --logo acme.png --color \"#0B5FFF\" "
    "\\\n"
    "      --sender sms:ACMEBANK@+44 --link-domain acme.example --level organization\n"
    "  hallmark-keys key add acme-bank && hallmark-keys publish\n"
    "  hallmark-keys key promote KID --force --reason \"first key of a new brand\"\n"
    "  hallmark-keys publish\n";

static const char help_init[] =
    "usage: hallmark-keys init --platform NAME [--propagation DURATION] [--kdf moderate|minimum]\n"
    "                          [--root-media DIR [--root-keys N] [--threshold K]]\n"
    "\n"
    "With --root-media (spec HM-TRUST-61): a root set of N keys (default 3, at most 16) of which\n"
    "K (default 2) sign every publisher certificate and root rotation statement. Each root\n"
    "secret is written to DIR/ROOT-KID.key, never to the keystore; root rotate and publisher\n"
    "rotate then need --root-media holding at least K of them.\n"
    "Custodians (spec HM-TRUST-67): give --root-media N times, one removable medium per\n"
    "custodian, each with --custodian-passphrase-file FILE (in the same order; without one,\n"
    "the terminal asks that custodian): key i is sealed on medium i under its custodian's own\n"
    "passphrase, so no one person can open a quorum. The ceremonies take the media and\n"
    "passphrases of at least K custodians. With one --root-media and no custodian passphrase\n"
    "every root key is sealed under the keystore passphrase (a single-custodian test setup;\n"
    "status warns).\n"
    "Apps pin the platform id, the N keys and K (hallmark-keys root show).\n"
    "Without --root-media: one root key kept in the keystore (earlier keystores; not for\n"
    "production).\n"
    "Creates the keystore in --dir: a root key (Ed25519), a publishing key certified by the\n"
    "root for two years, the audit log, and root.pub: the root public key that apps pin. init\n"
    "prints that key (base64url, what hallmark-verify --root takes, as is or as the file\n"
    "root.pub) and where its secret is: move it off the host with root export --root-media.\n"
    "The passphrase (at least 12 characters) encrypts every secret key file.\n"
    "  --platform NAME        the deployment's name, shown in bundles (1-64 bytes)\n"
    "  --propagation DURATION how long apps need to fetch a new bundle; a new key is promoted\n"
    "                         only this long after it was first published (default 24h)\n"
    "  --kdf minimum          Argon2id at libsodium's minimum cost: for tests only\n";

static const char help_brand[] =
    "usage: hallmark-keys brand add ID --name NAME --logo FILE.png --color HEX\n"
    "                               --sender CHANNEL:ID ... [options]\n"
    "       hallmark-keys brand update ID [options]   (given options replace those fields)\n"
    "       hallmark-keys brand list | brand show ID | brand revoke ID --reason TEXT\n"
    "       hallmark-keys brand preview ID --out FILE.png [--body TEXT] [--category CATEGORY]\n"
    "                               [--sender-kind KIND [--agent NAME]] [--action LABEL ...]\n"
    "\n"
    "  ID                       brand id: [a-z0-9][a-z0-9-]{1,62}, e.g. acme-bank\n"
    "  --name NAME              display name: NFC, 1-64 characters, one script, no control,\n"
    "                           bidi, invisible or compatibility (NFKC) characters, and not\n"
    "                           confusable with another brand's name (spec §5.2)\n"
    "  --allow-confusable --reason TEXT   accept, after review, a non-Latin name that reads\n"
    "                           as a Latin one (\"аре\" in Cyrillic); audited\n"
    "  --logo FILE.png          square PNG, 64 to 1024 pixels a side; re-encoded canonically\n"
    "  --logo-url URL           https URL where apps download the logo (optional)\n"
    "  --color HEX              primary colour #RRGGBB; needs 4.5:1 contrast on the background\n"
    "  --background HEX         background colour (default #FFFFFF)\n"
    "  --level LEVEL            basic, organization or trademark (default basic); apps show\n"
    "                           basic as \"signed by\" its domain only (spec §5.5)\n"
    "  --verified-domain DOMAIN the domain whose control was verified (needed for basic)\n"
    "  --sender CHANNEL:ID      a sender id the brand may use: sms:ACMEBANK@+44, sms:72233@+1,\n"
    "                           sms:+447700900500, email:acme.example, push:com.acme.bank ...\n"
    "                           (repeat); an sms short code or alphanumeric id names, after @,\n"
    "                           the country calling code of the recipients it is for (§5.6)\n"
    "  --sender-prefix CHANNEL:+DIGITS   a range of E.164 numbers (sms, whatsapp): a country\n"
    "                           code and at least five more digits, e.g. sms:+4477009\n"
    "  --always-signed CHANNEL:ID   the brand signs every message from this sender (written as\n"
    "                           for --sender or --sender-prefix): apps warn about a message\n"
    "                           from it without a token (repeat; 'none' clears every mark);\n"
    "                           the marks are replaced whenever senders or marks are given\n"
    "  --link-domain DOMAIN     a domain the brand's action links may point into (repeat)\n"
    "  --phone +E164            a number call actions may dial as tel:+E164 (repeat, 16)\n"
    "  --categories LIST        the message categories the platform vetted the brand for,\n"
    "                           comma-separated: transactional,otp,alert,marketing,service\n"
    "                           (default at add: all five); the signer refuses the others and\n"
    "                           apps warn on them (spec §5.10)\n"
    "  --cap CATEGORY:N/PERIOD  at most N messages of the category to one recipient in any\n"
    "                           PERIOD (a number and h, d or w), e.g. marketing:3/7d; the\n"
    "                           caps given replace the brand's ('none' removes them); every\n"
    "                           signer enforces them and apps may show them (spec §5.11)\n"
    "  --marketing-opt-in yes|no   marketing only to recipients who opted in (spec §5.11)\n"
    "  --second-reviewer NAME --reason TEXT   a second person accepts a name or logo near\n"
    "                           another brand's (not the operator); audited\n"
    "  --transfer-from BRAND --reason TEXT   move senders or link domains that BRAND holds\n"
    "                           (see below) to this brand, in one audited change\n"
    "  --valid-for DURATION     credential lifetime (default 365d)\n";

/* The rest of help brand (one string literal may hold 4095 bytes in C11). */
static const char help_brand_notes[] =
    "\n"
    "brand preview draws the message card a customer's app shows for a verified message of the\n"
    "brand (a PNG, 720x800): the logo, the name with the checkmark, the level, the sender line,\n"
    "the category, who wrote it, the body and the buttons, in the brand's colours. It warns when\n"
    "no installed font has some of the name's or the texts' characters.\n"
    "  --body TEXT              the sample body (default: a payment notice); 1-1024 bytes\n"
    "  --category CATEGORY      transactional (default), otp, alert, marketing or service\n"
    "  --sender-kind KIND       automated (default), human or ai\n"
    "  --agent NAME             the person's name, with --sender-kind human; 1-64 bytes\n"
    "  --action LABEL           a button, up to 4 (default: \"View details\" and \"Contact us\");\n"
    "                           1-40 bytes\n"
    "A changed credential is published with the next `publish`; tokens signed with the previous\n"
    "one stay valid for the propagation window.\n"
    "\n"
    "Senders and link domains belong to one brand (spec §5.6): a sender id, a prefix that covers\n"
    "another brand's number or prefix (or is covered by one), an app id, an e-mail domain or a\n"
    "link domain equal to, within or above another brand's is refused, revoked brands included,\n"
    "with the holder's name. Apps show no brand at all for a sender two brands hold. To move an\n"
    "entry, repeat the command with --transfer-from HOLDER --reason TEXT: every entry of HOLDER\n"
    "that overlaps the given ones is removed from it in the same commit, and the audit log\n"
    "records both credentials and the reason; publish sends both to apps.\n"
    "A name or logo near another brand's (spec §5.8) needs a second person's sign-off.\n";

static const char help_key[] =
    "usage: hallmark-keys key add BRAND [--alg ed25519|es256] [--scope-channel CHANNEL ...]\n"
    "                                   [--scope-sender CHANNEL:ID ...]\n"
    "                                   [--pkcs11 'pkcs11:token=T;object=L' [--pkcs11-module "
    "LIB]]\n"
    "       hallmark-keys key promote KID [--force --reason TEXT]\n"
    "       hallmark-keys key retire KID | key revoke KID --reason TEXT | key destroy KID\n"
    "       hallmark-keys rotate BRAND [--key KID] [--alg ALG] [--force --reason TEXT]\n"
    "\n"
    "Key states: pending -> active -> retiring -> retired -> destroyed; any -> revoked.\n"
    "  add      a new key in state pending; the next publish puts it in bundles, with its\n"
    "           earliest promotion time (publish time + propagation window) as its nbf: apps\n"
    "           accept none of its tokens dated before then (spec HM-TRUST-66)\n"
    "           --scope-channel / --scope-sender: the key signs only on these channels and/or\n"
    "           for these senders of the brand (written as for brand --sender); apps refuse\n"
    "           its tokens for any other (KEY_OUT_OF_SCOPE), so a vendor's key that leaks\n"
    "           cannot sign for the brand's other senders (spec HM-TRUST-65)\n"
    "           --pkcs11 URI: the key pair is generated inside a PKCS#11 token (an HSM) and\n"
    "           never leaves it (RFC 7512 URI: token=LABEL;object=LABEL). The module is\n"
    "           --pkcs11-module, $HALLMARK_PKCS11_MODULE or the URI's module-path; the PIN is\n"
    "           read from the URI's pin-source=FILE or $HALLMARK_PKCS11_PIN_FILE, never given\n"
    "           on the command line. The keystore records the URI and module (docs/hsm.md)\n"
    "  promote  makes it an active key, once the propagation window has passed since it was\n"
    "           first published (apps hold it by then); the active key of the same scope (or\n"
    "           the unscoped one) becomes retiring, active keys of other scopes stay active.\n"
    "           --force --reason skips the wait and is audited; the key's nbf moves to now,\n"
    "           and apps refuse its tokens until they load the next bundle.\n"
    "  retire   retiring (or never used pending) -> retired: it signs nothing new and stays in\n"
    "           bundles until every token it signed has expired (7 days)\n"
    "  revoke   every token of the key gets \"key revoked\" once the next bundle is loaded\n"
    "  destroy  deletes the secret of a revoked key, or of a retired key out of bundles\n"
    "  rotate   the safe sequence in one command: run it once to add and publish a new key,\n"
    "           again after the window to promote it and publish. The new key takes the scope\n"
    "           of the active key it replaces: --key KID names it when the brand has several.\n"
    "A brand may hold several active keys of different scopes (one per vendor or channel).\n"
    "Signers use the active key whose scope covers a message, a scoped one before an\n"
    "unscoped one.\n";

static const char help_publish[] =
    "usage: hallmark-keys publish [--expires DURATION] [--status-every DURATION]\n"
    "                             [--consent-url URL|none] [--if-due DURATION]\n"
    "       hallmark-keys status-publish [--expires DURATION]\n"
    "       hallmark-keys root rotate [--root-media DIR] [--compromised --reason TEXT] | root "
    "show\n"
    "       hallmark-keys root export --root-media DIR\n"
    "       hallmark-keys publisher rotate [--root-media DIR] [--compromised --reason TEXT]\n"
    "       hallmark-keys publisher recertify [--root-media DIR]\n"
    "\n"
    "publish signs a new trust bundle with the next serial into published/bundle-SERIAL.jws\n"
    "and published/bundle.jws, a JWKS per brand into published/jwks/BRAND.json, and each\n"
    "brand's canonical logo into published/logos/SHA256.png (named by the logo.sha256 the bundle\n"
    "carries; hallmark-signer serves it at GET /v1/logos/SHA256). The bundle\n"
    "is checked with the verifier library before it is written. --expires (default 7d, at most\n"
    "14d, spec HM-TRUST-72): apps show no checkmark past it, so publish again before then.\n"
    "Beside it, published/status.jws: the bundle's status object (spec 6.9), valid 6 hours.\n"
    "--status-every (5m to 24h; kept for later publications) makes every bundle need a fresh\n"
    "status: apps then show no checkmark once the last status expires, so run status-publish\n"
    "on a timer (hourly) before setting it, and right after every key or brand revocation:\n"
    "that is what carries a revocation to apps within hours (spec HM-TRUST-73).\n"
    "--if-due DURATION (for a daily timer, e.g. --if-due 3d with bundles of 7d): publish only\n"
    "when no bundle was published yet or the last one expires within DURATION; otherwise\n"
    "change nothing, say \"not due\" and exit 3 (0: published, as without it). Running\n"
    "signers load the new bundle by themselves (hallmark-signer --reload-every).\n"
    "status-publish re-signs published/status.jws for the last published bundle, listing the\n"
    "keys and brands revoked since it; --expires (default 6h, at most 24h).\n"
    "A bundle that would give one\n"
    "sender to two brands (a keystore from before that rule) is refused: move the sender\n"
    "with brand update ... --transfer-from first (help brand).\n"
    "root rotate makes a new root, signs a rotation statement with the old one (apps that pin\n"
    "the old root follow it), re-certifies the publishing key, and deletes the old root secret.\n"
    "root export --root-media DIR (a keystore made without init --root-media): copies the root\n"
    "secret (sealed under the keystore passphrase) to DIR/KID.key, reads it back, records it,\n"
    "and deletes it from secret/. From then on root rotate, publisher rotate and publisher\n"
    "recertify need --root-media DIR, read the root from there (it never returns to the host\n"
    "disk), and root rotate writes the new root there and deletes the old one from it. A quorum\n"
    "root (init --root-media) is on its custodians' media from the start.\n"
    "publisher rotate makes a new publishing key, certifies it with the current root (two\n"
    "years), and deletes the old key's secret; the next publish signs the bundle and every\n"
    "credential with the new key. Bundles the old key signed stay valid until they expire:\n"
    "a publisher certificate cannot be revoked, but the new key's certificate is of a higher\n"
    "publisher generation: every app that has loaded a bundle of it refuses the old key's\n"
    "bundles, whatever their serial (spec 6.8).\n"
    "publisher recertify: the root quorum certifies the same key (same generation) for a fresh\n"
    "window: 28 days on a quorum keystore (spec HM-TRUST-62), so run it weekly; status warns\n"
    "7 days before the certificate ends. No bundle outlives its certificate.\n"
    "--compromised (with --reason): the rotation answers a leak; the audit log records an\n"
    "incident, and publisher rotate publishes at once so apps move to the new generation with\n"
    "their next load (docs/incident-runbook.md).\n";

static const char help_export_signer[] =
    "usage: hallmark-keys export-signer DIR\n"
    "\n"
    "Writes into DIR (new, empty, or an earlier export) exactly what hallmark-signer needs on\n"
    "a host of its own: keystore.json (public state: brands, key records, settings), published/\n"
    "(the bundles, the status object, the JWKS and the logos it serves), and secret/KID.key for\n"
    "each brand key it signs with (active, or retiring but still active in the last bundle),\n"
    "sealed under the same passphrase. No root or publisher secret, no audit log. A key that\n"
    "no longer signs is removed from an earlier export. Export again after every publish (the\n"
    "signer loads the new files by itself: hallmark-signer --reload-every). Needs no\n"
    "passphrase.\n"
    "  hallmark-keys export-signer /mnt/signer-host/keys\n"
    "  hallmark-signer serve --keystore /srv/hallmark/keys --listen ... (on the signer host)\n";

static const char help_status[] =
    "usage: hallmark-keys status\n"
    "       hallmark-keys audit verify\n"
    "       hallmark-keys audit seal --reason TEXT\n"
    "\n"
    "status shows every brand and key with its state, dates and the next action due.\n"
    "audit verify checks the audit log's hash chain and that it matches the keystore, and\n"
    "names the first broken entry; then it checks keystore.json's MAC (needs the passphrase).\n"
    "Every command that changes the keystore checks that MAC first and writes a new one: an\n"
    "edit made outside hallmark-keys (senders, domains, key states...) stops them all.\n"
    "audit seal accepts keystore.json as it is, after you have checked it against the audit\n"
    "log and a backup: for a keystore from before the MAC, or an edit you have reviewed.\n"
    "The reason and the state's SHA-256 go to the audit log.\n";

int
keys_fail(int status, const char *fmt, ...)
{
    va_list ap;

    (void)fputs("hallmark-keys: ", stderr);
    va_start(ap, fmt);
    (void)vfprintf(stderr, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized): as in runner.c
    va_end(ap);
    (void)fputc('\n', stderr);
    return status;
}

int
status_for(hallmark_result rc)
{
    return rc == HALLMARK_ERR_IO ? EXIT_USAGE : EXIT_REFUSED;
}

int
open_keystore(struct cli *c, int flags)
{
    hallmark_result rc;

    if (c->dir == NULL) {
        c->dir = getenv("HALLMARK_KEYSTORE");
    }
    if (flags & OPEN_TO_CHANGE) {
        int st = need_passphrase(c, 0);
        if (st != 0) {
            return st;
        }
        rc = hm_keystore_open_auth(&c->ks, c->dir, flags & ~OPEN_TO_CHANGE, c->pass, c->pass_len,
                                   c->err, sizeof c->err);
    } else {
        rc = hm_keystore_open(&c->ks, c->dir, flags, c->err, sizeof c->err);
    }
    if (rc != HALLMARK_OK) {
        hm_keystore_close(&c->ks);
        return keys_fail(rc == HALLMARK_ERR_INVALID_ARGUMENT ? EXIT_USAGE : status_for(rc), "%s",
                         c->err);
    }
    c->ks_open = 1;
    if (c->ks.audit_completed) {
        (void)fprintf(stderr,
                      "hallmark-keys: note: completed the audit entry of an interrupted command\n");
    }
    return 0;
}

int
need_passphrase(struct cli *c, int is_new)
{
    hallmark_result rc;

    if (c->pass != NULL) {
        return 0;
    }
    rc = hm_passphrase_read(c->pass_file,
                            is_new ? "New keystore passphrase: " : "Keystore passphrase: ", is_new,
                            &c->pass, &c->pass_len, c->err, sizeof c->err);
    return rc == HALLMARK_OK ? 0 : keys_fail(status_for(rc), "%s", c->err);
}

int
load_key(struct cli *c, const char *kid, hm_signkey **out)
{
    hallmark_result rc;
    int st = need_passphrase(c, 0);

    if (st != 0) {
        return st;
    }
    rc = hm_keystore_load_key(&c->ks, kid, c->pass, c->pass_len, out, c->err, sizeof c->err);
    return rc == HALLMARK_OK ? 0 : keys_fail(status_for(rc), "%s", c->err);
}

int
keys_commit(struct cli *c, json_t *entry)
{
    hallmark_result rc;

    if (entry == NULL) {
        return keys_fail(EXIT_USAGE, "out of memory");
    }
    rc = hm_keystore_commit(&c->ks, entry, c->err, sizeof c->err);
    json_decref(entry);
    return rc == HALLMARK_OK ? 0 : keys_fail(status_for(rc), "%s", c->err);
}

int
parse_duration(const char *s, long long *out)
{
    char *end = NULL;
    long long v, unit = 1;

    if (s == NULL || s[0] < '0' || s[0] > '9') {
        return 0;
    }
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || end == s) {
        return 0;
    }
    if (*end != '\0') {
        switch (*end) {
        case 's':
            break;
        case 'm':
            unit = 60;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = 86400;
            break;
        default:
            return 0;
        }
        if (end[1] != '\0') {
            return 0;
        }
    }
    if (v <= 0 || v > 3153600000LL / unit) {
        return 0;
    }
    *out = v * unit;
    return 1;
}

const char *
fmt_time(long long t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL || strftime(buf, cap, "%Y-%m-%d %H:%MZ", &tm) == 0) {
        (void)snprintf(buf, cap, "@%lld", t);
    }
    return buf;
}

const char *
fmt_span(long long s, char *buf, size_t cap)
{
    if (s < 0) {
        s = 0;
    }
    if (s >= 86400) {
        (void)snprintf(buf, cap, "%lldd %lldh", s / 86400, (s % 86400) / 3600);
    } else if (s >= 3600) {
        (void)snprintf(buf, cap, "%lldh %lldm", s / 3600, (s % 3600) / 60);
    } else if (s >= 60) {
        (void)snprintf(buf, cap, "%lldm", s / 60);
    } else {
        (void)snprintf(buf, cap, "%llds", s);
    }
    return buf;
}

int
write_out(const char *path, const void *data, size_t len)
{
    if (hm_atomic_write(path, data, len) != HALLMARK_OK) {
        return keys_fail(EXIT_USAGE, "%s: %s", path, strerror(errno));
    }
    return 0;
}

const char *
short_kid(const char *kid, char buf[12])
{
    (void)snprintf(buf, 12, "%.8s", kid != NULL ? kid : "?");
    return buf;
}

static int
add_list(struct list *l, const char *v, const char *opt)
{
    if (l->count >= LIST_MAX) {
        return keys_fail(EXIT_USAGE, "%s may be given at most %d times", opt, LIST_MAX);
    }
    l->item[l->count++] = v;
    return 0;
}

enum {
    OPT_DIR = 256,
    OPT_PASS,
    OPT_PLATFORM,
    OPT_KDF,
    OPT_PROPAGATION,
    OPT_NAME,
    OPT_LOGO,
    OPT_LOGO_URL,
    OPT_COLOR,
    OPT_BACKGROUND,
    OPT_LEVEL,
    OPT_SENDER,
    OPT_PREFIX,
    OPT_DOMAIN,
    OPT_VALID,
    OPT_ALG,
    OPT_FORCE,
    OPT_REASON,
    OPT_OUT,
    OPT_EXPIRES,
    OPT_ALLOW_CONFUSABLE,
    OPT_TRANSFER_FROM,
    OPT_BODY,
    OPT_CATEGORY,
    OPT_SENDER_KIND,
    OPT_AGENT,
    OPT_ACTION,
    OPT_ROOT_MEDIA,
    OPT_ROOT_KEYS,
    OPT_THRESHOLD,
    OPT_COMPROMISED,
    OPT_VERIFIED_DOMAIN,
    OPT_SECOND_REVIEWER,
    OPT_PHONE,
    OPT_CATEGORIES,
    OPT_ALWAYS_SIGNED,
    OPT_SCOPE_CHANNEL,
    OPT_CUSTODIAN_PASS,
    OPT_SCOPE_SENDER,
    OPT_KEY,
    OPT_STATUS_EVERY,
    OPT_CAP,
    OPT_MARKETING_OPT_IN,
    OPT_CONSENT_URL,
    OPT_PKCS11,
    OPT_PKCS11_MODULE,
    OPT_IF_DUE
};

static const struct option long_options[] = {
    {"dir", required_argument, NULL, OPT_DIR},
    {"passphrase-file", required_argument, NULL, OPT_PASS},
    {"platform", required_argument, NULL, OPT_PLATFORM},
    {"kdf", required_argument, NULL, OPT_KDF},
    {"propagation", required_argument, NULL, OPT_PROPAGATION},
    {"name", required_argument, NULL, OPT_NAME},
    {"logo", required_argument, NULL, OPT_LOGO},
    {"logo-url", required_argument, NULL, OPT_LOGO_URL},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    {"background", required_argument, NULL, OPT_BACKGROUND},
    {"level", required_argument, NULL, OPT_LEVEL},
    {"sender", required_argument, NULL, OPT_SENDER},
    {"sender-prefix", required_argument, NULL, OPT_PREFIX},
    {"link-domain", required_argument, NULL, OPT_DOMAIN},
    {"valid-for", required_argument, NULL, OPT_VALID},
    {"alg", required_argument, NULL, OPT_ALG},
    {"force", no_argument, NULL, OPT_FORCE},
    {"reason", required_argument, NULL, OPT_REASON},
    {"out", required_argument, NULL, OPT_OUT},
    {"expires", required_argument, NULL, OPT_EXPIRES},
    {"allow-confusable", no_argument, NULL, OPT_ALLOW_CONFUSABLE},
    {"transfer-from", required_argument, NULL, OPT_TRANSFER_FROM},
    {"body", required_argument, NULL, OPT_BODY},
    {"category", required_argument, NULL, OPT_CATEGORY},
    {"sender-kind", required_argument, NULL, OPT_SENDER_KIND},
    {"agent", required_argument, NULL, OPT_AGENT},
    {"action", required_argument, NULL, OPT_ACTION},
    {"root-media", required_argument, NULL, OPT_ROOT_MEDIA},
    {"root-keys", required_argument, NULL, OPT_ROOT_KEYS},
    {"threshold", required_argument, NULL, OPT_THRESHOLD},
    {"compromised", no_argument, NULL, OPT_COMPROMISED},
    {"verified-domain", required_argument, NULL, OPT_VERIFIED_DOMAIN},
    {"second-reviewer", required_argument, NULL, OPT_SECOND_REVIEWER},
    {"phone", required_argument, NULL, OPT_PHONE},
    {"categories", required_argument, NULL, OPT_CATEGORIES},
    {"always-signed", required_argument, NULL, OPT_ALWAYS_SIGNED},
    {"scope-channel", required_argument, NULL, OPT_SCOPE_CHANNEL},
    {"custodian-passphrase-file", required_argument, NULL, OPT_CUSTODIAN_PASS},
    {"scope-sender", required_argument, NULL, OPT_SCOPE_SENDER},
    {"key", required_argument, NULL, OPT_KEY},
    {"status-every", required_argument, NULL, OPT_STATUS_EVERY},
    {"cap", required_argument, NULL, OPT_CAP},
    {"consent-url", required_argument, NULL, OPT_CONSENT_URL},
    {"if-due", required_argument, NULL, OPT_IF_DUE},
    {"marketing-opt-in", required_argument, NULL, OPT_MARKETING_OPT_IN},
    {"pkcs11", required_argument, NULL, OPT_PKCS11},
    {"pkcs11-module", required_argument, NULL, OPT_PKCS11_MODULE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/* 1 if s looks like a kid (or a prefix of one) that starts with '-': base64url, 8+ characters.
 * One kid in 64 starts with '-', and getopt would take it for options; one in 4,096 starts with
 * "--", which is a kid unless it names a long option or abbreviates one (getopt's reading). */
static int
dash_kid(const char *s)
{
    size_t i, n = strlen(s);

    if (n < 8 || s[0] != '-') {
        return 0;
    }
    for (i = 0; s[1] == '-' && long_options[i].name != NULL; i++) {
        if (strncmp(long_options[i].name, s + 2, n - 2) == 0) {
            return 0;
        }
    }
    for (i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_')) {
            return 0;
        }
    }
    return 1;
}

/* 1 if argv element s is a long option that takes its value from the next element. */
static int
takes_value(const char *s)
{
    size_t i;

    if (strncmp(s, "--", 2) != 0 || strchr(s, '=') != NULL) {
        return 0;
    }
    for (i = 0; long_options[i].name != NULL; i++) {
        if (strcmp(s + 2, long_options[i].name) == 0) {
            return long_options[i].has_arg == required_argument;
        }
    }
    return 0;
}

static int
parse_options(struct cli *c, int argc, char **argv)
{
    static char *kept[256], *positional[256];
    const char *dashed[8];
    int ch, st = 0, i, n = 0, ndash = 0, npos;

    if (argc > 255) {
        return keys_fail(EXIT_USAGE, "too many arguments");
    }
    /* Set dash-led kids aside so that getopt does not read them as options. */
    kept[n++] = argv[0];
    for (i = 1; i < argc; i++) {
        if (dash_kid(argv[i]) && !takes_value(argv[i - 1]) && ndash < 8) {
            dashed[ndash++] = argv[i];
        } else {
            kept[n++] = argv[i];
        }
    }
    kept[n] = NULL;
    argc = n;
    argv = kept;
    opterr = 0;
    optind = 1;
    while (st == 0 && (ch = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        switch (ch) {
        case OPT_DIR:
            c->dir = optarg;
            break;
        case OPT_PASS:
            c->pass_file = optarg;
            break;
        case OPT_PLATFORM:
            c->platform = optarg;
            break;
        case OPT_KDF:
            c->kdf = optarg;
            break;
        case OPT_PROPAGATION:
            c->propagation = optarg;
            break;
        case OPT_NAME:
            c->name = optarg;
            break;
        case OPT_LOGO:
            c->logo = optarg;
            break;
        case OPT_LOGO_URL:
            c->logo_url = optarg;
            break;
        case OPT_COLOR:
            c->color = optarg;
            break;
        case OPT_BACKGROUND:
            c->background = optarg;
            break;
        case OPT_LEVEL:
            c->level = optarg;
            break;
        case OPT_SENDER:
            st = add_list(&c->senders, optarg, "--sender");
            break;
        case OPT_PREFIX:
            st = add_list(&c->prefixes, optarg, "--sender-prefix");
            break;
        case OPT_ALWAYS_SIGNED:
            st = add_list(&c->always_signed, optarg, "--always-signed");
            break;
        case OPT_SCOPE_CHANNEL:
            st = add_list(&c->scope_channels, optarg, "--scope-channel");
            break;
        case OPT_SCOPE_SENDER:
            st = add_list(&c->scope_senders, optarg, "--scope-sender");
            break;
        case OPT_KEY:
            c->key = optarg;
            break;
        case OPT_DOMAIN:
            st = add_list(&c->domains, optarg, "--link-domain");
            break;
        case OPT_VALID:
            c->valid_for = optarg;
            break;
        case OPT_ALG:
            c->alg = optarg;
            break;
        case OPT_PKCS11:
            c->pkcs11 = optarg;
            break;
        case OPT_PKCS11_MODULE:
            c->pkcs11_module = optarg;
            break;
        case OPT_FORCE:
            c->force = 1;
            break;
        case OPT_REASON:
            c->reason = optarg;
            break;
        case OPT_OUT:
            c->out = optarg;
            break;
        case OPT_EXPIRES:
            c->expires = optarg;
            break;
        case OPT_STATUS_EVERY:
            c->status_every = optarg;
            break;
        case OPT_ALLOW_CONFUSABLE:
            c->allow_confusable = 1;
            break;
        case OPT_TRANSFER_FROM:
            c->transfer_from = optarg;
            break;
        case OPT_ROOT_MEDIA:
            if (c->root_media == NULL) {
                c->root_media = optarg;
            }
            st = add_list(&c->media, optarg, "--root-media");
            break;
        case OPT_CUSTODIAN_PASS:
            st = add_list(&c->custodian_files, optarg, "--custodian-passphrase-file");
            break;
        case OPT_ROOT_KEYS:
            c->root_keys = optarg;
            break;
        case OPT_THRESHOLD:
            c->threshold = optarg;
            break;
        case OPT_COMPROMISED:
            c->compromised = 1;
            break;
        case OPT_BODY:
            c->body = optarg;
            break;
        case OPT_CATEGORY:
            c->category = optarg;
            break;
        case OPT_SENDER_KIND:
            c->sender_kind = optarg;
            break;
        case OPT_AGENT:
            c->agent = optarg;
            break;
        case OPT_ACTION:
            st = add_list(&c->actions, optarg, "--action");
            break;
        case OPT_VERIFIED_DOMAIN:
            c->verified_domain = optarg;
            break;
        case OPT_SECOND_REVIEWER:
            c->second_reviewer = optarg;
            break;
        case OPT_PHONE:
            st = add_list(&c->phones, optarg, "--phone");
            break;
        case OPT_CATEGORIES:
            c->categories = optarg;
            break;
        case OPT_CAP:
            st = add_list(&c->caps, optarg, "--cap");
            break;
        case OPT_CONSENT_URL:
            c->consent_url = optarg;
            break;
        case OPT_IF_DUE:
            c->if_due = optarg;
            break;
        case OPT_MARKETING_OPT_IN:
            c->marketing_opt_in = optarg;
            break;
        case 'h':
            c->help = 1;
            break;
        case ':':
            return keys_fail(EXIT_USAGE, "%s needs a value (see --help)", argv[optind - 1]);
        default:
            if (optopt != 0) {
                return keys_fail(EXIT_USAGE,
                                 "unknown option -%c (see --help; put -- before an argument "
                                 "that starts with -)",
                                 optopt);
            }
            return keys_fail(EXIT_USAGE, "unknown option %s (see --help)", argv[optind - 1]);
        }
    }
    for (npos = 0; optind + npos < argc; npos++) {
        positional[npos] = argv[optind + npos];
    }
    for (i = 0; i < ndash; i++) {
        positional[npos++] = (char *)dashed[i];
    }
    c->args = positional;
    c->nargs = npos;
    return st;
}

/* What help_for's text goes on with ("" for most commands). */
static const char *
help_more(const char *cmd)
{
    if (cmd == NULL) {
        return usage_example;
    }
    return strcmp(cmd, "brand") == 0 ? help_brand_notes : "";
}

static const char *
help_for(const char *cmd)
{
    if (cmd == NULL) {
        return usage_text;
    }
    if (strcmp(cmd, "init") == 0) {
        return help_init;
    }
    if (strcmp(cmd, "brand") == 0) {
        return help_brand;
    }
    if (strcmp(cmd, "key") == 0 || strcmp(cmd, "rotate") == 0) {
        return help_key;
    }
    if (strcmp(cmd, "publish") == 0 || strcmp(cmd, "root") == 0 || strcmp(cmd, "publisher") == 0 ||
        strcmp(cmd, "status-publish") == 0) {
        return help_publish;
    }
    if (strcmp(cmd, "status") == 0 || strcmp(cmd, "audit") == 0) {
        return help_status;
    }
    if (strcmp(cmd, "export-signer") == 0) {
        return help_export_signer;
    }
    return NULL;
}

int
main(int argc, char **argv)
{
    static struct cli c;
    const char *cmd;
    int st;

    if (argc < 2) {
        (void)fputs(usage_text, stderr);
        (void)fputs(usage_example, stderr);
        return EXIT_USAGE;
    }
    cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        (void)fputs(usage_text, stdout);
        (void)fputs(usage_example, stdout);
        return EXIT_DONE;
    }
    if (strcmp(cmd, "--version") == 0) {
        (void)printf("hallmark-keys %s\n", hallmark_version());
        return EXIT_DONE;
    }
    if (strcmp(cmd, "help") == 0) {
        const char *h = help_for(argc > 2 ? argv[2] : NULL);
        if (h == NULL) {
            return keys_fail(EXIT_USAGE, "no such command: %s", argv[2]);
        }
        (void)fputs(h, stdout);
        (void)fputs(help_more(argc > 2 ? argv[2] : NULL), stdout);
        return EXIT_DONE;
    }
    if (help_for(cmd) == NULL) {
        return keys_fail(EXIT_USAGE, "unknown command '%s' (see hallmark-keys --help)", cmd);
    }
    if ((st = parse_options(&c, argc - 1, argv + 1)) != 0) {
        return st;
    }
    if (c.help) {
        (void)fputs(help_for(cmd), stdout);
        (void)fputs(help_more(cmd), stdout);
        return EXIT_DONE;
    }
    if (c.reason != NULL && !hm_utf8_no_controls(c.reason, 1, 512)) {
        return keys_fail(EXIT_USAGE,
                         "--reason: 1-512 bytes of UTF-8 text without control characters");
    }
    if (hm_crypto_init() != HALLMARK_OK) {
        return keys_fail(EXIT_USAGE, "libsodium failed to initialize");
    }
    if (strcmp(cmd, "init") == 0) {
        st = cmd_init(&c);
    } else if (strcmp(cmd, "brand") == 0) {
        st = cmd_brand(&c);
    } else if (strcmp(cmd, "key") == 0) {
        st = cmd_key(&c);
    } else if (strcmp(cmd, "rotate") == 0) {
        st = cmd_rotate(&c);
    } else if (strcmp(cmd, "publish") == 0) {
        st = cmd_publish(&c);
    } else if (strcmp(cmd, "status-publish") == 0) {
        st = cmd_status_publish(&c);
    } else if (strcmp(cmd, "root") == 0) {
        st = cmd_root(&c);
    } else if (strcmp(cmd, "publisher") == 0) {
        st = cmd_publisher(&c);
    } else if (strcmp(cmd, "status") == 0) {
        st = cmd_status(&c);
    } else if (strcmp(cmd, "export-signer") == 0) {
        st = cmd_export_signer(&c);
    } else {
        st = cmd_audit(&c);
    }
    hm_secret_free(c.pass);
    for (size_t m = 0; m < LIST_MAX; m++) {
        hm_secret_free(c.custodian_pass[m]);
    }
    free(c.new_logo_png);
    json_decref(c.near_matches);
    if (c.ks_open) {
        hm_keystore_close(&c.ks);
    }
    return st;
}
