/* hallmark-keys brand ...: onboarding brands (spec §5) with their logos, names, colours, senders
 * and link domains. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hm_fileio.h"
#include "hm_card.h"
#include "hm_color.h"
#include "hm_confusable.h"
#include "hm_ids.h"
#include "hm_keystore.h"
#include "hm_lookalike.h"
#include "hm_name.h"
#include "hm_png.h"
#include "hm_publish.h"
#include "hm_suffix.h"
#include "hm_text.h"
#include "keys_cli.h"

#define DEFAULT_VALIDITY (365 * 86400LL)
#define LOGO_URL_MAX 2048U

static int
set_logo(struct cli *c, json_t *brand)
{
    unsigned char *data = NULL;
    size_t len = 0;
    hm_logo logo;
    char err[256];
    json_t *rec;
    hallmark_result rc = hm_read_file(c->logo, HM_LOGO_FILE_MAX, &data, &len);
    int status = 0;

    if (rc != HALLMARK_OK) {
        if (rc == HALLMARK_ERR_IO && errno == EFBIG) {
            return keys_fail(EXIT_REFUSED, "%s: logo file is larger than %zu bytes", c->logo,
                             (size_t)HM_LOGO_FILE_MAX);
        }
        return keys_fail(status_for(rc), "%s: %s", c->logo, strerror(errno));
    }
    rc = hm_logo_from_png(data, len, &logo, err, sizeof err);
    free(data);
    if (rc != HALLMARK_OK) {
        return keys_fail(status_for(rc), "%s: %s", c->logo, err);
    }
    /* Written to logos/ at the commit (write_new_logo), so that a refused command leaves the
     * keystore as it was; the look-alike check reads the hash from here. */
    if (hm_logo_dhash(logo.rgba, logo.width, logo.height, &c->new_logo_hash) != HALLMARK_OK) {
        status = keys_fail(EXIT_USAGE, "%s: logo hash failed", c->logo);
    } else {
        free(c->new_logo_png);
        c->new_logo_png = logo.png;
        c->new_logo_len = logo.png_len;
        logo.png = NULL;
    }
    if (status == 0) {
        rec = json_pack("{s:s,s:I,s:I}", "sha256", logo.sha256, "width", (json_int_t)logo.width,
                        "height", (json_int_t)logo.height);
        if (hm_ks_str(json_object_get(brand, "logo"), "url") != NULL) {
            json_object_set(rec, "url", json_object_get(json_object_get(brand, "logo"), "url"));
        }
        json_object_set_new(brand, "logo", rec);
    }
    hm_logo_free(&logo);
    return status;
}

static int
set_logo_url(const struct cli *c, json_t *brand)
{
    char host[HM_ID_MAX];
    json_t *logo = json_object_get(brand, "logo");

    if (strlen(c->logo_url) > LOGO_URL_MAX || !hm_action_url_host(c->logo_url, host)) {
        return keys_fail(
            EXIT_REFUSED,
            "--logo-url %s: needs an https URL of at most %u bytes with a DNS host (no "
            "userinfo, IP literal or port other than 443)",
            c->logo_url, LOGO_URL_MAX);
    }
    if (!json_is_object(logo)) {
        return keys_fail(EXIT_USAGE, "--logo-url needs a logo");
    }
    json_object_set_new(logo, "url", json_string(c->logo_url));
    return 0;
}

/* "CHANNEL:VALUE" split into channel (out, 17 bytes) and value. */
const char *
split_channel(const char *in, char channel[17])
{
    const char *colon = strchr(in, ':');
    size_t n = colon != NULL ? (size_t)(colon - in) : 0;

    if (colon == NULL || n == 0 || n > 16) {
        return NULL;
    }
    memcpy(channel, in, n);
    channel[n] = '\0';
    return hm_channel_ok(channel) ? colon + 1 : NULL;
}

static int
same_entry(const json_t *list, const json_t *e)
{
    const json_t *x;
    size_t i;

    json_array_foreach(list, i, x)
    {
        if (json_equal(x, e)) {
            return 1;
        }
    }
    return 0;
}

/*
 * The country of an sms short code or alphanumeric id, written after "@" ([HM-CRED-67]):
 * copies the id part of value into id and points *country into value (NULL when none). 0, or the
 * exit status (printed) for a country that is not a whole country code or on another sender.
 */
static int
split_country(const char *arg, const char *channel, const char *value, char id[HM_ID_MAX],
              const char **country)
{
    const char *at = strcmp(channel, "sms") == 0 ? strrchr(value, '@') : NULL;
    size_t n = at != NULL ? (size_t)(at - value) : strlen(value);

    *country = NULL;
    if (n >= HM_ID_MAX) {
        return keys_fail(EXIT_REFUSED, "--sender %s: too long", arg);
    }
    memcpy(id, value, n);
    id[n] = '\0';
    if (at == NULL) {
        return 0;
    }
    if (!hm_sender_takes_country(channel, id)) {
        return keys_fail(EXIT_REFUSED,
                         "--sender %s: only an sms short code or alphanumeric id names a "
                         "country (an E.164 number carries its own)",
                         arg);
    }
    if (!hm_country_code_ok(at + 1)) {
        return keys_fail(EXIT_REFUSED,
                         "--sender %s: %s is not a country calling code (+ and the whole code: "
                         "+44, +1, +353; spec HM-CRED-62)",
                         arg, at + 1);
    }
    *country = at + 1;
    return 0;
}

static int
set_senders(const struct cli *c, json_t *brand)
{
    json_t *list = json_array();
    size_t i;

    for (i = 0; i < c->senders.count + c->prefixes.count; i++) {
        int is_prefix = i >= c->senders.count;
        const char *arg = is_prefix ? c->prefixes.item[i - c->senders.count] : c->senders.item[i];
        char channel[17], canon[HM_ID_MAX];
        const char *value = split_channel(arg, channel);
        json_t *e;

        if (value == NULL) {
            json_decref(list);
            return keys_fail(EXIT_USAGE, "%s %s: write CHANNEL:%s, e.g. sms:%s",
                             is_prefix ? "--sender-prefix" : "--sender", arg,
                             is_prefix ? "+DIGITS" : "ID", is_prefix ? "+4477009" : "ACMEBANK");
        }
        if (is_prefix) {
            if (!hm_channel_takes_prefix(channel) || !hm_sender_prefix_ok(value)) {
                json_decref(list);
                return keys_fail(
                    EXIT_REFUSED,
                    "--sender-prefix %s: a prefix is +, a country code and at least five more "
                    "digits, 14 digits at most (e.g. +4477009; spec HM-CRED-65), on sms or "
                    "whatsapp only",
                    arg);
            }
            e = json_pack("{s:s,s:s}", "channel", channel, "prefix", value);
        } else {
            const char *country = NULL;
            char id[HM_ID_MAX];
            int st;

            if ((st = split_country(arg, channel, value, id, &country)) != 0) {
                json_decref(list);
                return st;
            }
            value = id;
            if (!hm_canonical_sender(channel, value, canon)) {
                json_decref(list);
                return keys_fail(
                    EXIT_REFUSED,
                    "--sender %s: not a valid %s sender id (E.164 +number, short code of "
                    "3-8 digits, alphanumeric id of 1-11 characters, e-mail domain or "
                    "app id, as the channel takes; spec §4)",
                    arg, channel);
            }
            if (strcmp(canon, value) != 0) {
                (void)fprintf(stderr, "hallmark-keys: note: sender %s recorded as %s:%s\n", arg,
                              channel, canon);
            }
            e = json_pack("{s:s,s:s}", "channel", channel, "id", canon);
            if (hm_sender_takes_country(channel, canon) && country == NULL) {
                json_decref(e);
                json_decref(list);
                return keys_fail(EXIT_REFUSED,
                                 "--sender %s: a short code or alphanumeric id belongs to a "
                                 "different firm in each country: name the country calling code "
                                 "of its recipients, e.g. %s:%s@+44 (spec HM-CRED-62)",
                                 arg, channel, canon);
            }
            if (country != NULL) {
                json_object_set_new(e, "country", json_string(country));
            }
        }
        if (same_entry(list, e)) {
            json_decref(e);
            json_decref(list);
            return keys_fail(EXIT_USAGE, "sender %s is given twice", arg);
        }
        json_array_append_new(list, e);
    }
    json_object_set_new(brand, "senders", list);
    return 0;
}

/* 1 if sender entry e is the one arg names (CHANNEL:ID[@+CC] or CHANNEL:+PREFIX). */
int
names_entry(const json_t *e, const char *channel, const char *value)
{
    const char *prefix = hm_ks_str(e, "prefix"), *id = hm_ks_str(e, "id"),
               *country = hm_ks_str(e, "country"), *at = strrchr(value, '@');
    char canon[HM_ID_MAX], want[HM_ID_MAX];
    size_t n = at != NULL && country != NULL ? (size_t)(at - value) : strlen(value);

    if (hm_ks_str(e, "channel") == NULL || strcmp(hm_ks_str(e, "channel"), channel) != 0 ||
        n >= sizeof want || (prefix == NULL && id == NULL)) {
        return 0; /* (an entry a hand edit left without its members names nothing) */
    }
    if (prefix != NULL) {
        return strcmp(prefix, value) == 0;
    }
    memcpy(want, value, n);
    want[n] = '\0';
    if ((country != NULL) != (at != NULL) || (country != NULL && strcmp(country, at + 1) != 0)) {
        return 0;
    }
    return strcmp(id, want) == 0 ||
           (hm_canonical_sender(channel, want, canon) && strcmp(id, canon) == 0);
}

/* [HM-CRED-61]: marks the senders --always-signed names, and only those ("none": no sender). Each
 * must name a sender of the brand's (new) list. 0, or the exit status (printed). */
static int
set_always_signed(const struct cli *c, json_t *brand)
{
    const json_t *senders = json_object_get(brand, "senders");
    json_t *e;
    size_t i, j;

    json_array_foreach(senders, j, e)
    {
        json_object_del(e, "always_signed");
    }
    for (i = 0; i < c->always_signed.count; i++) {
        const char *arg = c->always_signed.item[i];
        char channel[17];
        const char *value;
        int found = 0;

        if (strcmp(arg, "none") == 0) {
            if (c->always_signed.count > 1) {
                return keys_fail(EXIT_USAGE, "--always-signed none: given with other senders");
            }
            return 0;
        }
        if ((value = split_channel(arg, channel)) == NULL) {
            return keys_fail(EXIT_USAGE, "--always-signed %s: write CHANNEL:ID as for --sender",
                             arg);
        }
        json_array_foreach(senders, j, e)
        {
            if (names_entry(e, channel, value)) {
                json_object_set_new(e, "always_signed", json_true());
                found = 1;
            }
        }
        if (!found) {
            return keys_fail(EXIT_REFUSED,
                             "--always-signed %s: not a sender of brand %s (give it with --sender "
                             "or --sender-prefix, written the same way)",
                             arg, hm_ks_str(brand, "id"));
        }
    }
    return 0;
}

/* [HM-CRED-49]: a link entry may not be, or stand for, a public suffix: "co.uk" or "*.com" would
 * give the brand every site registered under it. 0 or the exit status (printed). */
int
not_a_public_suffix(const char *given, const char *entry)
{
    int public = hm_suffix_is_public(hm_link_entry_domain(entry));

    if (public < 0) {
        return keys_fail(EXIT_USAGE,
                         "--link-domain %s: cannot read the Public Suffix List (%s): install the "
                         "publicsuffix package",
                         given, hm_suffix_list_path());
    }
    if (public > 0) {
        return keys_fail(EXIT_REFUSED,
                         "--link-domain %s: %s is a public suffix (Public Suffix List): anyone can "
                         "register a site under it; list the brand's own domain (spec HM-CRED-49)",
                         given, hm_link_entry_domain(entry));
    }
    return 0;
}

static int
set_domains(const struct cli *c, json_t *brand)
{
    json_t *list = json_array();
    size_t i, j;
    int st;

    for (i = 0; i < c->domains.count; i++) {
        char d[256];
        size_t n = strlen(c->domains.item[i]);
        json_t *s;

        if (n == 0 || n >= sizeof d) {
            json_decref(list);
            return keys_fail(EXIT_REFUSED, "--link-domain %s: not a DNS name", c->domains.item[i]);
        }
        for (j = 0; j <= n; j++) {
            d[j] = (char)tolower((unsigned char)c->domains.item[i][j]);
        }
        if (!hm_link_entry_ok(d, n)) {
            json_decref(list);
            return keys_fail(EXIT_REFUSED,
                             "--link-domain %s: not a DNS name (ASCII or punycode labels, at least "
                             "two, no trailing dot, no IP address), or *. and one",
                             c->domains.item[i]);
        }
        if ((st = not_a_public_suffix(c->domains.item[i], d)) != 0) {
            json_decref(list);
            return st;
        }
        s = json_string(d);
        if (same_entry(list, s)) {
            json_decref(s);
            json_decref(list);
            return keys_fail(EXIT_USAGE, "link domain %s is given twice", d);
        }
        json_array_append_new(list, s);
    }
    json_object_set_new(brand, "link_domains", list);
    return 0;
}

/* [HM-CRED-45]: the numbers call actions may dial, at most 16 distinct E.164 numbers. */
static int
set_phones(const struct cli *c, json_t *brand)
{
    json_t *list = json_array();
    size_t i;

    if (c->phones.count > 16) {
        json_decref(list);
        return keys_fail(EXIT_USAGE, "--phone: at most 16 numbers");
    }
    for (i = 0; i < c->phones.count; i++) {
        json_t *s = json_string(c->phones.item[i]);

        if (!hm_e164_ok(c->phones.item[i])) {
            json_decref(s);
            json_decref(list);
            return keys_fail(EXIT_REFUSED,
                             "--phone %s: not an E.164 number (+ and up to 15 digits, no spaces)",
                             c->phones.item[i]);
        }
        if (same_entry(list, s)) {
            json_decref(s);
            json_decref(list);
            return keys_fail(EXIT_USAGE, "phone %s is given twice", c->phones.item[i]);
        }
        json_array_append_new(list, s);
    }
    json_object_set_new(brand, "phones", list);
    return 0;
}

/* One --cap CATEGORY:N/PERIOD into *category (index in names), *max and *period; 0 or the exit
 * status (printed). */
static int
parse_cap(const char *arg, const char *const names[5], size_t *category, long long *max,
          long long *period)
{
    const char *colon = strchr(arg, ':'), *slash = colon != NULL ? strchr(colon, '/') : NULL;
    char *end = NULL;
    long long n = 0, unit = 0;

    for (*category = 0; colon != NULL && *category < 5; (*category)++) {
        if (strlen(names[*category]) == (size_t)(colon - arg) &&
            strncmp(arg, names[*category], (size_t)(colon - arg)) == 0) {
            break;
        }
    }
    if (colon == NULL || slash == NULL || *category == 5) {
        return keys_fail(EXIT_USAGE,
                         "--cap %s: write CATEGORY:N/PERIOD, e.g. marketing:3/7d (categories: "
                         "transactional, otp, alert, marketing, service)",
                         arg);
    }
    errno = 0;
    *max = colon[1] >= '0' && colon[1] <= '9' ? strtoll(colon + 1, &end, 10) : 0;
    if (end != slash || errno != 0 || *max < 1 || *max > 1000) {
        return keys_fail(EXIT_USAGE, "--cap %s: N is a whole number from 1 to 1000", arg);
    }
    n = slash[1] >= '0' && slash[1] <= '9' ? strtoll(slash + 1, &end, 10) : 0;
    if (end != NULL && end > slash + 1 && end[0] != '\0' && end[1] == '\0') {
        unit = end[0] == 'h' ? 3600 : end[0] == 'd' ? 86400 : end[0] == 'w' ? 604800 : 0;
    }
    if (errno != 0 || unit == 0 || n < 1 || n > 31536000 / unit || n * unit < 3600) {
        return keys_fail(EXIT_USAGE,
                         "--cap %s: PERIOD is a whole number and h, d or w, from 1h to 365d", arg);
    }
    *period = n * unit;
    return 0;
}

/* [HM-CRED-90], [HM-CRED-93]: the caps given replace the brand's, in the order of spec §2.3;
 * --marketing-opt-in sets or clears the opt-in; a policy left empty is removed. */
static int
set_policy(const struct cli *c, json_t *brand)
{
    static const char *const names[] = {"transactional", "otp", "alert", "marketing", "service"};
    json_t *policy = json_deep_copy(json_object_get(brand, "policy")), *caps;
    long long max[5] = {0}, period[5] = {0};
    size_t i, k;
    int st;

    if (policy == NULL && (policy = json_object()) == NULL) {
        return keys_fail(EXIT_USAGE, "out of memory");
    }
    if (c->marketing_opt_in != NULL) {
        if (strcmp(c->marketing_opt_in, "yes") != 0 && strcmp(c->marketing_opt_in, "no") != 0) {
            json_decref(policy);
            return keys_fail(EXIT_USAGE, "--marketing-opt-in is yes or no");
        }
        if (strcmp(c->marketing_opt_in, "yes") == 0) {
            json_object_set_new(policy, "marketing_opt_in", json_true());
        } else {
            json_object_del(policy, "marketing_opt_in");
        }
    }
    if (c->caps.count == 1 && strcmp(c->caps.item[0], "none") == 0) {
        json_object_del(policy, "caps");
    } else if (c->caps.count > 0) {
        for (i = 0; i < c->caps.count; i++) {
            long long m = 0, p = 0;
            if ((st = parse_cap(c->caps.item[i], names, &k, &m, &p)) != 0) {
                json_decref(policy);
                return st;
            }
            if (max[k] != 0) {
                json_decref(policy);
                return keys_fail(EXIT_USAGE, "--cap: %s is capped twice", names[k]);
            }
            max[k] = m;
            period[k] = p;
        }
        caps = json_array();
        for (k = 0; k < 5; k++) {
            if (max[k] != 0) {
                json_array_append_new(caps, json_pack("{s:s,s:I,s:I}", "category", names[k], "max",
                                                      (json_int_t)max[k], "period",
                                                      (json_int_t)period[k]));
            }
        }
        json_object_set_new(policy, "caps", caps);
    }
    if (json_object_size(policy) == 0) {
        json_object_del(brand, "policy");
        json_decref(policy);
    } else {
        json_object_set_new(brand, "policy", policy);
    }
    return 0;
}

/* [HM-CRED-75]: the categories the brand was vetted for, in the order of spec §2.3. */
static int
set_categories(const struct cli *c, json_t *brand)
{
    static const char *const names[] = {"transactional", "otp", "alert", "marketing", "service"};
    const char *p = c->categories;
    unsigned seen = 0;
    json_t *list;
    size_t i;

    while (*p != '\0') {
        size_t n = strcspn(p, ",");

        for (i = 0; i < 5 && !(strlen(names[i]) == n && strncmp(p, names[i], n) == 0); i++) {
        }
        if (i == 5) {
            return keys_fail(EXIT_USAGE,
                             "--categories %s: \"%.*s\" is not a category (transactional, otp, "
                             "alert, marketing, service; comma-separated, no spaces)",
                             c->categories, (int)n, p);
        }
        if ((seen & (1u << i)) != 0) {
            return keys_fail(EXIT_USAGE, "--categories %s: %s is given twice", c->categories,
                             names[i]);
        }
        seen |= 1u << i;
        p += n;
        if (*p == ',' && *++p == '\0') {
            break;
        }
    }
    if (seen == 0 || p[-1] == ',') {
        return keys_fail(EXIT_USAGE,
                         "--categories %s: list at least one category, "
                         "comma-separated (e.g. transactional,otp)",
                         c->categories);
    }
    list = json_array();
    for (i = 0; i < 5; i++) {
        if ((seen & (1u << i)) != 0) {
            json_array_append_new(list, json_string(names[i]));
        }
    }
    json_object_set_new(brand, "categories", list);
    return 0;
}

static int
set_colors(const struct cli *c, json_t *brand)
{
    json_t *colors = json_object_get(brand, "colors");
    char primary[8], background[8], err[256];
    const char *p = c->color != NULL ? c->color : hm_ks_str(colors, "primary");
    const char *b = c->background != NULL ? c->background : hm_ks_str(colors, "background");

    if (p == NULL || !hm_color_parse(p, primary)) {
        return keys_fail(EXIT_REFUSED, "--color %s: write a colour as #RRGGBB", p != NULL ? p : "");
    }
    if (!hm_color_parse(b != NULL ? b : "#FFFFFF", background)) {
        return keys_fail(EXIT_REFUSED, "--background %s: write a colour as #RRGGBB", b);
    }
    if (hm_color_check_contrast(primary, background, err, sizeof err) != HALLMARK_OK) {
        return keys_fail(EXIT_REFUSED, "%s", err);
    }
    json_object_set_new(brand, "colors",
                        json_pack("{s:s,s:s}", "primary", primary, "background", background));
    return 0;
}

/* [HM-CRED-4], the rules that need the keystore: no two brands whose names look alike (a shared
 * confusable key, in any of the three spellings in case; revoked brands keep their names), and
 * no name in one non-Latin script that reads as a Latin one unless --allow-confusable --reason
 * says it was reviewed. */
static int
check_confusable(struct cli *c, const json_t *brand)
{
    hm_confusable_keys key, other;
    char err[512];
    const char *id = hm_ks_str(brand, "id"), *shared;
    hallmark_result rc = hm_confusable_keys_of(c->name, &key);
    const json_t *b;
    size_t i;

    if (rc != HALLMARK_OK) {
        return keys_fail(EXIT_USAGE,
                         "--name: display name check failed inside ICU (confusable key)");
    }
    json_array_foreach(hm_ks_brands(&c->ks), i, b)
    {
        const char *name = hm_ks_str(b, "name");

        if (name == NULL || strcmp(hm_ks_str(b, "id"), id) == 0 ||
            hm_confusable_keys_of(name, &other) != HALLMARK_OK ||
            (shared = hm_confusable_keys_shared(&key, &other)) == NULL) {
            continue;
        }
        return keys_fail(
            EXIT_REFUSED,
            "--name: display name is confusable with the name of brand %s (\"%s\"): both "
            "have the UTS #39 skeleton \"%s\" (case aside)",
            hm_ks_str(b, "id"), name, shared);
    }
    rc = hm_confusable_whole_script(c->name, err, sizeof err);
    if (rc == HALLMARK_ERR_INVALID_ARGUMENT && c->allow_confusable) {
        c->confusable_allowed = 1;
        return 0;
    }
    return rc == HALLMARK_OK ? 0 : keys_fail(status_for(rc), "--name: %s", err);
}

/* ---- look-alike brands (spec §5.8, HM-CRED-42 to HM-CRED-44) ------------------------------------
 */

/* Writes the logo set by this command into logos/ (named by its digest) unless it is there. */
static int
write_new_logo(struct cli *c, const json_t *brand)
{
    char path[HM_KEYSTORE_PATH_MAX];
    struct stat st;
    int status = 0;

    if (c->new_logo_png == NULL) {
        return 0;
    }
    if (hm_keystore_path(&c->ks, path, sizeof path, "logos/%s.png",
                         hm_ks_str(json_object_get(brand, "logo"), "sha256")) != 0) {
        status = keys_fail(EXIT_USAGE, "path too long");
    } else if (stat(path, &st) != 0) {
        status = write_out(path, c->new_logo_png, c->new_logo_len);
    }
    free(c->new_logo_png);
    c->new_logo_png = NULL;
    return status;
}

/* The difference hash of a brand's logo, from its canonical PNG in the keystore's logos/. 0 on
 * success; -1 when the file is missing or unreadable (a damaged keystore: publish says so). */
static int
logo_hash_of(const struct cli *c, const json_t *brand, uint64_t *out)
{
    const char *sha = hm_ks_str(json_object_get(brand, "logo"), "sha256");
    char path[HM_KEYSTORE_PATH_MAX], err[256];
    unsigned char *data = NULL;
    size_t len = 0;
    hm_logo logo;
    int st = -1;

    if (sha == NULL || hm_keystore_path(&c->ks, path, sizeof path, "logos/%s.png", sha) != 0 ||
        hm_read_file(path, HM_LOGO_FILE_MAX, &data, &len) != HALLMARK_OK) {
        return -1;
    }
    if (hm_logo_from_png(data, len, &logo, err, sizeof err) == HALLMARK_OK) {
        st = hm_logo_dhash(logo.rgba, logo.width, logo.height, out) == HALLMARK_OK ? 0 : -1;
        hm_logo_free(&logo);
    }
    free(data);
    return st;
}

/* Compares the candidate's new name and logo (those the command sets) with every other brand,
 * revoked ones included. A near match is refused unless --second-reviewer and --reason sign it
 * off; the matches then go to the audit entry (c->near_matches). 0 or the exit status. */
static int
check_lookalikes(struct cli *c, const json_t *brand)
{
    const char *id = hm_ks_str(brand, "id"), *name = hm_ks_str(brand, "name");
    hm_confusable_keys *mine = NULL, *other = NULL;
    uint64_t my_hash, hash;
    json_t *near = json_array(), *b;
    char who[64];
    size_t i;
    int st = 0, by_name = c->name != NULL, by_logo = c->logo != NULL;

    my_hash = c->new_logo_hash;
    if (by_name &&
        ((mine = malloc(sizeof *mine)) == NULL || (other = malloc(sizeof *other)) == NULL ||
         hm_confusable_keys_of(name, mine) != HALLMARK_OK)) {
        st = keys_fail(EXIT_USAGE, "--name: look-alike check failed (out of memory or ICU)");
        goto out;
    }
    json_array_foreach(hm_ks_brands(&c->ks), i, b)
    {
        const char *bid = hm_ks_str(b, "id");
        unsigned d = 0;
        hm_names_near_kind kind;

        if (bid == NULL || strcmp(bid, id) == 0) {
            continue;
        }
        if (by_name && hm_ks_str(b, "name") != NULL &&
            hm_confusable_keys_of(hm_ks_str(b, "name"), other) == HALLMARK_OK &&
            (kind = hm_names_near(mine, other, &d)) != HM_NAMES_APART) {
            json_array_append_new(near, json_pack("{s:s,s:s,s:s,s:I}", "brand", bid, "what", "name",
                                                  "how", hm_names_near_name(kind), "distance",
                                                  (json_int_t)d));
            if (c->second_reviewer == NULL) {
                st = keys_fail(EXIT_REFUSED,
                               "--name: display name \"%s\" is near the name of brand %s "
                               "(\"%s\"): %s%s%.0u on the confusable skeleton (spec HM-CRED-43); "
                               "a second reviewer who compared both brands may accept it: "
                               "--second-reviewer NAME --reason TEXT",
                               name, bid, hm_ks_str(b, "name"), hm_names_near_name(kind),
                               kind == HM_NAMES_EDIT ? " " : "", kind == HM_NAMES_EDIT ? d : 0U);
                goto out;
            }
        }
        if (by_logo && logo_hash_of(c, b, &hash) == 0 &&
            (d = hm_logo_dhash_distance(my_hash, hash)) <= HM_LOGO_NEAR_BITS) {
            json_array_append_new(near, json_pack("{s:s,s:s,s:I}", "brand", bid, "what", "logo",
                                                  "distance", (json_int_t)d));
            if (c->second_reviewer == NULL) {
                st = keys_fail(EXIT_REFUSED,
                               "%s: logo is near the logo of brand %s: their difference hashes "
                               "are %u of 64 bits apart (%u or fewer is near, spec HM-CRED-42); "
                               "a second reviewer who compared both brands may accept it: "
                               "--second-reviewer NAME --reason TEXT",
                               c->logo, bid, d, HM_LOGO_NEAR_BITS);
                goto out;
            }
        }
    }
    if (json_array_size(near) > 0) {
        if (strcmp(c->second_reviewer, hm_keystore_operator(who, sizeof who)) == 0) {
            st = keys_fail(EXIT_REFUSED,
                           "--second-reviewer %s is the operator of this command: a second "
                           "person signs off a look-alike",
                           c->second_reviewer);
            goto out;
        }
        json_decref(c->near_matches);
        c->near_matches = near;
        near = NULL;
    }
out:
    json_decref(near);
    free(mine);
    free(other);
    return st;
}

/* ---- ownership of senders and link domains (spec §5.6, HM-CRED-28 to HM-CRED-30) ------------- */

/* "sender sms:ACMEBANK", "sender sms:+4477009*" (a prefix), "link domain acme.example". */
const char *
describe_entry(const json_t *e, char *buf, size_t cap)
{
    if (json_is_string(e)) {
        (void)snprintf(buf, cap, "link domain %s", json_string_value(e));
    } else if (hm_ks_str(e, "prefix") != NULL) {
        (void)snprintf(buf, cap, "sender %s:%s*", hm_ks_str(e, "channel"), hm_ks_str(e, "prefix"));
    } else {
        (void)snprintf(buf, cap, "sender %s:%s%s%s", hm_ks_str(e, "channel"), hm_ks_str(e, "id"),
                       hm_ks_str(e, "country") != NULL ? "@" : "",
                       hm_ks_str(e, "country") != NULL ? hm_ks_str(e, "country") : "");
    }
    return buf;
}

/* The ownership rule, in one place: 1 if entry a of one brand and entry b of another may not
 * both exist. Sender entries overlap when some sender id is claimed by both (hm_ids: equal ids,
 * an E.164 id under a prefix, nested prefixes, an e-mail domain and its subdomain), link domains
 * when one is within the other; a short code or alphanumeric id per recipient country
 * ([HM-CRED-66]). */
static int
entries_overlap(const json_t *a, const json_t *b)
{
    const char *pa = hm_ks_str(a, "prefix"), *pb = hm_ks_str(b, "prefix");

    if (json_is_string(a) || json_is_string(b)) {
        return json_is_string(a) && json_is_string(b) &&
               hm_link_domains_overlap(json_string_value(a), json_string_value(b));
    }
    return hm_sender_entries_overlap(hm_ks_str(a, "channel"), pa != NULL ? pa : hm_ks_str(a, "id"),
                                     pa != NULL, hm_ks_str(a, "country"), hm_ks_str(b, "channel"),
                                     pb != NULL ? pb : hm_ks_str(b, "id"), pb != NULL,
                                     hm_ks_str(b, "country"));
}

static int
holds(const json_t *list, const json_t *e)
{
    const json_t *x;
    size_t i;

    json_array_foreach(list, i, x)
    {
        if (x == e) {
            return 1;
        }
    }
    return 0;
}

/*
 * [HM-CRED-30]: brand (its new state; id self) may hold none of the senders and link domains that
 * another brand of the keystore holds, revoked brands included, except that entries of the
 * --transfer-from brand are collected into *taken (borrowed references into that brand's lists)
 * to be moved. Only the lists the command gives are checked. 0, or the exit status (printed).
 */
static int
check_ownership(struct cli *c, const json_t *brand, const json_t *from, json_t *taken)
{
    static const char *const lists[] = {"senders", "link_domains"};
    const char *self = hm_ks_str(brand, "id");
    char mine_text[HM_ID_MAX + 32], theirs_text[HM_ID_MAX + 32];
    const json_t *b, *mine, *theirs;
    size_t l, i, j, k;

    for (l = 0; l < 2; l++) {
        if (l == 0 ? c->senders.count + c->prefixes.count == 0 : c->domains.count == 0) {
            continue;
        }
        json_array_foreach(json_object_get(brand, lists[l]), i, mine)
        {
            json_array_foreach(hm_ks_brands(&c->ks), j, b)
            {
                const char *holder = hm_ks_str(b, "id");

                if (holder == NULL || strcmp(holder, self) == 0) {
                    continue;
                }
                json_array_foreach(json_object_get(b, lists[l]), k, theirs)
                {
                    if (!entries_overlap(mine, theirs)) {
                        continue;
                    }
                    if (b == from) {
                        if (!holds(taken, theirs)) {
                            json_array_append(taken, (json_t *)theirs);
                        }
                        continue;
                    }
                    return keys_fail(
                        EXIT_REFUSED,
                        "%s: brand %s%s holds %s, and a sender or link domain belongs to "
                        "one brand (spec §5.6); to move it to %s, repeat the command "
                        "with --transfer-from %s --reason TEXT (audited)",
                        describe_entry(mine, mine_text, sizeof mine_text), holder,
                        json_object_get(b, "revoked_at") != NULL ? " (revoked)" : "",
                        describe_entry(theirs, theirs_text, sizeof theirs_text), self, holder);
                }
            }
        }
    }
    if (from != NULL && json_array_size(taken) == 0) {
        return keys_fail(
            EXIT_REFUSED,
            "--transfer-from %s: brand %s holds nothing that the given senders or link "
            "domains overlap",
            hm_ks_str(from, "id"), hm_ks_str(from, "id"));
    }
    return 0;
}

/* The --transfer-from brand, or NULL without the option; 0 or the exit status (printed). */
static int
transfer_source(struct cli *c, const char *self, json_t **from)
{
    *from = NULL;
    if (c->transfer_from == NULL) {
        return 0;
    }
    if (strcmp(c->transfer_from, self) == 0) {
        return keys_fail(EXIT_USAGE, "--transfer-from %s: a brand cannot transfer from itself",
                         self);
    }
    if ((*from = hm_ks_find_brand(&c->ks, c->transfer_from)) == NULL) {
        return keys_fail(EXIT_REFUSED,
                         "--transfer-from %s: no such brand (hallmark-keys brand list)",
                         c->transfer_from);
    }
    return 0;
}

/* Removes the taken entries from the brand they came from; returns the audit record of the
 * move: {"from", "reason", "moved": [...], "from_cred_before", "from_cred"}. */
static json_t *
apply_transfer(struct cli *c, json_t *from, const json_t *taken)
{
    static const char *const lists[] = {"senders", "link_domains"};
    char before[HM_SHA256_B64_LEN + 1], after[HM_SHA256_B64_LEN + 1], text[HM_ID_MAX + 32];
    json_t *moved = json_array(), *e;
    size_t i, l, k;

    (void)hm_pub_credential_digest(from, hm_ks_str(c->ks.state, "platform"), before);
    json_array_foreach(taken, i, e)
    {
        json_array_append_new(moved, json_string(describe_entry(e, text, sizeof text)));
    }
    for (l = 0; l < 2; l++) {
        json_t *list = json_object_get(from, lists[l]);
        for (k = json_array_size(list); k-- > 0;) {
            if (holds(taken, json_array_get(list, k))) {
                (void)json_array_remove(list, k);
            }
        }
    }
    json_object_set_new(from, "updated", json_integer(c->ks.now));
    (void)hm_pub_credential_digest(from, hm_ks_str(c->ks.state, "platform"), after);
    return json_pack("{s:s,s:s,s:o,s:s,s:s}", "from", hm_ks_str(from, "id"), "reason", c->reason,
                     "moved", moved, "from_cred_before", before, "from_cred", after);
}

/* Prints what a transfer moved (record from apply_transfer). */
static void
print_transfer(const json_t *record)
{
    const json_t *e;
    size_t i;

    (void)printf("moved from brand %s:", hm_ks_str(record, "from"));
    json_array_foreach(json_object_get(record, "moved"), i, e)
    {
        (void)printf("%s %s", i > 0 ? "," : "", json_string_value(e));
    }
    (void)printf(" (its credential is now %s; publish to send both to apps)\n",
                 hm_ks_str(record, "from_cred"));
}

/* The audit entry of brand add and update, with the override and the transfer when used. */
static json_t *
brand_entry(struct cli *c, json_t *entry, json_t *transfer)
{
    if (entry != NULL && c->confusable_allowed) {
        json_object_set_new(entry, "confusable_allowed", json_string(c->reason));
    }
    if (entry != NULL && c->near_matches != NULL) { /* [HM-CRED-44] */
        json_object_set_new(entry, "second_reviewer", json_string(c->second_reviewer));
        json_object_set_new(entry, "reason", json_string(c->reason));
        json_object_set_new(entry, "near_match", c->near_matches);
        c->near_matches = NULL;
    }
    if (entry != NULL && transfer != NULL) {
        json_object_set(entry, "transfer", transfer);
    }
    if (entry != NULL && c->always_signed.count > 0) { /* [HM-CRED-61] */
        json_t *list = json_array();
        size_t i;

        for (i = 0; i < c->always_signed.count; i++) {
            json_array_append_new(list, json_string(c->always_signed.item[i]));
        }
        json_object_set_new(entry, "always_signed", list);
    }
    if (entry != NULL && (c->caps.count > 0 || c->marketing_opt_in != NULL)) { /* [HM-CRED-93] */
        json_t *caps = json_array();
        size_t i;

        for (i = 0; i < c->caps.count; i++) {
            json_array_append_new(caps, json_string(c->caps.item[i]));
        }
        json_object_set_new(
            entry, "policy",
            json_pack("{s:o,s:s?}", "caps", caps, "marketing_opt_in", c->marketing_opt_in));
    }
    return entry;
}

/* Applies the given options to brand. */
static int
apply_options(struct cli *c, json_t *brand)
{
    static const char *const levels[] = {"basic", "organization", "trademark"};
    char err[256];
    long long valid;
    int st;

    if (c->name != NULL) {
        if (hm_display_name_check(c->name, err, sizeof err) != HALLMARK_OK) {
            return keys_fail(EXIT_REFUSED, "--name: %s", err);
        }
        if ((st = check_confusable(c, brand)) != 0) {
            return st;
        }
        json_object_set_new(brand, "name", json_string(c->name));
    }
    if (c->logo != NULL && (st = set_logo(c, brand)) != 0) {
        return st;
    }
    if (c->logo_url != NULL && (st = set_logo_url(c, brand)) != 0) {
        return st;
    }
    if ((c->color != NULL || c->background != NULL) && (st = set_colors(c, brand)) != 0) {
        return st;
    }
    if (c->level != NULL) {
        if (hm_name_index(c->level, levels, 3) < 0) {
            return keys_fail(EXIT_USAGE, "--level is basic, organization or trademark");
        }
        json_object_set_new(brand, "level", json_string(c->level));
    }
    if ((c->senders.count + c->prefixes.count) > 0 && (st = set_senders(c, brand)) != 0) {
        return st;
    }
    if ((c->senders.count + c->prefixes.count + c->always_signed.count) > 0 &&
        (st = set_always_signed(c, brand)) != 0) {
        return st;
    }
    if (c->domains.count > 0 && (st = set_domains(c, brand)) != 0) {
        return st;
    }
    if (c->phones.count > 0 && (st = set_phones(c, brand)) != 0) {
        return st;
    }
    if (c->categories != NULL && (st = set_categories(c, brand)) != 0) {
        return st;
    }
    if ((c->caps.count > 0 || c->marketing_opt_in != NULL) && (st = set_policy(c, brand)) != 0) {
        return st;
    }
    if (c->verified_domain != NULL) {
        char d[256];
        size_t j, n = strlen(c->verified_domain);

        for (j = 0; j < n && j < sizeof d - 1; j++) {
            d[j] = (char)tolower((unsigned char)c->verified_domain[j]);
        }
        d[j] = '\0';
        if (n >= sizeof d || !hm_dns_name_ok(d, n)) {
            return keys_fail(EXIT_REFUSED,
                             "--verified-domain %s: not a DNS name (ASCII or punycode labels, at "
                             "least two, no trailing dot, no IP address)",
                             c->verified_domain);
        }
        json_object_set_new(brand, "domain", json_string(d));
    }
    if (c->valid_for != NULL) {
        if (!parse_duration(c->valid_for, &valid) || valid > 86400LL * 366 * 5) {
            return keys_fail(EXIT_USAGE, "--valid-for: a duration up to 5 years (e.g. 365d)");
        }
        json_object_set_new(brand, "nbf", json_integer(c->ks.now));
        json_object_set_new(brand, "exp", json_integer(c->ks.now + valid));
    }
    if ((c->name != NULL || c->logo != NULL) && (st = check_lookalikes(c, brand)) != 0) {
        return st;
    }
    /* [HM-CRED-41]: apps show a basic brand as "signed by" this domain and nothing else. */
    if (strcmp(hm_ks_str(brand, "level"), "basic") == 0 && hm_ks_str(brand, "domain") == NULL) {
        return keys_fail(EXIT_REFUSED,
                         "brand %s: level basic proves only control of a domain, and apps show "
                         "only that domain: give --verified-domain DOMAIN (or --level "
                         "organization|trademark once those are verified) (spec HM-CRED-41)",
                         hm_ks_str(brand, "id"));
    }
    return 0;
}

static int
brand_add(struct cli *c, const char *id)
{
    json_t *brand, *from = NULL, *taken, *transfer = NULL;
    char digest[HM_SHA256_B64_LEN + 1];
    int st;

    if (!hm_brand_id_ok(id)) {
        return keys_fail(EXIT_USAGE,
                         "brand id %s: use 2-63 of a-z, 0-9 and -, starting with a letter "
                         "or digit (e.g. acme-bank)",
                         id);
    }
    if (c->name == NULL || c->logo == NULL || c->color == NULL ||
        c->senders.count + c->prefixes.count == 0) {
        return keys_fail(EXIT_USAGE, "brand add needs --name, --logo, --color and at least one "
                                     "--sender (see help brand)");
    }
    if (hm_ks_find_brand(&c->ks, id) != NULL) {
        return keys_fail(EXIT_REFUSED, "brand %s exists already (hallmark-keys brand update %s)",
                         id, id);
    }
    brand =
        json_pack("{s:s,s:s,s:I,s:I,s:s,s:[],s:[],s:I,s:I,s:[]}", "id", id, "level", "basic", "nbf",
                  (json_int_t)c->ks.now, "exp", (json_int_t)(c->ks.now + DEFAULT_VALIDITY), "name",
                  "", "senders", "link_domains", "created", (json_int_t)c->ks.now, "updated",
                  (json_int_t)c->ks.now, "keys");
    if (brand == NULL) {
        return keys_fail(EXIT_USAGE, "out of memory");
    }
    if (c->categories == NULL) { /* [HM-CRED-77]: every category, written out */
        c->categories = "transactional,otp,alert,marketing,service";
    }
    taken = json_array();
    if ((st = apply_options(c, brand)) != 0 || (st = transfer_source(c, id, &from)) != 0 ||
        (st = check_ownership(c, brand, from, taken)) != 0 ||
        (st = write_new_logo(c, brand)) != 0) {
        json_decref(taken);
        json_decref(brand);
        return st;
    }
    if (from != NULL) {
        transfer = apply_transfer(c, from, taken);
    }
    json_decref(taken);
    json_array_append_new(hm_ks_brands(&c->ks), brand);
    json_object_set_new(c->ks.state, "unpublished", json_true());
    (void)hm_pub_credential_digest(brand, hm_ks_str(c->ks.state, "platform"), digest);
    st = keys_commit(c, brand_entry(c,
                                    json_pack("{s:s,s:s,s:s,s:s}", "verb", "brand add", "brand", id,
                                              "name", c->name, "cred", digest),
                                    transfer));
    if (st != 0) {
        json_decref(transfer);
        return st;
    }
    if (transfer != NULL) {
        print_transfer(transfer);
        json_decref(transfer);
    }
    (void)printf("added brand %s (\"%s\", logo %ux%u, credential %s)\n", id, c->name,
                 (unsigned)hm_ks_int(json_object_get(brand, "logo"), "width"),
                 (unsigned)hm_ks_int(json_object_get(brand, "logo"), "height"), digest);
    (void)printf("next: hallmark-keys brand preview %s --out preview.png; hallmark-keys key add "
                 "%s; hallmark-keys publish\n",
                 id, id);
    return 0;
}

static int
brand_update(struct cli *c, json_t *brand)
{
    char before[HM_SHA256_B64_LEN + 1], after[HM_SHA256_B64_LEN + 1];
    json_t *copy, *from = NULL, *taken, *transfer = NULL;
    int st;

    if (json_object_get(brand, "revoked_at") != NULL) {
        return keys_fail(EXIT_REFUSED, "brand %s is revoked", hm_ks_str(brand, "id"));
    }
    if ((copy = json_deep_copy(brand)) == NULL || (taken = json_array()) == NULL) {
        json_decref(copy);
        return keys_fail(EXIT_USAGE, "out of memory");
    }
    (void)hm_pub_credential_digest(brand, hm_ks_str(c->ks.state, "platform"), before);
    if ((st = apply_options(c, copy)) != 0 ||
        (st = transfer_source(c, hm_ks_str(brand, "id"), &from)) != 0 ||
        (st = check_ownership(c, copy, from, taken)) != 0 || (st = write_new_logo(c, copy)) != 0) {
        json_decref(taken);
        json_decref(copy);
        return st;
    }
    (void)hm_pub_credential_digest(copy, hm_ks_str(c->ks.state, "platform"), after);
    if (from != NULL) {
        transfer = apply_transfer(c, from, taken);
    }
    json_decref(taken);
    if (strcmp(before, after) == 0 && transfer == NULL) {
        json_decref(copy);
        return keys_fail(EXIT_USAGE,
                         "brand %s: nothing to change (give --name, --logo, --color, "
                         "--sender ...)",
                         hm_ks_str(brand, "id"));
    }
    json_object_set_new(copy, "updated", json_integer(c->ks.now));
    (void)json_object_update(brand, copy);
    json_decref(copy);
    json_object_set_new(c->ks.state, "unpublished", json_true());
    st = keys_commit(
        c, brand_entry(c,
                       json_pack("{s:s,s:s,s:s,s:s}", "verb", "brand update", "brand",
                                 hm_ks_str(brand, "id"), "cred_before", before, "cred", after),
                       transfer));
    if (st != 0) {
        json_decref(transfer);
        return st;
    }
    if (transfer != NULL) {
        print_transfer(transfer);
        json_decref(transfer);
    }
    (void)printf("updated %s: credential %s (was %s); publish to send it to apps\n",
                 hm_ks_str(brand, "id"), after, before);
    return 0;
}

static int
brand_revoke(struct cli *c, json_t *brand)
{
    int st;

    if (c->reason == NULL || c->reason[0] == '\0') {
        return keys_fail(EXIT_USAGE,
                         "brand revoke needs --reason TEXT (it is recorded in the audit log)");
    }
    if (json_object_get(brand, "revoked_at") != NULL) {
        return keys_fail(EXIT_REFUSED, "brand %s is already revoked", hm_ks_str(brand, "id"));
    }
    json_object_set_new(brand, "revoked_at", json_integer(c->ks.now));
    json_object_set_new(brand, "revoke_reason", json_string(c->reason));
    json_object_set_new(c->ks.state, "unpublished", json_true());
    if ((st = keys_commit(c, json_pack("{s:s,s:s,s:s}", "verb", "brand revoke", "brand",
                                       hm_ks_str(brand, "id"), "reason", c->reason))) != 0) {
        return st;
    }
    (void)printf("revoked brand %s; run hallmark-keys publish so apps stop showing it\n",
                 hm_ks_str(brand, "id"));
    return 0;
}

/* brand preview: the message card apps show for a verified message of this brand (hm_card). */
static int
brand_preview(struct cli *c, const json_t *brand)
{
    const json_t *colors = json_object_get(brand, "colors"),
                 *sender = json_array_get(json_object_get(brand, "senders"), 0);
    static const char *const default_actions[] = {"View details", "Contact us"};
    char path[HM_KEYSTORE_PATH_MAX], err[256], prefix[80];
    unsigned char *data = NULL, *png = NULL;
    size_t len = 0, png_len = 0, i;
    hm_card card;
    hm_card_report rep;
    hm_logo logo;
    hallmark_result rc;
    int st;

    if (c->out == NULL) {
        return keys_fail(EXIT_USAGE, "brand preview needs --out FILE.png");
    }
    memset(&card, 0, sizeof card);
    card.name = hm_ks_str(brand, "name");
    card.primary = hm_ks_str(colors, "primary");
    card.background = hm_ks_str(colors, "background");
    card.level = hm_ks_str(brand, "level");
    card.channel = hm_ks_str(sender, "channel");
    card.sender = hm_ks_str(sender, "id");
    if (card.sender == NULL && hm_ks_str(sender, "prefix") != NULL) {
        (void)snprintf(prefix, sizeof prefix, "%s\xE2\x80\xA6", hm_ks_str(sender, "prefix"));
        card.sender = prefix;
    }
    card.body = c->body != NULL ? c->body
                                : "Your card ending 4821 was charged 42.00 EUR at Example Store. "
                                  "Not you? Tap Contact us.";
    card.category = c->category != NULL ? c->category : "transactional";
    card.sender_kind = c->sender_kind != NULL ? c->sender_kind : "automated";
    card.agent = c->agent;
    if (c->actions.count > HALLMARK_MAX_ACTIONS) {
        return keys_fail(EXIT_USAGE, "--action may be given at most %d times",
                         HALLMARK_MAX_ACTIONS);
    }
    for (i = 0; i < (c->actions.count > 0 ? c->actions.count : 2); i++) {
        card.actions[i] = c->actions.count > 0 ? c->actions.item[i] : default_actions[i];
    }
    card.action_count = i;
    card.logo = &logo;
    /* The options first: a typo is a usage error before any file is read. */
    if (hm_card_check(&card, err, sizeof err) != HALLMARK_OK) {
        return keys_fail(EXIT_USAGE, "%s", err);
    }
    if (hm_keystore_path(&c->ks, path, sizeof path, "logos/%s.png",
                         hm_ks_str(json_object_get(brand, "logo"), "sha256")) != 0 ||
        hm_read_file(path, HM_LOGO_FILE_MAX, &data, &len) != HALLMARK_OK) {
        return keys_fail(EXIT_USAGE, "%s: cannot read the brand's logo", path);
    }
    if (hm_logo_from_png(data, len, &logo, err, sizeof err) != HALLMARK_OK) {
        free(data);
        return keys_fail(EXIT_REFUSED, "%s: %s", path, err);
    }
    free(data);
    rc = hm_card_render(&card, &png, &png_len, &rep, err, sizeof err);
    hm_logo_free(&logo);
    if (rc != HALLMARK_OK) {
        return keys_fail(rc == HALLMARK_ERR_INVALID_ARGUMENT ? EXIT_REFUSED : EXIT_USAGE,
                         "could not draw the preview: %s",
                         err[0] != '\0' ? err : hallmark_strerror(rc));
    }
    st = write_out(c->out, png, png_len);
    free(png);
    if (st == 0) {
        (void)printf("wrote %s: the message card of \"%s\" with the verified checkmark, as apps "
                     "will show it (%ux%u)\n",
                     c->out, hm_ks_str(brand, "name"), HM_CARD_WIDTH, HM_CARD_HEIGHT);
        if (rep.unknown_glyphs > 0) {
            (void)fprintf(stderr,
                          "hallmark-keys: warning: no installed font has %d of the characters; "
                          "they show as boxes in %s (install a font that covers them, e.g. "
                          "fonts-noto-core)\n",
                          rep.unknown_glyphs, c->out);
        }
    }
    return st;
}

static void
brand_show(const struct cli *c, const json_t *brand)
{
    char digest[HM_SHA256_B64_LEN + 1], when[32], kid[12];
    const json_t *logo = json_object_get(brand, "logo"), *colors = json_object_get(brand, "colors"),
                 *e;
    size_t i;

    (void)hm_pub_credential_digest(brand, hm_ks_str(c->ks.state, "platform"), digest);
    (void)printf("brand        %s%s\n", hm_ks_str(brand, "id"),
                 json_object_get(brand, "revoked_at") != NULL ? " (REVOKED)" : "");
    (void)printf("name         %s\n", hm_ks_str(brand, "name"));
    (void)printf("level        %s\n", hm_ks_str(brand, "level"));
    if (hm_ks_str(brand, "domain") != NULL) {
        (void)printf("domain       %s (verified)\n", hm_ks_str(brand, "domain"));
    }
    if (json_object_get(brand, "categories") != NULL) {
        (void)printf("categories  ");
        json_array_foreach(json_object_get(brand, "categories"), i, e)
        {
            (void)printf(" %s", json_string_value(e));
        }
        (void)printf("\n");
    } else {
        (void)printf("categories   all (a brand from before categories were listed)\n");
    }
    json_array_foreach(json_object_get(brand, "phones"), i, e)
    {
        (void)printf("phone        %s (call actions)\n", json_string_value(e));
    }
    json_array_foreach(json_object_get(json_object_get(brand, "policy"), "caps"), i, e)
    {
        long long p = hm_ks_int(e, "period");
        (void)printf("cap          at most %lld %s per %lld%s\n", hm_ks_int(e, "max"),
                     hm_ks_str(e, "category"),
                     p % 604800 == 0  ? p / 604800
                     : p % 86400 == 0 ? p / 86400
                                      : p / 3600,
                     p % 604800 == 0  ? "w"
                     : p % 86400 == 0 ? "d"
                                      : "h");
    }
    if (json_is_true(json_object_get(json_object_get(brand, "policy"), "marketing_opt_in"))) {
        (void)printf("marketing    only to recipients who opted in\n");
    }
    (void)printf("logo         %lldx%lld sha256 %s%s%s\n", hm_ks_int(logo, "width"),
                 hm_ks_int(logo, "height"), hm_ks_str(logo, "sha256"),
                 hm_ks_str(logo, "url") != NULL ? " url " : "",
                 hm_ks_str(logo, "url") != NULL ? hm_ks_str(logo, "url") : "");
    (void)printf("colours      %s on %s\n", hm_ks_str(colors, "primary"),
                 hm_ks_str(colors, "background"));
    json_array_foreach(json_object_get(brand, "senders"), i, e)
    {
        (void)printf("sender       %s:%s%s%s%s%s\n", hm_ks_str(e, "channel"),
                     hm_ks_str(e, "id") != NULL ? hm_ks_str(e, "id") : hm_ks_str(e, "prefix"),
                     hm_ks_str(e, "prefix") != NULL ? "*" : "",
                     hm_ks_str(e, "country") != NULL ? " for recipients in " : "",
                     hm_ks_str(e, "country") != NULL ? hm_ks_str(e, "country") : "",
                     json_is_true(json_object_get(e, "always_signed")) ? " (always signed)" : "");
    }
    json_array_foreach(json_object_get(brand, "link_domains"), i, e)
    {
        (void)printf("link domain  %s\n", json_string_value(e));
    }
    (void)printf("valid        until %s\n", fmt_time(hm_ks_int(brand, "exp"), when, sizeof when));
    (void)printf("credential   %s%s\n", digest,
                 hm_ks_str(brand, "published_cred") == NULL ? " (not yet published)"
                 : strcmp(hm_ks_str(brand, "published_cred"), digest) != 0
                     ? " (changed since the last publish)"
                     : "");
    json_array_foreach(json_object_get(brand, "keys"), i, e)
    {
        (void)printf("key          %s %s %s\n", hm_ks_str(e, "kid"), hm_ks_str(e, "alg"),
                     hm_ks_str(e, "state"));
    }
    (void)short_kid(NULL, kid);
    (void)c;
}

int
cmd_brand(struct cli *c)
{
    const char *verb = c->nargs > 0 ? c->args[0] : "";
    json_t *brand = NULL, *b;
    size_t i;
    int st;

    if (strcmp(verb, "list") != 0 && strcmp(verb, "add") != 0 && strcmp(verb, "update") != 0 &&
        strcmp(verb, "show") != 0 && strcmp(verb, "revoke") != 0 && strcmp(verb, "preview") != 0) {
        return keys_fail(EXIT_USAGE,
                         "usage: hallmark-keys brand add|update|list|show|revoke|preview "
                         "(see help brand)");
    }
    if (c->allow_confusable && (c->reason == NULL || c->reason[0] == '\0')) {
        return keys_fail(
            EXIT_USAGE, "--allow-confusable needs --reason TEXT (it is recorded in the audit log)");
    }
    if (c->second_reviewer != NULL && (c->reason == NULL || c->reason[0] == '\0' ||
                                       !hm_utf8_no_controls(c->second_reviewer, 1, 64))) {
        return keys_fail(EXIT_USAGE, "--second-reviewer needs a NAME (1-64 bytes of UTF-8 "
                                     "without control characters) and --reason TEXT (both are "
                                     "recorded in the audit log)");
    }
    if (c->transfer_from != NULL && strcmp(verb, "add") != 0 && strcmp(verb, "update") != 0) {
        return keys_fail(EXIT_USAGE, "--transfer-from goes with brand add or brand update");
    }
    if (c->transfer_from != NULL && (c->reason == NULL || c->reason[0] == '\0')) {
        return keys_fail(EXIT_USAGE,
                         "--transfer-from needs --reason TEXT (it is recorded in the audit log)");
    }
    if (c->nargs != (strcmp(verb, "list") == 0 ? 1 : 2)) {
        return keys_fail(EXIT_USAGE, "brand %s takes %s", verb,
                         strcmp(verb, "list") == 0 ? "no argument" : "one brand id");
    }
    if ((st = open_keystore(c, strcmp(verb, "add") == 0 || strcmp(verb, "update") == 0 ||
                                       strcmp(verb, "revoke") == 0
                                   ? OPEN_TO_CHANGE
                                   : 0)) != 0) {
        return st;
    }
    if (strcmp(verb, "add") == 0) {
        return brand_add(c, c->args[1]);
    }
    if (strcmp(verb, "list") == 0) {
        json_array_foreach(hm_ks_brands(&c->ks), i, b)
        {
            const json_t *active = brand_active_key(b);
            char kid[12];
            (void)printf("%-24s %-14s %-8s %s \"%s\"\n", hm_ks_str(b, "id"), hm_ks_str(b, "level"),
                         json_object_get(b, "revoked_at") != NULL ? "revoked" : "ok",
                         active != NULL ? short_kid(hm_ks_str(active, "kid"), kid) : "no-key",
                         hm_ks_str(b, "name"));
        }
        return 0;
    }
    if ((brand = hm_ks_find_brand(&c->ks, c->args[1])) == NULL) {
        return keys_fail(EXIT_REFUSED, "no brand %s (hallmark-keys brand list)", c->args[1]);
    }
    if (strcmp(verb, "update") == 0) {
        return brand_update(c, brand);
    }
    if (strcmp(verb, "revoke") == 0) {
        return brand_revoke(c, brand);
    }
    if (strcmp(verb, "preview") == 0) {
        return brand_preview(c, brand);
    }
    brand_show(c, brand);
    return 0;
}
