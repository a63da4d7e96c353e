#include "hm_card.h"

#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hm_color.h"
#include "hm_errorf.h"
#include "hm_text.h"

/* Fonts in order: DejaVu Sans covers Latin, Greek, Cyrillic, Arabic, Hebrew; WenQuanYi Micro Hei
 * Chinese, Japanese and Korean; fontconfig falls back beyond them. */
#define FONTS "DejaVu Sans, WenQuanYi Micro Hei, Sans"
#define BADGE_BLUE 0x1A73E8 /* the checkmark's colour, as in hm_logo_preview: the platform's */

/* The layout, in pixels. */
enum {
    MARGIN = 24,     /* canvas to card */
    PAD = 32,        /* card to content */
    LOGO = 112,      /* logo tile side */
    HEADER_GAP = 24, /* logo to name */
    NAME_PX = 34,    /* name font size */
    SMALL_PX = 21,   /* level, sender line, chips */
    BODY_PX = 26,    /* body */
    BUTTON_PX = 23,  /* action labels */
    BADGE = 38,      /* checkmark disc */
    BUBBLE_PAD = 24, /* body bubble padding */
    BUTTON_H = 64,   /* action button height */
    BUTTON_GAP = 16, /* between buttons */
    CHIP_H = 40,     /* category and sender chips */
    ACCENT = 10      /* the primary-colour bar on the card's top edge */
};

struct rgb {
    double r, g, b;
};

static const char *const categories[][2] = {
    {"transactional", "Transactional"}, {"otp", "One-time code"}, {"alert", "Alert"},
    {"marketing", "Marketing"},         {"service", "Service"},
};
static const char *const levels[][2] = {
    {"basic", "Verified brand"},
    {"organization", "Verified organization"},
    {"trademark", "Verified trademark"},
};
static const char *const channels[][2] = {
    {"sms", "SMS"},     {"rcs", "RCS"},   {"whatsapp", "WhatsApp"},
    {"email", "Email"}, {"push", "Push"}, {"inapp", "In-app"},
};

/* The second column of the row whose first is key, or NULL. */
static const char *
lookup(const char *const (*table)[2], size_t n, const char *key)
{
    size_t i;

    for (i = 0; key != NULL && i < n; i++) {
        if (strcmp(table[i][0], key) == 0) {
            return table[i][1];
        }
    }
    return NULL;
}
#define LOOKUP(table, key) lookup((table), sizeof(table) / sizeof((table)[0]), (key))

/* Valid UTF-8 of lo..hi bytes without C0 or C1 controls, newlines allowed when multiline. */
static int
text_ok(const char *s, size_t lo, size_t hi, int multiline)
{
    size_t n, i = 0;

    if (s == NULL || (n = strlen(s)) < lo || n > hi ||
        !hm_utf8_valid((const unsigned char *)s, n)) {
        return 0;
    }
    while (i < n) {
        int32_t cp = hm_utf8_next((const unsigned char *)s, n, &i);
        if ((cp < 0x20 && !(multiline && cp == '\n')) || (cp >= 0x7F && cp <= 0x9F)) {
            return 0;
        }
    }
    return 1;
}

/* The brand's fields, as the keystore holds them after onboarding. */
static int
brand_ok(const hm_card *card)
{
    return card->logo != NULL && card->logo->rgba != NULL &&
           card->logo->width == card->logo->height && card->logo->width >= HM_LOGO_MIN &&
           card->logo->width <= HM_LOGO_MAX && hm_color_is_canonical(card->primary) &&
           hm_color_is_canonical(card->background) && text_ok(card->name, 1, 256, 0) &&
           LOOKUP(levels, card->level) != NULL && text_ok(card->channel, 1, 16, 0) &&
           text_ok(card->sender, 1, 256, 0);
}

hallmark_result
hm_card_check(const hm_card *card, char *err, size_t err_cap)
{
    size_t i;

    hm_errorf(err, err_cap, "%s", "");
    if (card == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (!text_ok(card->body, 1, HM_CARD_BODY_MAX, 1)) {
        hm_errorf(err, err_cap,
                  "--body: 1 to %u bytes of UTF-8 text, no control characters but newlines",
                  HM_CARD_BODY_MAX);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (LOOKUP(categories, card->category) == NULL) {
        hm_errorf(err, err_cap, "--category: one of transactional, otp, alert, marketing, service");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (card->sender_kind == NULL ||
        (strcmp(card->sender_kind, "automated") != 0 && strcmp(card->sender_kind, "human") != 0 &&
         strcmp(card->sender_kind, "ai") != 0)) {
        hm_errorf(err, err_cap, "--sender-kind: one of automated, human, ai");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (card->agent != NULL && strcmp(card->sender_kind, "human") != 0) {
        hm_errorf(err, err_cap, "--agent names the person writing: it needs --sender-kind human");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (card->agent != NULL && !text_ok(card->agent, 1, HM_CARD_AGENT_MAX, 0)) {
        hm_errorf(err, err_cap, "--agent: 1 to %u bytes of UTF-8, no control characters",
                  HM_CARD_AGENT_MAX);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (card->action_count > HALLMARK_MAX_ACTIONS) {
        hm_errorf(err, err_cap, "--action may be given at most %d times", HALLMARK_MAX_ACTIONS);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    for (i = 0; i < card->action_count; i++) {
        if (!text_ok(card->actions[i], 1, HM_CARD_LABEL_MAX, 0)) {
            hm_errorf(err, err_cap,
                      "--action: a label of 1 to %u bytes of UTF-8, no control "
                      "characters",
                      HM_CARD_LABEL_MAX);
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
    }
    return HALLMARK_OK;
}

/* ---- drawing ------------------------------------------------------------------------------- */

static struct rgb
colour(const char *hex)
{
    unsigned long v = strtoul(hex + 1, NULL, 16);
    struct rgb c = {(double)((v >> 16) & 0xFF) / 255.0, (double)((v >> 8) & 0xFF) / 255.0,
                    (double)(v & 0xFF) / 255.0};
    return c;
}

static struct rgb
mix(struct rgb a, struct rgb b, double t)
{
    struct rgb c = {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
    return c;
}

static void
set(cairo_t *cr, struct rgb c)
{
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

static void
rounded(cairo_t *cr, double x, double y, double w, double h, double r)
{
    cairo_new_sub_path(cr);
    cairo_arc(cr, x + w - r, y + r, r, -G_PI / 2, 0);
    cairo_arc(cr, x + w - r, y + h - r, r, 0, G_PI / 2);
    cairo_arc(cr, x + r, y + h - r, r, G_PI / 2, G_PI);
    cairo_arc(cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
    cairo_close_path(cr);
}

/* What every text of the card shares: the font context and the count of missing glyphs. */
struct pen {
    cairo_t *cr;
    PangoContext *ctx;
    int unknown;
};

/* A laid-out text: width (pixels, 0: none) and lines (0: any) bound it, with an ellipsis. The
 * caller frees it (g_object_unref). auto_dir: a right-to-left paragraph aligns right. */
static PangoLayout *
text(struct pen *p, const char *s, int px, int bold, int width, int lines, int auto_dir)
{
    PangoLayout *l = pango_layout_new(p->ctx);
    PangoFontDescription *fd = pango_font_description_from_string(FONTS);

    pango_font_description_set_absolute_size(fd, (double)px * PANGO_SCALE);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_auto_dir(l, auto_dir);
    if (width > 0) {
        pango_layout_set_width(l, width * PANGO_SCALE);
        pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
        pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
        pango_layout_set_height(l, lines > 0 ? -lines : -1);
    }
    pango_layout_set_text(l, s, -1);
    p->unknown += pango_layout_get_unknown_glyphs_count(l);
    return l;
}

static void
show(struct pen *p, PangoLayout *l, double x, double y, struct rgb c)
{
    cairo_move_to(p->cr, x, y);
    set(p->cr, c);
    pango_cairo_show_layout(p->cr, l);
}

/* The logo, scaled into a rounded tile with a border in the primary colour. */
static int
draw_logo(cairo_t *cr, const hm_logo *logo, double x, double y, double side, struct rgb border)
{
    int w = (int)logo->width, stride = cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, w);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, w);
    unsigned char *dst;
    int i, j;

    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return -1;
    }
    cairo_surface_flush(s);
    dst = cairo_image_surface_get_data(s);
    for (j = 0; j < w; j++) {
        const unsigned char *in = logo->rgba + (size_t)j * (size_t)w * 4;
        uint32_t *out = (uint32_t *)(void *)(dst + (size_t)j * (size_t)stride);
        for (i = 0; i < w; i++, in += 4) {
            uint32_t a = in[3];
            out[i] = a << 24 | ((in[0] * a + 127) / 255) << 16 | ((in[1] * a + 127) / 255) << 8 |
                     ((in[2] * a + 127) / 255);
        }
    }
    cairo_surface_mark_dirty(s);
    cairo_save(cr);
    rounded(cr, x, y, side, side, side * 0.2);
    cairo_clip_preserve(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill_preserve(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, side / w, side / w);
    cairo_set_source_surface(cr, s, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
    cairo_paint(cr);
    cairo_restore(cr);
    rounded(cr, x + 1.5, y + 1.5, side - 3, side - 3, side * 0.2 - 1.5);
    cairo_set_line_width(cr, 3);
    set(cr, border);
    cairo_stroke(cr);
    cairo_surface_destroy(s);
    return 0;
}

/* The verified checkmark: a blue disc with a white tick. */
static void
draw_badge(cairo_t *cr, double cx, double cy, double r)
{
    struct rgb blue = {(double)((BADGE_BLUE >> 16) & 0xFF) / 255.0,
                       (double)((BADGE_BLUE >> 8) & 0xFF) / 255.0,
                       (double)(BADGE_BLUE & 0xFF) / 255.0};

    cairo_new_path(cr);
    cairo_arc(cr, cx, cy, r, 0, 2 * G_PI);
    set(cr, blue);
    cairo_fill(cr);
    cairo_move_to(cr, cx - 0.42 * r, cy + 0.02 * r);
    cairo_line_to(cr, cx - 0.12 * r, cy + 0.32 * r);
    cairo_line_to(cr, cx + 0.45 * r, cy - 0.30 * r);
    cairo_set_line_width(cr, 0.2 * r);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_stroke(cr);
}

/* A pill with a label: filled, or outlined in the label's colour. Returns its width. */
static double
chip(struct pen *p, const char *label, double x, double y, struct rgb fg, const struct rgb *fill)
{
    PangoLayout *l = text(p, label, SMALL_PX, 0, 0, 0, 0);
    PangoRectangle ink, log;
    double w;

    pango_layout_get_pixel_extents(l, &ink, &log);
    w = log.width + 2.0 * 18;
    rounded(p->cr, x + 1, y + 1, w - 2, CHIP_H - 2, (CHIP_H - 2) / 2.0);
    if (fill != NULL) {
        set(p->cr, *fill);
        cairo_fill(p->cr);
    } else {
        cairo_set_line_width(p->cr, 2);
        set(p->cr, fg);
        cairo_stroke(p->cr);
    }
    show(p, l, x + 18, y + (CHIP_H - log.height) / 2.0, fg);
    g_object_unref(l);
    return w;
}

/* Everything but the encoding, onto the ARGB32 surface of cr. */
static int
draw_card(struct pen *p, const hm_card *card, hm_card_report *rep)
{
    cairo_t *cr = p->cr;
    struct rgb primary = colour(card->primary), bg = colour(card->background);
    struct rgb dark = {0.11, 0.11, 0.13}, light = {0.97, 0.97, 0.98};
    /* The ink of ordinary text: whichever of near-black and near-white reads better on the
     * brand's background. */
    struct rgb ink = hm_color_contrast(card->background, "#1C1C21") >=
                             hm_color_contrast(card->background, "#F8F8FA")
                         ? dark
                         : light;
    struct rgb muted = mix(ink, bg, 0.38), tint = mix(bg, primary, 0.10),
               faint = mix(bg, ink, 0.07), canvas = {0.91, 0.92, 0.93};
    const double cx = MARGIN, cy = MARGIN, cw = HM_CARD_WIDTH - 2 * MARGIN,
                 ch = HM_CARD_HEIGHT - 2 * MARGIN, x0 = cx + PAD, inner = cw - 2 * PAD;
    const double nx = x0 + LOGO + HEADER_GAP, name_room = cx + cw - PAD - nx - BADGE - 12;
    const char *channel = LOOKUP(channels, card->channel);
    char line[512], who[128];
    PangoLayout *l;
    PangoRectangle ink_r, log;
    double y, bubble_h, chip_x;
    size_t i;

    set(cr, canvas);
    cairo_paint(cr);
    /* The card, with the brand's colour along its top edge. */
    cairo_save(cr);
    rounded(cr, cx, cy, cw, ch, 32);
    cairo_clip_preserve(cr);
    set(cr, bg);
    cairo_fill(cr);
    cairo_rectangle(cr, cx, cy, cw, ACCENT);
    set(cr, primary);
    cairo_fill(cr);
    cairo_restore(cr);
    rounded(cr, cx + 1, cy + 1, cw - 2, ch - 2, 31);
    cairo_set_line_width(cr, 2);
    set(cr, mix(canvas, ink, 0.15));
    cairo_stroke(cr);

    /* Header: logo, name and checkmark, level, sender line. */
    y = cy + ACCENT + PAD;
    if (draw_logo(cr, card->logo, x0, y, LOGO, primary) != 0) {
        return -1;
    }
    l = text(p, card->name, NAME_PX, 1, (int)name_room, 1, 0);
    pango_layout_get_pixel_extents(l, &ink_r, &log);
    show(p, l, nx, y + 2, ink);
    rep->name_x = (int)nx + ink_r.x;
    rep->name_y = (int)y + 2 + ink_r.y;
    rep->name_w = ink_r.width;
    rep->name_h = ink_r.height;
    draw_badge(cr, nx + log.width + 12 + BADGE / 2.0, y + 2 + log.height / 2.0, BADGE / 2.0);
    g_object_unref(l);
    l = text(p, LOOKUP(levels, card->level), SMALL_PX, 0, (int)(cw - PAD - nx + cx), 1, 0);
    show(p, l, nx, y + 56, muted);
    g_object_unref(l);
    (void)snprintf(line, sizeof line, "%s \xC2\xB7 from %s",
                   channel != NULL ? channel : card->channel, card->sender);
    l = text(p, line, SMALL_PX, 0, (int)(cw - PAD - nx + cx), 1, 0);
    show(p, l, nx, y + 86, muted);
    g_object_unref(l);

    /* Chips: the category, and who wrote it. */
    y += LOGO + 28;
    cairo_move_to(cr, x0, y);
    cairo_line_to(cr, x0 + inner, y);
    cairo_set_line_width(cr, 1.5);
    set(cr, mix(bg, ink, 0.14));
    cairo_stroke(cr);
    y += 24;
    chip_x = x0 + chip(p, LOOKUP(categories, card->category), x0, y, primary, NULL) + 12;
    if (strcmp(card->sender_kind, "human") == 0) {
        if (card->agent != NULL) {
            (void)snprintf(who, sizeof who, "Written by %s, a person", card->agent);
        } else {
            (void)snprintf(who, sizeof who, "Written by a person");
        }
    } else {
        (void)snprintf(who, sizeof who, "%s",
                       strcmp(card->sender_kind, "ai") == 0 ? "Written by AI"
                                                            : "Automated message");
    }
    (void)chip(p, who, chip_x, y, ink, &faint);

    /* The body, in a bubble tinted with the primary colour. */
    y += CHIP_H + 24;
    l = text(p, card->body, BODY_PX, 0, (int)(inner - 2 * BUBBLE_PAD), HM_CARD_BODY_LINES, 1);
    pango_layout_get_pixel_extents(l, &ink_r, &log);
    bubble_h = log.height + 2.0 * BUBBLE_PAD;
    rounded(cr, x0, y, inner, bubble_h, 24);
    set(cr, tint);
    cairo_fill(cr);
    show(p, l, x0 + BUBBLE_PAD, y + BUBBLE_PAD, ink);
    g_object_unref(l);

    /* The action buttons, two to a row, in the primary colour with the background's colour for
     * the label (their contrast is at least 4.5:1, HM-CRED-10). */
    y += bubble_h + 24;
    for (i = 0; i < card->action_count; i++) {
        double bw = card->action_count == 1 ? inner : (inner - BUTTON_GAP) / 2;
        double bx = x0 + (double)(i % 2) * (bw + BUTTON_GAP),
               by = y + (double)(i - i % 2) / 2 * (BUTTON_H + 14);
        rounded(cr, bx, by, bw, BUTTON_H, BUTTON_H / 2.0);
        set(cr, primary);
        cairo_fill(cr);
        l = text(p, card->actions[i], BUTTON_PX, 1, (int)bw - 40, 1, 0);
        pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
        pango_layout_get_pixel_extents(l, &ink_r, &log);
        show(p, l, bx + 20, by + (BUTTON_H - log.height) / 2.0, bg);
        g_object_unref(l);
    }

    /* What this picture is. */
    l = text(p, "Preview: how apps show a verified message from this brand", 17, 0, (int)inner, 1,
             0);
    show(p, l, x0, cy + ch - PAD - 22, mix(ink, bg, 0.5));
    g_object_unref(l);
    return 0;
}

hallmark_result
hm_card_render(const hm_card *card, unsigned char **png, size_t *png_len, hm_card_report *report,
               char *err, size_t err_cap)
{
    cairo_surface_t *surface = NULL;
    cairo_font_options_t *opts = NULL;
    PangoFontMap *fm = NULL;
    struct pen p;
    hm_card_report rep;
    unsigned char *rgba = NULL;
    hallmark_result rc;
    int stride, x, y;

    memset(&p, 0, sizeof p);
    memset(&rep, 0, sizeof rep);
    if (png == NULL || png_len == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *png = NULL;
    *png_len = 0;
    if ((rc = hm_card_check(card, err, err_cap)) != HALLMARK_OK) {
        return rc;
    }
    if (!brand_ok(card)) {
        hm_errorf(err, err_cap,
                  "the brand record is incomplete (name, logo, colours, level, a "
                  "sender)");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    rc = HALLMARK_ERR_INTERNAL;
    surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, HM_CARD_WIDTH, HM_CARD_HEIGHT);
    p.cr = cairo_create(surface);
    fm = pango_cairo_font_map_new();
    opts = cairo_font_options_create();
    if (cairo_status(p.cr) != CAIRO_STATUS_SUCCESS || fm == NULL ||
        cairo_font_options_status(opts) != CAIRO_STATUS_SUCCESS ||
        (p.ctx = pango_font_map_create_context(fm)) == NULL) {
        hm_errorf(err, err_cap, "cairo or pango could not start");
        goto out;
    }
    /* Grey antialiasing and no hinting: the same outlines on every screen, no subpixel colour. */
    cairo_font_options_set_antialias(opts, CAIRO_ANTIALIAS_GRAY);
    cairo_font_options_set_hint_style(opts, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(opts, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(p.ctx, opts);
    if (draw_card(&p, card, &rep) != 0 || cairo_status(p.cr) != CAIRO_STATUS_SUCCESS) {
        hm_errorf(err, err_cap, "cairo could not draw the card");
        goto out;
    }
    cairo_surface_flush(surface);
    if ((rgba = malloc((size_t)HM_CARD_WIDTH * HM_CARD_HEIGHT * 4)) == NULL) {
        rc = HALLMARK_ERR_NOMEM;
        goto out;
    }
    stride = cairo_image_surface_get_stride(surface);
    for (y = 0; y < (int)HM_CARD_HEIGHT; y++) {
        const uint32_t *row =
            (const uint32_t *)(void *)(cairo_image_surface_get_data(surface) + (size_t)y * stride);
        unsigned char *o = rgba + (size_t)y * HM_CARD_WIDTH * 4;
        for (x = 0; x < (int)HM_CARD_WIDTH; x++, o += 4) {
            uint32_t v = row[x], a = v >> 24;
            /* The canvas is painted opaque first, so a is 255; un-premultiply anyway. */
            o[0] = (unsigned char)(a == 0 ? 0 : (((v >> 16) & 0xFF) * 255 + a / 2) / a);
            o[1] = (unsigned char)(a == 0 ? 0 : (((v >> 8) & 0xFF) * 255 + a / 2) / a);
            o[2] = (unsigned char)(a == 0 ? 0 : ((v & 0xFF) * 255 + a / 2) / a);
            o[3] = (unsigned char)a;
        }
    }
    rc = hm_png_encode_rgba(rgba, HM_CARD_WIDTH, HM_CARD_HEIGHT, png, png_len);
    if (rc == HALLMARK_OK && report != NULL) {
        rep.unknown_glyphs = p.unknown;
        *report = rep;
    }
out:
    free(rgba);
    if (opts != NULL) {
        cairo_font_options_destroy(opts);
    }
    if (p.ctx != NULL) {
        g_object_unref(p.ctx);
    }
    if (fm != NULL) {
        g_object_unref(fm);
    }
    cairo_destroy(p.cr);
    cairo_surface_destroy(surface);
    return rc;
}
