/* The message card for `hallmark-keys brand preview`: what a customer's app shows for a verified
 * message of a brand, drawn before the brand is published so that its owner and the platform's
 * reviewer see the name, logo and colours as customers will: the logo, the display name with the
 * verified checkmark, the verification level, the sender line, the category, who wrote the
 * message (an automated system, a person, an AI), a sample body and the action buttons, on the
 * brand's background colour with its primary colour on the logo border, the category and the
 * buttons.
 *
 * Text is laid out by Pango (HarfBuzz shaping, bidi, line breaking) and drawn by cairo, so every
 * script a display name may use (Latin, Cyrillic, Greek, Arabic, Hebrew, CJK ...) renders as
 * apps render it, with the fonts fontconfig finds (make deps installs DejaVu Sans and WenQuanYi
 * Micro Hei). Characters no installed font covers are counted (hm_card_report.unknown_glyphs) so
 * the caller can say so instead of handing out a picture with boxes in it. The same fonts and
 * libraries give the same pixels; the size is fixed.
 *
 * Thread-safe: each call makes its own font map and surfaces. Not for apps: this room links
 * pango and cairo, libhallmark never does. */
#ifndef HM_CARD_H
#define HM_CARD_H

#include <stddef.h>

#include "hallmark.h" /* hallmark_result, HALLMARK_MAX_ACTIONS */
#include "hm_png.h"   /* hm_logo */

#define HM_CARD_WIDTH 720U
#define HM_CARD_HEIGHT 800U
#define HM_CARD_BODY_MAX 1024U /* bytes of the sample body */
#define HM_CARD_AGENT_MAX 64U  /* bytes of a person's name, as tokens allow (HM-TOKEN-15) */
#define HM_CARD_LABEL_MAX 40U  /* bytes of an action label, as tokens allow (HM-TOKEN-17) */
#define HM_CARD_BODY_LINES 6   /* a longer body is cut with an ellipsis, as apps cut it */

typedef struct hm_card {
    const hm_logo *logo;                       /* borrowed; from hm_logo_from_png */
    const char *name;                          /* the display name, UTF-8 */
    const char *primary, *background;          /* "#RRGGBB", uppercase */
    const char *level;                         /* "basic", "organization" or "trademark" */
    const char *channel, *sender;              /* the sender line, e.g. "sms" and "ACMEBANK" */
    const char *body;                          /* the sample body: UTF-8, newlines allowed */
    const char *category;                      /* transactional, otp, alert, marketing, service */
    const char *sender_kind;                   /* automated, human, ai */
    const char *agent;                         /* the person's name (human only), or NULL */
    const char *actions[HALLMARK_MAX_ACTIONS]; /* button labels */
    size_t action_count;
} hm_card;

typedef struct hm_card_report {
    int unknown_glyphs;                 /* characters drawn as boxes: no installed font has them */
    int name_x, name_y, name_w, name_h; /* where the name's ink landed, in pixels */
} hm_card_report;

/*
 * Checks what the caller chooses (body, category, sender kind, agent, action labels), with a
 * one-line reason in err named after the CLI's options ("--category: one of transactional, otp,
 * alert, marketing, service", ...). The brand's fields are checked by hm_card_render.
 * HALLMARK_OK or HALLMARK_ERR_INVALID_ARGUMENT.
 */
hallmark_result hm_card_check(const hm_card *card, char *err, size_t err_cap);

/*
 * Draws the card as a canonical HM_CARD_WIDTH x HM_CARD_HEIGHT RGBA PNG (hm_png_encode_rgba).
 * card (in, borrowed): checked first (hm_card_check, then the brand's fields: a logo from
 *   hm_logo_from_png, canonical colours, a name, a level, a sender line).
 * png, png_len (out): *png is malloc'd, the caller frees it; NULL/0 on failure.
 * report (out, may be NULL): unknown glyphs and the name's ink rectangle.
 * Returns HALLMARK_OK, HALLMARK_ERR_INVALID_ARGUMENT (with err), HALLMARK_ERR_NOMEM or
 * HALLMARK_ERR_INTERNAL (cairo or pango failed).
 */
hallmark_result hm_card_render(const hm_card *card, unsigned char **png, size_t *png_len,
                               hm_card_report *report, char *err, size_t err_cap);

#endif
