/* The message card of brand preview (keys/vetting/hm_card): its size, that the name's text is
 * drawn where the report says (ink, not a uniform area), that names in every script a display
 * name allows render with no missing glyph, that a missing glyph is reported, and that each
 * option a caller chooses is refused with its reason. Pixels are read back with libpng. */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hm_card.h"
#include "hm_png.h"
#include "test.h"

static hm_logo test_logo;

static int
logo_loaded(void)
{
    char err[160];
    unsigned char *data;
    size_t len = 0;
    int ok;

    if (test_logo.rgba != NULL) {
        return 1;
    }
    data = test_read_file("tests/data/logos/good/brand-256-rgba.png", &len);
    ok = data != NULL && hm_logo_from_png(data, len, &test_logo, err, sizeof err) == HALLMARK_OK;
    free(data);
    return ok;
}

static void
card_defaults(hm_card *c, const char *name)
{
    memset(c, 0, sizeof *c);
    c->logo = &test_logo;
    c->name = name;
    c->primary = "#0B5FFF";
    c->background = "#FFFFFF";
    c->level = "organization";
    c->channel = "sms";
    c->sender = "ACMEBANK";
    c->body = "Your card was charged 42.00 EUR.\nNot you? Tap Contact us.";
    c->category = "transactional";
    c->sender_kind = "automated";
    c->actions[0] = "View details";
    c->actions[1] = "Contact us";
    c->action_count = 2;
}

/* The card's pixels, decoded from its PNG: malloc'd RGBA, NULL unless w x h. */
static unsigned char *
decode(const unsigned char *png, size_t len, png_uint_32 *w, png_uint_32 *h)
{
    png_image img;
    unsigned char *rgba;

    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&img, png, len)) {
        return NULL;
    }
    img.format = PNG_FORMAT_RGBA;
    *w = img.width;
    *h = img.height;
    rgba = malloc((size_t)img.width * img.height * 4);
    if (rgba == NULL || !png_image_finish_read(&img, NULL, rgba, 0, NULL)) {
        png_image_free(&img);
        free(rgba);
        return NULL;
    }
    return rgba;
}

static const unsigned char *
at(const unsigned char *rgba, int x, int y)
{
    return rgba + ((size_t)y * HM_CARD_WIDTH + (size_t)x) * 4;
}

/* Pixels of the rectangle darker than mid-grey: ink on the white card. */
static long
dark_pixels(const unsigned char *rgba, int x0, int y0, int w, int h)
{
    long n = 0;
    int x, y;

    for (y = y0; y < y0 + h; y++) {
        for (x = x0; x < x0 + w; x++) {
            const unsigned char *p = at(rgba, x, y);
            n += p[0] + p[1] + p[2] < 3 * 128;
        }
    }
    return n;
}

/* Renders, decodes and checks what every card shares; the pixels and report for more. */
static unsigned char *
render(const hm_card *c, hm_card_report *rep, size_t *png_len)
{
    unsigned char *png = NULL, *rgba;
    size_t n = 0;
    png_uint_32 w = 0, h = 0;
    char err[200];

    if (hm_card_render(c, &png, &n, rep, err, sizeof err) != HALLMARK_OK) {
        test_note("render: %s", err);
        return NULL;
    }
    rgba = decode(png, n, &w, &h);
    free(png);
    if (rgba != NULL && (w != HM_CARD_WIDTH || h != HM_CARD_HEIGHT)) {
        test_note("card is %ux%u", (unsigned)w, (unsigned)h);
        free(rgba);
        return NULL;
    }
    if (png_len != NULL) {
        *png_len = n;
    }
    return rgba;
}

TEST(card_draws_the_name_checkmark_and_buttons_in_the_brand_colours)
{
    hm_card c;
    hm_card_report rep, rep2;
    unsigned char *a, *b, *png1 = NULL, *png2 = NULL;
    size_t n1 = 0, n2 = 0;
    int x, y, blue = 0, primary = 0, ok;

    if (!logo_loaded()) {
        CHECK(!"the test logo loads");
    }
    card_defaults(&c, "Acme Bank");
    /* The same card twice: the same bytes. */
    CHECK_RC(hm_card_render(&c, &png1, &n1, &rep, NULL, 0), HALLMARK_OK);
    CHECK_RC(hm_card_render(&c, &png2, &n2, &rep2, NULL, 0), HALLMARK_OK);
    ok = n1 == n2 && memcmp(png1, png2, n1) == 0;
    free(png1);
    free(png2);
    CHECK(ok);
    a = render(&c, &rep, NULL);
    CHECK(a != NULL);
    /* The name lies right of the logo in the header, with dark ink in it, and nothing before. */
    ok = rep.unknown_glyphs == 0 && rep.name_x >= 24 + 32 + 112 && rep.name_y > 34 &&
         rep.name_y + rep.name_h < 140 && rep.name_w > 100 && rep.name_h > 15;
    ok = ok && dark_pixels(a, rep.name_x, rep.name_y, rep.name_w, rep.name_h) > 300 &&
         dark_pixels(a, rep.name_x - 16, rep.name_y, 12, rep.name_h) == 0;
    /* The checkmark's blue just right of the name; the primary colour in the buttons. */
    y = rep.name_y + rep.name_h / 2;
    for (x = rep.name_x + rep.name_w; x < rep.name_x + rep.name_w + 70; x++) {
        blue += at(a, x, y)[0] == 0x1A && at(a, x, y)[1] == 0x73 && at(a, x, y)[2] == 0xE8;
    }
    for (y = 300; y < (int)HM_CARD_HEIGHT - 60; y++) {
        primary += at(a, 80, y)[0] == 0x0B && at(a, 80, y)[1] == 0x5F && at(a, 80, y)[2] == 0xFF;
    }
    /* The brand background inside the card, opaque everywhere. */
    ok = ok && blue > 10 && primary > 40 && at(a, 600, 650)[0] == 0xFF &&
         at(a, 600, 650)[1] == 0xFF && at(a, 600, 650)[2] == 0xFF && at(a, 0, 0)[3] == 255 &&
         at(a, 0, 0)[0] < 0xF0;
    test_note("name at %d,%d %dx%d; %d blue, %d primary pixels", rep.name_x, rep.name_y, rep.name_w,
              rep.name_h, blue, primary);
    free(a);
    /* A dark brand background: the name's ink turns light (pixels lighter than mid-grey). */
    c.primary = "#FFFFFF";
    c.background = "#00205B";
    b = render(&c, &rep, NULL);
    CHECK(b != NULL);
    ok = ok &&
         (long)rep.name_w * rep.name_h -
                 dark_pixels(b, rep.name_x, rep.name_y, rep.name_w, rep.name_h) >
             300 &&
         at(b, 600, 650)[0] == 0x00 && at(b, 600, 650)[1] == 0x20 && at(b, 600, 650)[2] == 0x5B;
    free(b);
    CHECK(ok);
}

TEST(card_renders_names_of_every_script_without_missing_glyphs)
{
    static const char *const names[] = {
        "Café Zürich", "Сбербанк",   "Ελληνική Τράπεζα", "بنك الرياض",
        "בנק הפועלים", "みずほ銀行", "中国银行",         "신한은행",
    };
    hm_card c;
    hm_card_report rep;
    unsigned char *a;
    size_t i;

    if (!logo_loaded()) {
        CHECK(!"the test logo loads");
    }
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        card_defaults(&c, names[i]);
        c.body = names[i]; /* the body too, in the name's script */
        c.actions[0] = names[i];
        a = render(&c, &rep, NULL);
        CHECK(a != NULL);
        if (rep.unknown_glyphs != 0 || rep.name_w < 60 || rep.name_h < 15 ||
            dark_pixels(a, rep.name_x, rep.name_y, rep.name_w, rep.name_h) < 150) {
            test_note("%s: %d unknown glyphs, name %dx%d, %ld dark pixels", names[i],
                      rep.unknown_glyphs, rep.name_w, rep.name_h,
                      dark_pixels(a, rep.name_x, rep.name_y, rep.name_w, rep.name_h));
            free(a);
            CHECK(!"every script renders with ink and no missing glyph (make deps: fonts)");
        }
        free(a);
    }
    /* A character no font has (plane 16 private use) is reported, not hidden. */
    card_defaults(&c, "Acme \xF4\x8F\xBF\xBD");
    a = render(&c, &rep, NULL);
    CHECK(a != NULL);
    free(a);
    CHECK(rep.unknown_glyphs == 1);
}

TEST(card_refuses_each_bad_option_with_its_reason)
{
    static const struct {
        const char *field, *value, *reason;
    } bad[] = {
        {"body", "", "--body"},
        {"body", "bell \x07", "--body"},
        {"body", "C1 \xC2\x85 next line", "--body"},
        {"body", "tab\there", "--body"},
        {"body", "not UTF-8 \xC3", "--body"},
        {"category", "news", "--category"},
        {"category", "OTP", "--category"},
        {"sender_kind", "bot", "--sender-kind"},
        {"agent", "Sam", "--agent names the person"},
        {"action", "", "--action"},
        {"action", "a label that is longer than forty bytes!!", "--action"},
        {"action", "new\nline", "--action"},
    };
    char long_body[HM_CARD_BODY_MAX + 2], err[200];
    unsigned char *png = NULL;
    size_t i, n = 0;
    hm_card c;

    if (!logo_loaded()) {
        CHECK(!"the test logo loads");
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        card_defaults(&c, "Acme Bank");
        if (strcmp(bad[i].field, "body") == 0) {
            c.body = bad[i].value;
        } else if (strcmp(bad[i].field, "category") == 0) {
            c.category = bad[i].value;
        } else if (strcmp(bad[i].field, "sender_kind") == 0) {
            c.sender_kind = bad[i].value;
        } else if (strcmp(bad[i].field, "agent") == 0) {
            c.agent = bad[i].value;
        } else {
            c.actions[1] = bad[i].value;
        }
        CHECK_RC(hm_card_render(&c, &png, &n, NULL, err, sizeof err),
                 HALLMARK_ERR_INVALID_ARGUMENT);
        if (strncmp(err, bad[i].reason, strlen(bad[i].reason)) != 0 || png != NULL || n != 0) {
            test_note("%s \"%s\": %s", bad[i].field, bad[i].value, err);
            CHECK(!"the reason names the option");
        }
    }
    /* Limits: a body of HM_CARD_BODY_MAX bytes passes, one more does not; a person's name only
     * with human, at most 64 bytes; at most four actions. */
    card_defaults(&c, "Acme Bank");
    memset(long_body, 'a', sizeof long_body);
    long_body[HM_CARD_BODY_MAX] = '\0';
    c.body = long_body;
    CHECK_RC(hm_card_check(&c, err, sizeof err), HALLMARK_OK);
    long_body[HM_CARD_BODY_MAX] = 'a';
    long_body[HM_CARD_BODY_MAX + 1] = '\0';
    CHECK_RC(hm_card_check(&c, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    card_defaults(&c, "Acme Bank");
    c.sender_kind = "human";
    c.agent = "Sam";
    CHECK_RC(hm_card_check(&c, err, sizeof err), HALLMARK_OK);
    c.agent = "0123456789012345678901234567890123456789012345678901234567890123X";
    CHECK_RC(hm_card_check(&c, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    card_defaults(&c, "Acme Bank");
    c.action_count = HALLMARK_MAX_ACTIONS + 1;
    CHECK_RC(hm_card_check(&c, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    c.action_count = 0; /* no buttons is a valid card */
    CHECK_RC(hm_card_check(&c, err, sizeof err), HALLMARK_OK);
    /* The brand's fields and the arguments. */
    card_defaults(&c, "Acme Bank");
    c.primary = "#0b5fff";
    CHECK_RC(hm_card_render(&c, &png, &n, NULL, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    card_defaults(&c, "Acme Bank");
    c.level = "gold";
    CHECK_RC(hm_card_render(&c, &png, &n, NULL, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    card_defaults(&c, "Acme Bank");
    c.logo = NULL;
    CHECK_RC(hm_card_render(&c, &png, &n, NULL, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    card_defaults(&c, "Acme Bank");
    CHECK_RC(hm_card_render(&c, NULL, &n, NULL, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_card_render(NULL, &png, &n, NULL, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_card_check(NULL, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(png == NULL && n == 0);
    hm_logo_free(&test_logo);
}
