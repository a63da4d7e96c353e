#include "hm_ids.h"

#include <string.h>

#include "hm_text.h"

static int
is_lower_alnum(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int
is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int
is_letter(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* 1 if every byte of s is in set-of-ranges check fn and its length is in [lo, hi]. */
static int
all_of(const char *s, size_t lo, size_t hi, int (*ok)(int))
{
    size_t n = strlen(s), i;

    if (n < lo || n > hi) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (!ok((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

static int
brand_char(int c)
{
    return is_lower_alnum(c) || c == '-';
}

int
hm_name_index(const char *s, const char *const *names, size_t count)
{
    size_t i;

    for (i = 0; s != NULL && i < count; i++) {
        if (strcmp(s, names[i]) == 0) {
            return (int)i;
        }
    }
    return -1;
}

int
hm_brand_id_ok(const char *s)
{
    return s != NULL && is_lower_alnum((unsigned char)s[0]) && all_of(s, 2, 63, brand_char);
}

int
hm_channel_ok(const char *s)
{
    return s != NULL && all_of(s, 1, 16, brand_char);
}

int
hm_e164_ok(const char *s)
{
    return s != NULL && s[0] == '+' && s[1] >= '1' && s[1] <= '9' && all_of(s + 1, 8, 15, is_digit);
}

size_t
hm_country_code_len(const char *digits)
{
    /* [HM-CRED-62]: the two-digit codes; every other code of zones 2-6, 8 and 9 has three
     * digits, and zones 1 and 7 have one. */
    static const char two_digit[] = "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 "
                                    "53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 "
                                    "93 94 95 98";
    size_t i;

    if (digits == NULL || digits[0] < '1' || digits[0] > '9') {
        return 0;
    }
    if (digits[0] == '1' || digits[0] == '7') {
        return 1;
    }
    if (!is_digit((unsigned char)digits[1])) {
        return 0;
    }
    for (i = 0; i + 1 < sizeof two_digit; i += 3) {
        if (digits[0] == two_digit[i] && digits[1] == two_digit[i + 1]) {
            return 2;
        }
    }
    return is_digit((unsigned char)digits[2]) ? 3 : 0;
}

int
hm_country_code_ok(const char *s)
{
    size_t n;

    return s != NULL && s[0] == '+' && (n = hm_country_code_len(s + 1)) > 0 &&
           all_of(s + 1, n, n, is_digit);
}

int
hm_sender_prefix_ok(const char *s)
{
    size_t n;

    /* [HM-CRED-65]: at least five digits after the country code. */
    return s != NULL && s[0] == '+' && (n = hm_country_code_len(s + 1)) > 0 &&
           all_of(s + 1, n + 5, 14, is_digit);
}

int
hm_sender_takes_country(const char *channel, const char *id)
{
    return channel != NULL && id != NULL && strcmp(channel, "sms") == 0 && !hm_e164_ok(id) &&
           hm_sender_id_ok(channel, id);
}

int
hm_recipient_in_country(const char *country, const char *to)
{
    return country == NULL ||
           (to != NULL && hm_e164_ok(to) && strncmp(to, country, strlen(country)) == 0);
}

static int
alnum_sender_char(int c)
{
    return is_letter(c) || is_digit(c) || c == ' ' || c == '.' || c == '-';
}

static int
alnum_sender_ok(const char *s)
{
    size_t i;

    if (!all_of(s, 1, 11, alnum_sender_char)) {
        return 0;
    }
    for (i = 0; s[i] != '\0'; i++) {
        if (is_letter((unsigned char)s[i])) {
            return 1;
        }
    }
    return 0;
}

int
hm_dns_name_ok(const char *s, size_t len)
{
    size_t i, label = 0, labels = 1, last_start = 0;

    if (s == NULL || len == 0 || len > 253) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-') {
                return 0;
            }
            label = 0;
            labels++;
            last_start = i + 1;
            continue;
        }
        if (!brand_char(c) || (label == 0 && c == '-') || ++label > 63) {
            return 0;
        }
    }
    return label > 0 && s[len - 1] != '-' && labels >= 2 && s[last_start] >= 'a' &&
           s[last_start] <= 'z';
}

static int
rbm_local_char(int c)
{
    return is_lower_alnum(c) || c == '.' || c == '_' || c == '-';
}

static int
app_id_char(int c)
{
    return is_letter(c) || is_digit(c) || c == '.' || c == '_' || c == '-';
}

static int
printable_ascii(int c)
{
    return c >= 0x21 && c <= 0x7E;
}

static int
addr_spec_ok(const char *s)
{
    const char *at = strrchr(s, '@');
    size_t local, i;

    if (at == NULL) {
        return 0;
    }
    local = (size_t)(at - s);
    if (local == 0 || local > 64 || !hm_utf8_valid((const unsigned char *)s, local)) {
        return 0;
    }
    for (i = 0; i < local; i++) {
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] == 0x7F) {
            return 0;
        }
    }
    return hm_dns_name_ok(at + 1, strlen(at + 1));
}

int
hm_sender_id_ok(const char *channel, const char *s)
{
    const char *at;

    if (channel == NULL || s == NULL) {
        return 0;
    }
    if (strcmp(channel, "sms") == 0) {
        return hm_e164_ok(s) || all_of(s, 3, 8, is_digit) || alnum_sender_ok(s);
    }
    if (strcmp(channel, "whatsapp") == 0) {
        return hm_e164_ok(s);
    }
    if (strcmp(channel, "rcs") == 0) {
        at = strchr(s, '@');
        if (at == NULL || at == s || at - s > 64) {
            return 0;
        }
        for (const char *p = s; p < at; p++) {
            if (!rbm_local_char((unsigned char)*p)) {
                return 0;
            }
        }
        return hm_dns_name_ok(at + 1, strlen(at + 1));
    }
    if (strcmp(channel, "email") == 0) {
        return hm_dns_name_ok(s, strlen(s));
    }
    if (strcmp(channel, "push") == 0 || strcmp(channel, "inapp") == 0) {
        return all_of(s, 1, 255, app_id_char);
    }
    return hm_utf8_no_controls(s, 1, 256); /* other channels */
}

int
hm_recipient_id_ok(const char *channel, const char *s)
{
    if (channel == NULL || s == NULL) {
        return 0;
    }
    if (strcmp(channel, "sms") == 0 || strcmp(channel, "rcs") == 0 ||
        strcmp(channel, "whatsapp") == 0) {
        return hm_e164_ok(s);
    }
    if (strcmp(channel, "email") == 0) {
        return addr_spec_ok(s);
    }
    if (strcmp(channel, "push") == 0 || strcmp(channel, "inapp") == 0) {
        return all_of(s, 1, 256, printable_ascii);
    }
    return hm_utf8_no_controls(s, 1, 256); /* other channels */
}

static void
ascii_lower(char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] >= 'A' && s[i] <= 'Z') {
            s[i] = (char)(s[i] - 'A' + 'a');
        }
    }
}

static int
copy_id(const char *in, char out[HM_ID_MAX])
{
    size_t n;

    if (in == NULL || (n = strlen(in)) >= HM_ID_MAX) {
        return 0;
    }
    memcpy(out, in, n + 1);
    return 1;
}

int
hm_canonical_sender(const char *channel, const char *in, char out[HM_ID_MAX])
{
    if (channel == NULL || !copy_id(in, out)) {
        return 0;
    }
    if (strcmp(channel, "rcs") == 0) {
        ascii_lower(out, strlen(out));
    } else if (strcmp(channel, "email") == 0) {
        size_t n = strlen(out);
        ascii_lower(out, n);
        if (n > 0 && out[n - 1] == '.') {
            out[n - 1] = '\0';
        }
    }
    return hm_sender_id_ok(channel, out);
}

int
hm_canonical_recipient(const char *channel, const char *in, char out[HM_ID_MAX])
{
    if (channel == NULL || !copy_id(in, out)) {
        return 0;
    }
    if (strcmp(channel, "email") == 0) {
        char *at = strrchr(out, '@');
        if (at != NULL) {
            ascii_lower(at + 1, strlen(at + 1));
        }
    }
    return hm_recipient_id_ok(channel, out);
}

int
hm_channel_takes_prefix(const char *channel)
{
    return strcmp(channel, "sms") == 0 || strcmp(channel, "whatsapp") == 0;
}

int
hm_action_url_host(const char *url, char host[HM_ID_MAX])
{
    static const char scheme[] = "https://";
    const char *auth, *colon;
    size_t n;

    if (url == NULL || !all_of(url, 1, 2048, printable_ascii) ||
        strncmp(url, scheme, sizeof scheme - 1) != 0) {
        return 0;
    }
    auth = url + sizeof scheme - 1;
    n = strcspn(auth, "/?#");
    if (n == 0 || memchr(auth, '@', n) != NULL || auth[0] == '[') {
        return 0;
    }
    colon = memchr(auth, ':', n);
    if (colon != NULL) {
        if ((size_t)(auth + n - colon) != 4 || memcmp(colon, ":443", 4) != 0) {
            return 0;
        }
        n = (size_t)(colon - auth);
    }
    if (n >= HM_ID_MAX) {
        return 0;
    }
    memcpy(host, auth, n);
    host[n] = '\0';
    ascii_lower(host, n);
    return hm_dns_name_ok(host, n);
}

int
hm_host_within(const char *host, const char *domain)
{
    size_t h = strlen(host), d = strlen(domain);

    if (d == 0 || h < d) {
        return 0;
    }
    if (h == d) {
        return memcmp(host, domain, d) == 0;
    }
    return host[h - d - 1] == '.' && memcmp(host + h - d, domain, d) == 0;
}

int
hm_link_entry_ok(const char *entry, size_t len)
{
    if (entry != NULL && len > 2 && entry[0] == '*' && entry[1] == '.') {
        return hm_dns_name_ok(entry + 2, len - 2);
    }
    return hm_dns_name_ok(entry, len);
}

const char *
hm_link_entry_domain(const char *entry)
{
    return entry != NULL && entry[0] == '*' && entry[1] == '.' ? entry + 2 : entry;
}

int
hm_link_entry_matches(const char *host, const char *entry)
{
    const char *d = hm_link_entry_domain(entry);

    if (host == NULL || entry == NULL) {
        return 0;
    }
    if (d == entry) {
        return strcmp(host, entry) == 0; /* exact host ([HM-CRED-48]) */
    }
    return strcmp(host, d) != 0 && hm_host_within(host, d); /* below d, not d itself */
}

int
hm_sender_entry_claims(const char *channel, const char *value, int is_prefix, const char *country,
                       const char *fc, const char *f, const char *to)
{
    if (channel == NULL || value == NULL || fc == NULL || f == NULL || strcmp(channel, fc) != 0) {
        return 0;
    }
    if (is_prefix) {
        return hm_channel_takes_prefix(channel) && hm_e164_ok(f) &&
               strncmp(f, value, strlen(value)) == 0;
    }
    if (!hm_recipient_in_country(country, to)) {
        return 0; /* [HM-CRED-63] */
    }
    return strcmp(f, value) == 0 || (strcmp(channel, "email") == 0 && hm_host_within(f, value));
}

int
hm_sender_entries_overlap(const char *channel_a, const char *a, int a_prefix, const char *country_a,
                          const char *channel_b, const char *b, int b_prefix, const char *country_b)
{
    if (channel_a == NULL || channel_b == NULL || a == NULL || b == NULL ||
        strcmp(channel_a, channel_b) != 0) {
        return 0;
    }
    if (a_prefix && b_prefix) {
        /* Two prefixes share the numbers of the longer one (it has at most 14 digits, so some
         * E.164 number extends it). */
        return hm_channel_takes_prefix(channel_a) &&
               (strncmp(a, b, strlen(a)) == 0 || strncmp(b, a, strlen(b)) == 0);
    }
    if (a_prefix) {
        return hm_sender_entry_claims(channel_a, a, 1, NULL, channel_b, b, NULL);
    }
    if (b_prefix) {
        return hm_sender_entry_claims(channel_b, b, 1, NULL, channel_a, a, NULL);
    }
    /* [HM-CRED-66]: ids for two countries are two senders; an id without a country
     * ([HM-CRED-64]) claims it in every country. */
    if (country_a != NULL && country_b != NULL && strcmp(country_a, country_b) != 0) {
        return 0;
    }
    /* Two exact ids: equal, or (email) one domain within the other. */
    return hm_sender_entry_claims(channel_a, a, 0, NULL, channel_b, b, NULL) ||
           hm_sender_entry_claims(channel_b, b, 0, NULL, channel_a, a, NULL);
}

int
hm_link_domains_overlap(const char *a, const char *b)
{
    const char *da = hm_link_entry_domain(a), *db = hm_link_entry_domain(b);

    return da != NULL && db != NULL && (hm_host_within(da, db) || hm_host_within(db, da));
}
