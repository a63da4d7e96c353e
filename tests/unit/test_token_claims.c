/* The claims writer and its escaper against jansson, which wrote every token payload and
 * signature-log line before them: the same values must give the same bytes (spec §2: what apps
 * and peers already verify), and the strings jansson refuses must be refused. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hm_json_write.h"
#include "hm_token_claims.h"
#include "test.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t
rnd(uint32_t n)
{
    return test_rand(&rng_state, n);
}

/* Valid UTF-8 text without U+0000 of up to max bytes: every kind of byte the escaper treats
 * apart (quote, backslash, slash, each control character, DEL) and 2-, 3- and 4-byte
 * characters, the edges of each range included. */
static size_t
random_text(char *out, size_t max)
{
    static const char *const pieces[] = {"\"",
                                         "\\",
                                         "/",
                                         "\x7f",
                                         "a",
                                         "Z",
                                         " ",
                                         "~",
                                         "\xc2\x80",
                                         "\xc3\xa9",
                                         "\xdf\xbf",
                                         "\xe0\xa0\x80",
                                         "\xe2\x80\xae",
                                         "\xe2\x80\x8b",
                                         "\xed\x9f\xbf",
                                         "\xee\x80\x80",
                                         "\xef\xbb\xbf",
                                         "\xef\xbf\xbf",
                                         "\xf0\x90\x80\x80",
                                         "\xf0\x9f\x98\x80",
                                         "\xf4\x8f\xbf\xbf",
                                         "\\u0041",
                                         "</script>"};
    size_t n = 0, want = rnd(4) == 0 ? rnd((uint32_t)max) : rnd(40);

    while (n < want) {
        const char *p;
        char ctl[2];
        size_t l;
        if (rnd(4) == 0) {
            ctl[0] = (char)(1 + rnd(31));
            ctl[1] = '\0';
            p = ctl;
        } else {
            p = pieces[rnd(sizeof pieces / sizeof pieces[0])];
        }
        l = strlen(p);
        if (n + l > max) {
            break;
        }
        memcpy(out + n, p, l);
        n += l;
    }
    out[n] = '\0';
    return n;
}

/* What the writer gives for one string, compared with json_dumps of jansson's string. */
static int
same_as_jansson(const char *s, size_t n)
{
    char stack[64];
    hm_json_writer w;
    json_t *j = json_stringn(s, n);
    char *want = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    const char *got;
    int same;

    hm_json_write_init(&w, stack, sizeof stack);
    hm_json_write_string(&w, s, n);
    got = hm_json_write_text(&w, NULL);
    same = (want == NULL && got == NULL) || (want != NULL && got != NULL && strcmp(want, got) == 0);
    free(want);
    json_decref(j);
    hm_json_write_release(&w);
    return same;
}

TEST(json_write_string_as_jansson)
{
    static char text[9000];
    size_t i, n;

    for (i = 0; i < 20000; i++) {
        n = random_text(text, sizeof text - 1);
        CHECK(same_as_jansson(text, n));
    }
    for (i = 1; i < 256; i++) { /* every single byte: ASCII escaped or not, the rest refused */
        text[0] = (char)i;
        CHECK(same_as_jansson(text, 1));
    }
}

TEST(json_write_refuses_what_jansson_refuses)
{
    static const char *const bad[] = {"\xc0\xaf",         /* overlong '/' */
                                      "\xc1\xbf",         /* overlong */
                                      "\xe0\x80\xaf",     /* overlong */
                                      "\xed\xa0\x80",     /* a surrogate */
                                      "\xed\xbf\xbf",     /* a surrogate */
                                      "\xf0\x80\x80\xaf", /* overlong */
                                      "\xf4\x90\x80\x80", /* above U+10FFFF */
                                      "\xf5\x80\x80\x80", "\xff",    "\x80", "a\xc3",
                                      "\xe2\x82",         "\xc3\x28"};
    unsigned char b[4];
    char stack[16];
    hm_json_writer w;
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(json_string(bad[i]) == NULL);
        CHECK(same_as_jansson(bad[i], strlen(bad[i])));
    }
    for (i = 0; i < 200000; i++) { /* random short byte strings: valid for both or for neither */
        size_t n = 1 + rnd(4), k;
        for (k = 0; k < n; k++) {
            b[k] = (unsigned char)(0x80 + rnd(128));
        }
        CHECK(same_as_jansson((const char *)b, n));
    }
    /* U+0000: json_string (a C string) never carried one; the writer refuses it. */
    hm_json_write_init(&w, stack, sizeof stack);
    hm_json_write_string(&w, "a\0b", 3);
    CHECK(hm_json_write_text(&w, NULL) == NULL);
    hm_json_write_release(&w);
}

TEST(json_write_int_as_jansson)
{
    static const long long values[] = {
        0,         1,        -1, 9, 10, 1700000000, 604800, 9007199254740991LL, -9007199254740992LL,
        INT64_MAX, INT64_MIN};
    char stack[8]; /* too small: the writer moves to the heap */
    hm_json_writer w;
    json_t *a = json_array();
    char *want;
    size_t i;

    hm_json_write_init(&w, stack, sizeof stack);
    hm_json_write_lit(&w, "[");
    for (i = 0; i < sizeof values / sizeof values[0]; i++) {
        hm_json_write_lit(&w, i == 0 ? "" : ",");
        hm_json_write_int(&w, values[i]);
        json_array_append_new(a, json_integer(values[i]));
    }
    hm_json_write_lit(&w, "]");
    want = json_dumps(a, JSON_COMPACT);
    CHECK(want != NULL && hm_json_write_text(&w, NULL) != NULL &&
          strcmp(want, hm_json_write_text(&w, NULL)) == 0);
    free(want);
    json_decref(a);
    hm_json_write_release(&w);
}

/* The claims as the signer built them with jansson up to issue 16 (hm_signer.c build_claims and
 * add_extras), serialized as it serialized them. */
static char *
jansson_claims(const hm_token_claims *c)
{
    json_t *o, *sender = json_pack("{s:s}", "kind", c->sender_kind), *actions;
    char *text = NULL;
    size_t i;

    if (sender != NULL && c->sender_name != NULL) {
        json_object_set_new(sender, "name", json_string(c->sender_name));
    }
    o = json_pack("{s:s,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "iss", c->iss, "iat",
                  (json_int_t)c->iat, "exp", (json_int_t)c->exp, "jti", c->jti, "channel",
                  c->channel, "from", c->from, "rcpt", c->rcpt, "body", c->body, "cred", c->cred,
                  "category", c->category, "sender", sender);
    if (o == NULL) {
        return NULL;
    }
    if (c->conv != NULL) {
        json_object_set_new(o, "conv", json_string(c->conv));
    }
    if (c->action_count > 0) {
        actions = json_array();
        for (i = 0; i < c->action_count; i++) {
            json_array_append_new(actions,
                                  json_pack("{s:s,s:s,s:s}", "kind", c->actions[i].kind, "label",
                                            c->actions[i].label, "url", c->actions[i].url));
        }
        json_object_set_new(o, "actions", actions);
    }
    if (c->alt_body != NULL) {
        json_object_set_new(o, "alt_body", json_pack("[s]", c->alt_body));
    }
    if (c->subject != NULL) {
        json_object_set_new(o, "subject", json_string(c->subject));
    }
    if (c->reply_to != NULL) {
        json_object_set_new(o, "reply_to", json_string(c->reply_to));
    }
    text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

TEST(token_claims_as_jansson)
{
    static const char *const channels[] = {"sms", "rcs", "whatsapp", "email", "push"};
    static const char *const kinds[] = {"automated", "human", "ai"};
    static char texts[20][2100];
    hm_sign_action actions[HALLMARK_MAX_ACTIONS];
    size_t i, k, heap = 0;

    for (i = 0; i < 5000; i++) {
        hm_token_claims c;
        char stack[2048];
        hm_json_writer w;
        char *want;
        const char *got;
        size_t t = 0;

        for (k = 0; k < sizeof texts / sizeof texts[0]; k++) {
            (void)random_text(texts[k], k < 12 ? 60 : sizeof texts[k] - 1);
        }
        memset(&c, 0, sizeof c);
        c.iss = texts[t++];
        c.iat = (long long)rnd(2000000000);
        c.exp = c.iat + 1 + rnd(604800);
        c.jti = "q83vEjRWeJq83vEjRWeJqw";
        c.channel = channels[rnd(5)];
        c.from = texts[t++];
        c.rcpt = "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU";
        c.body = texts[t++];
        c.cred = "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg";
        c.category = texts[t++];
        c.sender_kind = rnd(2) ? kinds[rnd(3)] : texts[t++];
        c.sender_name = rnd(2) ? texts[t++] : NULL;
        c.conv = rnd(2) ? texts[t++] : NULL;
        c.action_count = rnd(HALLMARK_MAX_ACTIONS + 1);
        for (k = 0; k < HALLMARK_MAX_ACTIONS; k++) {
            actions[k].kind = texts[t++ % 12];
            actions[k].label = texts[12 + (k * 2) % 8];
            actions[k].url = texts[13 + (k * 2) % 7];
        }
        c.actions = actions;
        c.alt_body = rnd(2) ? texts[t++ % 12] : NULL;
        c.subject = rnd(2) ? texts[t++ % 12] : NULL;
        c.reply_to = rnd(2) ? texts[t++ % 12] : NULL;
        if (i % 7 == 0) { /* every optional claim at once */
            c.sender_name = texts[4];
            c.conv = texts[5];
            c.action_count = HALLMARK_MAX_ACTIONS;
            c.alt_body = texts[6];
            c.subject = texts[7];
            c.reply_to = texts[8];
        }
        hm_json_write_init(&w, stack, sizeof stack);
        hm_token_claims_write(&w, &c);
        got = hm_json_write_text(&w, NULL);
        heap += w.heap;
        want = jansson_claims(&c);
        CHECK(want != NULL && got != NULL);
        if (strcmp(want, got) != 0) {
            test_note("jansson: %s", want);
            test_note("writer:  %s", got);
        }
        CHECK(strcmp(want, got) == 0);
        free(want);
        hm_json_write_release(&w);
    }
    CHECK(heap > 0); /* long claims left the stack buffer, and matched too */
}
