/* Brand logos for hallmark-keys (spec §5.3, [HM-CRED-6]): an uploaded PNG is checked under strict
 * limits, decoded to 8-bit RGBA and re-encoded canonically (8-bit RGBA, no interlace, only IHDR,
 * IDAT and IEND, fixed zlib settings and filter), so that the same pixels always give the same
 * bytes, hence the same logo.sha256, with a given libpng and zlib. The logo tile renders the
 * logo with the verified badge, in integer arithmetic (brand preview's message card, with its
 * text, is hm_card.h).
 *
 * Defence in depth for hostile uploads: the file's structure (signature, every chunk's type,
 * length and CRC, IHDR, the size policy) is checked before libpng sees a byte or anything is
 * allocated; then libpng decodes with its own limits (dimensions, chunk size, chunk count), a
 * memory budget, and its "benign" errors made errors. Ancillary chunks are validated by libpng
 * and then dropped: gamma, colour profiles and text do not survive; pixel values are kept as
 * stored. No global state: thread-safe. */
#ifndef HM_PNG_H
#define HM_PNG_H

#include <stddef.h>
#include <stdint.h>

#include "hallmark.h"  /* hallmark_result enum */
#include "hm_digest.h" /* HM_SHA256_B64_LEN, hm_sha256_b64url() */

#define HM_LOGO_MIN 64U /* spec §5.3: square, 64..1024 px per side */
#define HM_LOGO_MAX 1024U
#define HM_LOGO_FILE_MAX ((size_t)8 * 1024 * 1024) /* input file cap, checked before decoding */

/* Largest chunk other than IDAT, and largest inflated zTXt/iTXt/iCCP text (256 KiB). */
#define HM_LOGO_CHUNK_MAX ((size_t)256 * 1024)

/* The logo tile: a square canvas with the logo and the verified badge. */
#define HM_LOGO_PREVIEW_SIZE 320U

typedef struct hm_logo {
    unsigned char *png; /* canonical PNG bytes, malloc'd, owned */
    size_t png_len;
    unsigned char *rgba; /* width*height*4 decoded 8-bit RGBA pixels, malloc'd, owned */
    uint32_t width, height;
    char sha256[HM_SHA256_B64_LEN + 1]; /* base64url SHA-256 of png (hm_sha256_b64url) */
} hm_logo;

/*
 * Decodes an uploaded PNG under strict limits, checks it is square and 64..1024 px, and
 * re-encodes it canonically.
 *
 * data, len (in, borrowed): the file bytes; bytes after IEND are ignored.
 * out (out): on success owns png and rgba (free with hm_logo_free). On failure *out is zeroed
 *   and owns nothing.
 * err, err_cap (out, may be NULL/0): a one-line human reason on failure (e.g. "not a PNG file",
 *   "truncated PNG", "logo is 2048x2048 pixels; the largest allowed is 1024x1024", "logo must be
 *   square (300x200)", "PNG chunk too large (...)", "corrupt PNG: CRC error in IHDR"); the empty
 *   string on success. Truncated to err_cap, always NUL-terminated when err_cap > 0.
 *
 * Returns HALLMARK_OK; HALLMARK_ERR_INVALID_ARGUMENT for any unacceptable file (or out NULL, or
 * data NULL with len > 0); HALLMARK_ERR_NOMEM; HALLMARK_ERR_INTERNAL if libpng fails on pixels it
 * has just decoded (not expected). Thread-safe.
 */
hallmark_result hm_logo_from_png(const unsigned char *data, size_t len, hm_logo *out, char *err,
                                 size_t err_cap);

/* Frees what the logo owns and zeroes it; NULL allowed. */
void hm_logo_free(hm_logo *logo);

/*
 * Renders the logo tile, as a canonical HM_LOGO_PREVIEW_SIZE square PNG: the canvas in
 * the background colour; the logo scaled (bilinear, premultiplied alpha) into a centered 256 px
 * tile with rounded corners and a 3 px border in the primary colour; a 96 px verified badge at
 * the tile's bottom-right corner (a 6 px white ring around a #1A73E8 disc with a white
 * checkmark). Edges are anti-aliased by 8x8 supersampling; integer arithmetic only, so the
 * bytes are the same on every platform with the same libpng/zlib.
 *
 * logo (in, borrowed): a logo from hm_logo_from_png.
 * primary, background (in): "#RRGGBB", uppercase hexadecimal.
 * png, png_len (out): *png is malloc'd, the caller frees it; NULL/0 on failure.
 *
 * Returns HALLMARK_OK, HALLMARK_ERR_INVALID_ARGUMENT (NULL argument, bad colour, logo without
 * pixels or not square 64..1024), HALLMARK_ERR_NOMEM, HALLMARK_ERR_INTERNAL (libpng failed; not
 * expected). Thread-safe.
 */
hallmark_result hm_logo_preview(const hm_logo *logo, const char *primary, const char *background,
                                unsigned char **png, size_t *png_len);

/* The canonical PNG encoding (8-bit RGBA, IHDR/IDAT/IEND only, fixed zlib settings) of width x
 * height straight-alpha RGBA pixels, rows packed: for pictures drawn elsewhere (hm_card). *png is
 * malloc'd. HALLMARK_OK, HALLMARK_ERR_INVALID_ARGUMENT (NULL, or a side of 0 or over 4096),
 * HALLMARK_ERR_NOMEM or HALLMARK_ERR_INTERNAL. Thread-safe. */
hallmark_result hm_png_encode_rgba(const unsigned char *rgba, uint32_t width, uint32_t height,
                                   unsigned char **png, size_t *png_len);

/* Draws a sample brand logo (a tile in the primary colour "#RRGGBB" with a white "A"), 320x320,
 * canonical PNG in *png (malloc'd): for demos and tests. HALLMARK_OK,
 * HALLMARK_ERR_INVALID_ARGUMENT or HALLMARK_ERR_NOMEM. */
hallmark_result hm_logo_sample(const char *primary, unsigned char **png, size_t *png_len);

#endif
