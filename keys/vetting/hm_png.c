#include "hm_png.h"
#include "hm_errorf.h"

#include <png.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h> /* Z_DEFAULT_STRATEGY and Z_DEFLATED only: no zlib call, no link */

/* What libpng may hold at once while decoding one logo: its structs, the inflate window, row
 * buffers and one chunk of HM_LOGO_CHUNK_MAX need well under 1 MiB. A file that needs more is
 * refused rather than trusted to libpng's own accounting. */
#define DECODE_BUDGET ((size_t)4 * 1024 * 1024)
/* Encoding our own pixels: deflate at level 9 with memLevel 9 needs about 400 KiB. */
#define ENCODE_BUDGET ((size_t)16 * 1024 * 1024)
/* Text, sPLT and unknown chunks libpng keeps (each one counts, the limit included). */
#define CHUNK_CACHE_MAX 16U
/* The preview's geometry, in pixels (see hm_png.h). */
#define TILE_X0 32
#define TILE_SIZE 256
#define TILE_RADIUS 40
#define BORDER 3
#define BADGE_CX 264
#define BADGE_CY 264
#define BADGE_RADIUS 48
#define BADGE_RING 6
#define CHECK_HALF_WIDTH_16 80 /* 5 px, in 1/16 px */
/* Supersampling: SS x SS samples per pixel; geometry works in 1/16 px so that every sample
 * centre (16x + 2i + 1) is an integer. */
#define SUB 16
#define SS (SUB / 2)

static const unsigned char signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};

static uint32_t
be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* CRC-32 as PNG uses it, four bits at a time: zlib's crc32 is not ours to link (libpng links
 * it privately). */
static uint32_t
png_crc(const unsigned char *p, size_t n)
{
    static const uint32_t nibble[16] = {0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
                                        0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
                                        0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
                                        0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c};
    uint32_t crc = 0xffffffffU;
    size_t i;

    for (i = 0; i < n; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ nibble[crc & 15U];
        crc = (crc >> 4) ^ nibble[crc & 15U];
    }
    return crc ^ 0xffffffffU;
}

/* ---- structure check, before libpng sees a byte ------------------------------------------- */

/* Names what the file is when it is not a PNG: people upload JPEGs and SVGs as logos. */
static hallmark_result
check_signature(const unsigned char *data, size_t len, char *err, size_t cap)
{
    static const unsigned char png_start[4] = {137, 'P', 'N', 'G'};

    if (len == 0) {
        hm_errorf(err, cap, "empty file");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (memcmp(data, signature, len < 8 ? len : 8) == 0) {
        if (len < 8) {
            hm_errorf(err, cap, "truncated PNG: the file ends inside the signature");
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
        return HALLMARK_OK;
    }
    if (len >= 8 && memcmp(data, png_start, 4) == 0) {
        hm_errorf(err, cap,
                  "not a PNG file: the PNG signature was damaged (was the file transferred "
                  "as text?)");
    } else if (len >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff) {
        hm_errorf(err, cap, "not a PNG file (it looks like a JPEG image)");
    } else if (len >= 6 && (memcmp(data, "GIF87a", 6) == 0 || memcmp(data, "GIF89a", 6) == 0)) {
        hm_errorf(err, cap, "not a PNG file (it looks like a GIF image)");
    } else if (len >= 12 && memcmp(data, "RIFF", 4) == 0 && memcmp(data + 8, "WEBP", 4) == 0) {
        hm_errorf(err, cap, "not a PNG file (it looks like a WebP image)");
    } else if ((len >= 4 && memcmp(data, "<svg", 4) == 0) ||
               (len >= 5 && memcmp(data, "<?xml", 5) == 0)) {
        hm_errorf(err, cap, "not a PNG file (it looks like an SVG or XML file)");
    } else {
        hm_errorf(err, cap, "not a PNG file");
    }
    return HALLMARK_ERR_INVALID_ARGUMENT;
}

struct header {
    uint32_t width, height;
};

/* The 13 bytes of IHDR: PNG's rules, then the logo policy (square, 64..1024). */
static hallmark_result
check_ihdr(const unsigned char *p, struct header *hdr, char *err, size_t cap)
{
    uint32_t w = be32(p), h = be32(p + 4);
    unsigned depth = p[8], type = p[9];
    int depth_ok;

    if (w == 0 || h == 0) {
        hm_errorf(err, cap, "corrupt PNG: IHDR gives a zero width or height (%lux%lu)",
                  (unsigned long)w, (unsigned long)h);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (w > PNG_UINT_31_MAX || h > PNG_UINT_31_MAX) {
        hm_errorf(err, cap, "corrupt PNG: IHDR width or height out of range");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    switch (type) {
    case 0: /* gray */
        depth_ok = depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
        break;
    case 3: /* palette */
        depth_ok = depth == 1 || depth == 2 || depth == 4 || depth == 8;
        break;
    case 2: /* RGB */
    case 4: /* gray + alpha */
    case 6: /* RGBA */
        depth_ok = depth == 8 || depth == 16;
        break;
    default:
        hm_errorf(err, cap, "corrupt PNG: unknown colour type %u", type);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (!depth_ok) {
        hm_errorf(err, cap, "corrupt PNG: bit depth %u is not allowed for colour type %u", depth,
                  type);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (p[10] != 0) {
        hm_errorf(err, cap, "corrupt PNG: unknown compression method %u", (unsigned)p[10]);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (p[11] != 0) {
        hm_errorf(err, cap, "corrupt PNG: unknown filter method %u", (unsigned)p[11]);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (p[12] > 1) {
        hm_errorf(err, cap, "corrupt PNG: unknown interlace method %u", (unsigned)p[12]);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (w != h) {
        hm_errorf(err, cap, "logo must be square (%lux%lu)", (unsigned long)w, (unsigned long)h);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (w < HM_LOGO_MIN) {
        hm_errorf(err, cap, "logo is %lux%lu pixels; the smallest allowed is %ux%u",
                  (unsigned long)w, (unsigned long)h, HM_LOGO_MIN, HM_LOGO_MIN);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (w > HM_LOGO_MAX) {
        hm_errorf(err, cap, "logo is %lux%lu pixels; the largest allowed is %ux%u",
                  (unsigned long)w, (unsigned long)h, HM_LOGO_MAX, HM_LOGO_MAX);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    hdr->width = w;
    hdr->height = h;
    return HALLMARK_OK;
}

static png_uint_32
chunk_id(const char *name)
{
    return be32((const unsigned char *)name);
}

static int
is_type(const unsigned char *type, const char *name)
{
    return memcmp(type, name, 4) == 0;
}

/* Walks every chunk up to IEND: type letters, length limits (before anything is allocated),
 * CRCs of all chunks, IHDR first and alone, at least one IDAT. Bytes after IEND are ignored, as
 * every decoder does. */
static hallmark_result
check_structure(const unsigned char *data, size_t len, struct header *hdr, char *err, size_t cap)
{
    size_t pos = 8;
    int seen_ihdr = 0, seen_idat = 0;
    hallmark_result rc = check_signature(data, len, err, cap);

    if (rc != HALLMARK_OK) {
        return rc;
    }
    for (;;) {
        const unsigned char *type;
        char name[5];
        uint32_t length;
        size_t limit;
        int i;

        if (len - pos < 12) {
            hm_errorf(err, cap, "truncated PNG: the file ends %s",
                      pos == len ? "without an IEND chunk" : "inside a chunk header");
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
        length = be32(data + pos);
        type = data + pos + 4;
        for (i = 0; i < 4; i++) {
            if (!((type[i] >= 'A' && type[i] <= 'Z') || (type[i] >= 'a' && type[i] <= 'z'))) {
                hm_errorf(err, cap, "corrupt PNG: invalid chunk type at byte %zu", pos + 4);
                return HALLMARK_ERR_INVALID_ARGUMENT;
            }
            name[i] = (char)type[i];
        }
        name[4] = '\0';
        if (!seen_ihdr && !is_type(type, "IHDR")) {
            hm_errorf(err, cap, "corrupt PNG: the first chunk is %s, not IHDR", name);
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
        /* Bit 5 of the first letter clear: a critical chunk, which a decoder must understand. */
        if ((type[0] & 0x20) == 0 && !is_type(type, "IHDR") && !is_type(type, "PLTE") &&
            !is_type(type, "IDAT") && !is_type(type, "IEND")) {
            hm_errorf(err, cap, "corrupt PNG: unknown critical chunk %s", name);
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
        limit = is_type(type, "IDAT") ? HM_LOGO_FILE_MAX : HM_LOGO_CHUNK_MAX;
        if (length > limit) {
            hm_errorf(err, cap, "PNG chunk too large (%s chunk of %lu bytes; the limit is %zu)",
                      name, (unsigned long)length, limit);
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
        if (length > len - pos - 12) {
            hm_errorf(err, cap, "truncated PNG: the file ends inside the %s chunk", name);
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
        if (png_crc(type, (size_t)length + 4) != be32(type + 4 + length)) {
            hm_errorf(err, cap, "corrupt PNG: CRC error in %s", name);
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
        if (is_type(type, "IHDR")) {
            if (seen_ihdr) {
                hm_errorf(err, cap, "corrupt PNG: more than one IHDR");
                return HALLMARK_ERR_INVALID_ARGUMENT;
            }
            if (length != 13) {
                hm_errorf(err, cap, "corrupt PNG: IHDR is %lu bytes long, not 13",
                          (unsigned long)length);
                return HALLMARK_ERR_INVALID_ARGUMENT;
            }
            rc = check_ihdr(type + 4, hdr, err, cap);
            if (rc != HALLMARK_OK) {
                return rc;
            }
            seen_ihdr = 1;
        }
        seen_idat |= is_type(type, "IDAT");
        pos += (size_t)length + 12;
        if (is_type(type, "IEND")) {
            break;
        }
    }
    if (!seen_idat) {
        hm_errorf(err, cap, "corrupt PNG: no image data (no IDAT chunk)");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    return HALLMARK_OK;
}

/* ---- libpng plumbing ------------------------------------------------------------------------ */

/* Everything a libpng call needs and everything that must survive its longjmp: the structs live
 * here rather than in locals of the function that calls setjmp. */
struct pngio {
    png_structp png;
    png_infop info;
    const unsigned char *in; /* reading: the whole file */
    size_t in_len, in_pos;
    int truncated;
    unsigned char *out; /* writing: grows as libpng writes */
    size_t out_len, out_cap;
    size_t budget, in_use; /* bytes libpng may hold, bytes it holds */
    int over_budget, out_of_memory;
    char message[128]; /* libpng's error */
    png_uint_32 chunk; /* the chunk libpng was reading when it failed */
    int palette_len;   /* a palette image: its PLTE and tRNS as RGBA, read raw */
    unsigned char palette[256][4];
};

/* Each block carries its size so that the budget can be given back. */
union block_header {
    size_t size;
    max_align_t align;
};

static png_voidp
budget_malloc(png_structp png, png_alloc_size_t size)
{
    struct pngio *io = png_get_mem_ptr(png);
    union block_header *h;

    if (size > io->budget - io->in_use || size > SIZE_MAX - sizeof *h) {
        io->over_budget = 1;
        return NULL;
    }
    h = malloc(sizeof *h + size);
    if (h == NULL) {
        io->out_of_memory = 1;
        return NULL;
    }
    h->size = size;
    io->in_use += size;
    return h + 1;
}

static void
budget_free(png_structp png, png_voidp p)
{
    struct pngio *io = png_get_mem_ptr(png);
    union block_header *h;

    if (p == NULL) {
        return;
    }
    h = (union block_header *)p - 1;
    io->in_use -= h->size;
    free(h);
}

static void
on_error(png_structp png, png_const_charp msg)
{
    struct pngio *io = png_get_error_ptr(png);

    if (io->message[0] == '\0') {
        (void)snprintf(io->message, sizeof io->message, "%s", msg != NULL ? msg : "libpng error");
        io->chunk = png_get_io_chunk_type(png);
    }
    png_longjmp(png, 1);
}

/* Warnings are about data libpng skipped or repaired (everything it cannot use without a guess is
 * an error here, see png_set_benign_errors); they are not worth a failure, and a library never
 * prints. */
static void
on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

static void
read_bytes(png_structp png, png_bytep buf, size_t n)
{
    struct pngio *io = png_get_io_ptr(png);

    if (n > io->in_len - io->in_pos) {
        io->truncated = 1;
        png_error(png, "truncated PNG");
    }
    memcpy(buf, io->in + io->in_pos, n);
    io->in_pos += n;
}

static void
write_bytes(png_structp png, png_bytep buf, size_t n)
{
    struct pngio *io = png_get_io_ptr(png);

    if (n > io->out_cap - io->out_len) {
        size_t cap = io->out_cap == 0 ? 4096 : io->out_cap;
        unsigned char *grown;

        while (cap - io->out_len < n) {
            if (cap > SIZE_MAX / 2) {
                io->out_of_memory = 1;
                png_error(png, "out of memory");
            }
            cap *= 2;
        }
        grown = realloc(io->out, cap);
        if (grown == NULL) {
            io->out_of_memory = 1;
            png_error(png, "out of memory");
        }
        io->out = grown;
        io->out_cap = cap;
    }
    memcpy(io->out + io->out_len, buf, n);
    io->out_len += n;
}

static void
flush_nothing(png_structp png)
{
    (void)png;
}

/* Decodes io->in (already structure-checked into hdr) as 8-bit RGBA into rows. libpng's errors
 * land in io->message. */
static hallmark_result
decode(struct pngio *io, const struct header *hdr, png_bytepp rows)
{
    io->png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, io, on_error, on_warning, io,
                                       budget_malloc, budget_free);
    if (io->png == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    io->info = png_create_info_struct(io->png);
    if (io->info == NULL) {
        png_destroy_read_struct(&io->png, NULL, NULL);
        return HALLMARK_ERR_NOMEM;
    }
    if (setjmp(png_jmpbuf(io->png)) != 0) {
        png_destroy_read_struct(&io->png, &io->info, NULL);
        return io->out_of_memory ? HALLMARK_ERR_NOMEM : HALLMARK_ERR_INVALID_ARGUMENT;
    }
    png_set_read_fn(io->png, io, read_bytes);
    png_set_user_limits(io->png, HM_LOGO_MAX, HM_LOGO_MAX);
    png_set_chunk_malloc_max(io->png, HM_LOGO_CHUNK_MAX);
    png_set_chunk_cache_max(io->png, CHUNK_CACHE_MAX);
    /* Strict: extra image data, a text chunk that inflates past the chunk limit, a bad tRNS...
     * refuse the file instead of being repaired with a warning. */
    png_set_benign_errors(io->png, 0);
    png_set_crc_action(io->png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
    /* We keep no colour profile, so an old profile that misdescribes sRGB is no reason to refuse
     * a logo. */
    (void)png_set_option(io->png, PNG_SKIP_sRGB_CHECK_PROFILE, PNG_OPTION_ON);
    png_read_info(io->png, io->info);
    if (png_get_image_width(io->png, io->info) != hdr->width ||
        png_get_image_height(io->png, io->info) != hdr->height) {
        png_error(io->png, "IHDR read differently");
    }
    if (png_get_color_type(io->png, io->info) == PNG_COLOR_TYPE_PALETTE) {
        /* Indices are read raw, one per byte, and mapped by expand_palette: libpng 1.6.39 turns
         * an index beyond the palette into opaque black without a word, we refuse it. */
        png_colorp plte = NULL;
        png_bytep trns = NULL;
        int n = 0, n_trns = 0, i;

        if (png_get_PLTE(io->png, io->info, &plte, &n) == 0 || n < 1 || n > 256) {
            png_error(io->png, "palette image without a PLTE chunk");
        }
        if (png_get_tRNS(io->png, io->info, &trns, &n_trns, NULL) == 0) {
            n_trns = 0;
        }
        for (i = 0; i < n; i++) {
            io->palette[i][0] = plte[i].red;
            io->palette[i][1] = plte[i].green;
            io->palette[i][2] = plte[i].blue;
            io->palette[i][3] = i < n_trns ? trns[i] : 0xff;
        }
        io->palette_len = n;
        png_set_packing(io->png);
    } else {
        png_set_expand(io->png); /* gray below 8 bits to 8, tRNS to alpha */
        png_set_strip_16(io->png);
        png_set_gray_to_rgb(io->png);
        png_set_add_alpha(io->png, 0xff, PNG_FILLER_AFTER); /* only where there is no alpha yet */
    }
    (void)png_set_interlace_handling(io->png);
    png_read_update_info(io->png, io->info);
    if (png_get_bit_depth(io->png, io->info) != 8 ||
        png_get_rowbytes(io->png, io->info) != (size_t)hdr->width * (io->palette_len > 0 ? 1 : 4)) {
        png_error(io->png, "libpng did not produce 8-bit samples");
    }
    png_read_image(io->png, rows);
    png_read_end(io->png, NULL);
    png_destroy_read_struct(&io->png, &io->info, NULL);
    return HALLMARK_OK;
}

/* Turns the rows of palette indices decode left at the start of each RGBA row into RGBA, in
 * place (from the right, so that no index is overwritten before it is read), once every index is
 * known to be in the palette. */
static hallmark_result
expand_palette(const struct pngio *io, unsigned char *rgba, const struct header *hdr, char *err,
               size_t cap)
{
    uint32_t x, y;

    for (y = 0; y < hdr->height; y++) {
        const unsigned char *row = rgba + (size_t)y * hdr->width * 4;

        for (x = 0; x < hdr->width; x++) {
            if (row[x] >= io->palette_len) {
                hm_errorf(err, cap,
                          "corrupt PNG: palette index %u at (%lu, %lu); the palette has %d %s",
                          (unsigned)row[x], (unsigned long)x, (unsigned long)y, io->palette_len,
                          io->palette_len == 1 ? "entry" : "entries");
                return HALLMARK_ERR_INVALID_ARGUMENT;
            }
        }
    }
    for (y = 0; y < hdr->height; y++) {
        unsigned char *row = rgba + (size_t)y * hdr->width * 4;

        for (x = hdr->width; x-- > 0;) {
            memcpy(row + (size_t)x * 4, io->palette[row[x]], 4);
        }
    }
    return HALLMARK_OK;
}

/* The canonical encoding: 8-bit RGBA, no interlace, IHDR + IDAT + IEND only, zlib level 9,
 * memLevel 9, 32 KiB window, default strategy, the Paeth filter on every row (the best single
 * filter on our corpus, and gradients stay small), 8 KiB IDAT chunks. Nothing depends on the
 * input's encoding, only on its pixels. The bytes land in io->out, which the caller frees. */
static hallmark_result
write_canonical(struct pngio *io, const unsigned char *rgba, uint32_t width, uint32_t height)
{
    uint32_t y;

    io->png = png_create_write_struct_2(PNG_LIBPNG_VER_STRING, io, on_error, on_warning, io,
                                        budget_malloc, budget_free);
    if (io->png == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    io->info = png_create_info_struct(io->png);
    if (io->info == NULL) {
        png_destroy_write_struct(&io->png, NULL);
        return HALLMARK_ERR_NOMEM;
    }
    if (setjmp(png_jmpbuf(io->png)) != 0) {
        png_destroy_write_struct(&io->png, &io->info);
        return io->out_of_memory ? HALLMARK_ERR_NOMEM : HALLMARK_ERR_INTERNAL;
    }
    png_set_write_fn(io->png, io, write_bytes, flush_nothing);
    png_set_IHDR(io->png, io->info, width, height, 8, PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(io->png, 9);
    png_set_compression_mem_level(io->png, 9);
    png_set_compression_window_bits(io->png, 15);
    png_set_compression_method(io->png, Z_DEFLATED);
    png_set_compression_strategy(io->png, Z_DEFAULT_STRATEGY);
    png_set_compression_buffer_size(io->png, 8192);
    png_set_filter(io->png, PNG_FILTER_TYPE_BASE, PNG_FILTER_PAETH);
    png_write_info(io->png, io->info);
    for (y = 0; y < height; y++) {
        png_write_row(io->png, rgba + (size_t)y * width * 4);
    }
    png_write_end(io->png, NULL);
    png_destroy_write_struct(&io->png, &io->info);
    return HALLMARK_OK;
}

/* The canonical PNG of width x height RGBA pixels into *png (malloc'd) and *png_len. */
static hallmark_result
encode(const unsigned char *rgba, uint32_t width, uint32_t height, unsigned char **png,
       size_t *png_len)
{
    struct pngio io;
    hallmark_result rc;

    memset(&io, 0, sizeof io);
    io.budget = ENCODE_BUDGET;
    rc = write_canonical(&io, rgba, width, height);
    if (rc != HALLMARK_OK) {
        free(io.out);
        *png = NULL;
        *png_len = 0;
        return rc;
    }
    *png = io.out;
    *png_len = io.out_len;
    return HALLMARK_OK;
}

/* ---- the public calls ------------------------------------------------------------------------ */

hallmark_result
hm_png_encode_rgba(const unsigned char *rgba, uint32_t width, uint32_t height, unsigned char **png,
                   size_t *png_len)
{
    if (png == NULL || png_len == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *png = NULL;
    *png_len = 0;
    if (rgba == NULL || width == 0 || height == 0 || width > 4096 || height > 4096) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    return encode(rgba, width, height, png, png_len);
}

hallmark_result
hm_logo_from_png(const unsigned char *data, size_t len, hm_logo *out, char *err, size_t err_cap)
{
    struct header hdr = {0, 0};
    struct pngio io;
    unsigned char *rgba = NULL;
    png_bytepp rows = NULL;
    hallmark_result rc;
    uint32_t y;

    hm_errorf(err, err_cap, "%s", "");
    if (out == NULL || (data == NULL && len > 0)) {
        hm_errorf(err, err_cap, "no logo data");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    memset(out, 0, sizeof *out);
    if (len > HM_LOGO_FILE_MAX) {
        hm_errorf(err, err_cap, "PNG file too large (%zu bytes; the largest allowed is %zu)", len,
                  HM_LOGO_FILE_MAX);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    rc = check_structure(data, len, &hdr, err, err_cap);
    if (rc != HALLMARK_OK) {
        return rc;
    }
    rgba = malloc((size_t)hdr.width * hdr.height * 4);
    rows = malloc(hdr.height * sizeof *rows);
    if (rgba == NULL || rows == NULL) {
        rc = HALLMARK_ERR_NOMEM;
        goto out;
    }
    for (y = 0; y < hdr.height; y++) {
        rows[y] = rgba + (size_t)y * hdr.width * 4;
    }
    memset(&io, 0, sizeof io);
    io.in = data;
    io.in_len = len;
    io.budget = DECODE_BUDGET;
    rc = decode(&io, &hdr, rows);
    if (rc == HALLMARK_ERR_INVALID_ARGUMENT) {
        if (io.over_budget) {
            hm_errorf(err, err_cap, "PNG needs too much memory to decode (%s)", io.message);
        } else if (io.truncated) {
            hm_errorf(err, err_cap, "truncated PNG");
        } else if ((io.chunk == chunk_id("zTXt") || io.chunk == chunk_id("iTXt") ||
                    io.chunk == chunk_id("iCCP")) &&
                   strstr(io.message, "truncated") != NULL) {
            /* zlib says "truncated" both when the stream is cut short and when libpng stops it
             * at the chunk limit: a decompression bomb. */
            char name[5];

            name[0] = (char)(io.chunk >> 24);
            name[1] = (char)(io.chunk >> 16 & 0xff);
            name[2] = (char)(io.chunk >> 8 & 0xff);
            name[3] = (char)(io.chunk & 0xff);
            name[4] = '\0';
            hm_errorf(
                err, err_cap,
                "corrupt PNG: the compressed %s chunk is cut short or inflates beyond %zu bytes",
                name, HM_LOGO_CHUNK_MAX);
        } else {
            hm_errorf(err, err_cap, "corrupt PNG: %s", io.message);
        }
        goto out;
    }
    if (rc == HALLMARK_OK && io.palette_len > 0) {
        rc = expand_palette(&io, rgba, &hdr, err, err_cap);
    }
    if (rc != HALLMARK_OK) {
        goto out;
    }
    rc = encode(rgba, hdr.width, hdr.height, &out->png, &out->png_len);
    if (rc != HALLMARK_OK) {
        goto out;
    }
    rc = hm_sha256_b64url(out->sha256, out->png, out->png_len);
    if (rc != HALLMARK_OK) {
        goto out;
    }
    out->rgba = rgba;
    rgba = NULL;
    out->width = hdr.width;
    out->height = hdr.height;
out:
    free(rows);
    free(rgba);
    if (rc != HALLMARK_OK) {
        hm_logo_free(out);
        if (rc == HALLMARK_ERR_NOMEM) {
            hm_errorf(err, err_cap, "out of memory");
        } else if (rc == HALLMARK_ERR_INTERNAL) {
            hm_errorf(err, err_cap, "internal error while encoding the logo");
        }
    }
    return rc;
}

void
hm_logo_free(hm_logo *logo)
{
    if (logo == NULL) {
        return;
    }
    free(logo->png);
    free(logo->rgba);
    memset(logo, 0, sizeof *logo);
}

/* ---- the preview ------------------------------------------------------------------------- */

static int
parse_colour(const char *s, unsigned char rgb[3])
{
    int i;

    if (s == NULL || s[0] != '#') {
        return 0;
    }
    memset(rgb, 0, 3);
    for (i = 0; i < 6; i++) {
        char c = s[1 + i];
        int v;

        if (c >= '0' && c <= '9') {
            v = c - '0';
        } else if (c >= 'A' && c <= 'F') {
            v = c - 'A' + 10;
        } else {
            return 0;
        }
        rgb[i / 2] = (unsigned char)(rgb[i / 2] * 16 + v);
    }
    return s[7] == '\0';
}

/* A shape is the set of points within radius of one or two primitives, each an axis-aligned box
 * (a point, for a disc) or a segment; that covers the rounded tile, the discs and the two strokes
 * of the checkmark. Coordinates in 1/16 px. */
struct primitive {
    long long ax, ay, bx, by;
    int segment; /* 0: the box [ax, bx] x [ay, by]; 1: the segment a-b */
};

struct shape {
    struct primitive part[2];
    int parts;
    long long radius;
};

/* 1 when (x, y) is within r of the primitive. */
static int
within(const struct primitive *p, long long x, long long y, long long r)
{
    long long dx, dy, px, py, dot, len2, cross;

    if (r < 0) {
        return 0;
    }
    if (!p->segment) {
        dx = x < p->ax ? p->ax - x : x > p->bx ? x - p->bx : 0;
        dy = y < p->ay ? p->ay - y : y > p->by ? y - p->by : 0;
        return dx * dx + dy * dy <= r * r;
    }
    dx = p->bx - p->ax;
    dy = p->by - p->ay;
    px = x - p->ax;
    py = y - p->ay;
    dot = px * dx + py * dy;
    len2 = dx * dx + dy * dy;
    if (dot <= 0 || len2 == 0) {
        return px * px + py * py <= r * r;
    }
    if (dot >= len2) {
        return (x - p->bx) * (x - p->bx) + (y - p->by) * (y - p->by) <= r * r;
    }
    cross = px * dy - py * dx;
    return cross * cross <= r * r * len2;
}

static int
shape_within(const struct shape *s, long long x, long long y, long long r)
{
    int i;

    for (i = 0; i < s->parts; i++) {
        if (within(&s->part[i], x, y, r)) {
            return 1;
        }
    }
    return 0;
}

/* How much of pixel (x, y) the shape covers, 0..SS*SS. The distance to a primitive changes no
 * faster than the distance travelled, so a centre further than 0.75 px (more than half the
 * pixel's diagonal) inside or outside the edge decides the whole pixel without sampling. */
static unsigned
coverage(const struct shape *s, int x, int y)
{
    long long left = (long long)x * SUB, top = (long long)y * SUB, i, j;
    unsigned n = 0;

    if (shape_within(s, left + SUB / 2, top + SUB / 2, s->radius - 12)) {
        return SS * SS;
    }
    if (!shape_within(s, left + SUB / 2, top + SUB / 2, s->radius + 12)) {
        return 0;
    }
    for (j = 1; j < SUB; j += 2) {
        for (i = 1; i < SUB; i += 2) {
            n += (unsigned)shape_within(s, left + i, top + j, s->radius);
        }
    }
    return n;
}

static struct shape
rounded_square(int x0, int size, int radius)
{
    struct shape s;

    memset(&s, 0, sizeof s);
    s.parts = 1;
    s.part[0].ax = s.part[0].ay = (long long)(x0 + radius) * SUB;
    s.part[0].bx = s.part[0].by = (long long)(x0 + size - radius) * SUB;
    s.radius = (long long)radius * SUB;
    return s;
}

static struct shape
disc(int cx, int cy, int radius)
{
    struct shape s;

    memset(&s, 0, sizeof s);
    s.parts = 1;
    s.part[0].ax = s.part[0].bx = (long long)cx * SUB;
    s.part[0].ay = s.part[0].by = (long long)cy * SUB;
    s.radius = (long long)radius * SUB;
    return s;
}

/* The segment (ax, ay)-(bx, by), in pixels. */
static struct primitive
segment(int ax, int ay, int bx, int by)
{
    struct primitive p;

    p.ax = (long long)ax * SUB;
    p.ay = (long long)ay * SUB;
    p.bx = (long long)bx * SUB;
    p.by = (long long)by * SUB;
    p.segment = 1;
    return p;
}

/* Paints colour over the canvas where the shape is, blending its edge by coverage. */
static void
paint(unsigned char *canvas, const struct shape *s, const unsigned char rgb[3], int x0, int y0,
      int x1, int y1)
{
    int x, y, k;

    for (y = y0; y < y1; y++) {
        for (x = x0; x < x1; x++) {
            unsigned c = coverage(s, x, y);
            unsigned char *d = canvas + ((size_t)y * HM_LOGO_PREVIEW_SIZE + (size_t)x) * 4;

            if (c == 0) {
                continue;
            }
            for (k = 0; k < 3; k++) {
                d[k] =
                    (unsigned char)((rgb[k] * c + d[k] * (SS * SS - c) + SS * SS / 2) / (SS * SS));
            }
        }
    }
}

/* Source coordinate of tile pixel u, in 1/256 source pixels, for bilinear sampling of a logo of
 * side n drawn TILE_SIZE wide: (u + 0.5) * n / TILE_SIZE - 0.5, clamped to the image. */
static void
sample_at(int u, uint32_t n, uint32_t *i0, uint32_t *i1, uint32_t *frac)
{
    long long s = ((2LL * u + 1) * n * 256 / TILE_SIZE) / 2 - 128;

    if (s < 0) {
        s = 0;
    }
    if (s > (long long)(n - 1) * 256) {
        s = (long long)(n - 1) * 256;
    }
    *i0 = (uint32_t)(s >> 8);
    *frac = (uint32_t)(s & 255);
    *i1 = *i0 + 1 < n ? *i0 + 1 : *i0;
}

/* Draws the logo into the rounded tile: bilinear filtering of premultiplied colour (so that
 * transparent pixels do not darken the edges), composited over the canvas. */
static void
draw_logo(unsigned char *canvas, const hm_logo *logo, const struct shape *tile)
{
    /* Weights sum to 256 * 256, alpha is out of 255, coverage out of SS * SS. */
    const uint64_t whole = (uint64_t)65536 * 255 * SS * SS;
    uint32_t n = logo->width;
    int u, v, k;

    for (v = 0; v < TILE_SIZE; v++) {
        uint32_t y0, y1, fy;

        sample_at(v, n, &y0, &y1, &fy);
        for (u = 0; u < TILE_SIZE; u++) {
            int x = TILE_X0 + u, y = TILE_X0 + v;
            unsigned m = coverage(tile, x, y);
            unsigned char *d = canvas + ((size_t)y * HM_LOGO_PREVIEW_SIZE + (size_t)x) * 4;
            const unsigned char *p[4];
            uint64_t w[4], colour[3] = {0, 0, 0}, alpha = 0;
            uint32_t x0, x1, fx;
            int i;

            if (m == 0) {
                continue;
            }
            sample_at(u, n, &x0, &x1, &fx);
            p[0] = logo->rgba + ((size_t)y0 * n + x0) * 4;
            p[1] = logo->rgba + ((size_t)y0 * n + x1) * 4;
            p[2] = logo->rgba + ((size_t)y1 * n + x0) * 4;
            p[3] = logo->rgba + ((size_t)y1 * n + x1) * 4;
            w[0] = (uint64_t)(256 - fx) * (256 - fy);
            w[1] = (uint64_t)fx * (256 - fy);
            w[2] = (uint64_t)(256 - fx) * fy;
            w[3] = (uint64_t)fx * fy;
            for (i = 0; i < 4; i++) {
                alpha += w[i] * p[i][3];
                for (k = 0; k < 3; k++) {
                    colour[k] += w[i] * p[i][k] * p[i][3];
                }
            }
            for (k = 0; k < 3; k++) {
                d[k] = (unsigned char)((colour[k] * m + d[k] * (whole - alpha * m) + whole / 2) /
                                       whole);
            }
        }
    }
}

hallmark_result
hm_logo_preview(const hm_logo *logo, const char *primary, const char *background,
                unsigned char **png, size_t *png_len)
{
    static const unsigned char white[3] = {255, 255, 255}, blue[3] = {0x1a, 0x73, 0xe8};
    const int size = (int)HM_LOGO_PREVIEW_SIZE;
    unsigned char fg[3], bg[3], *canvas;
    struct shape frame, tile, ring, badge, check;
    size_t i;
    hallmark_result rc;

    if (png != NULL) {
        *png = NULL;
    }
    if (png_len != NULL) {
        *png_len = 0;
    }
    if (logo == NULL || logo->rgba == NULL || png == NULL || png_len == NULL ||
        logo->width != logo->height || logo->width < HM_LOGO_MIN || logo->width > HM_LOGO_MAX ||
        !parse_colour(primary, fg) || !parse_colour(background, bg)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    canvas = malloc((size_t)size * size * 4);
    if (canvas == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    for (i = 0; i < (size_t)size * size; i++) {
        memcpy(canvas + i * 4, bg, 3);
        canvas[i * 4 + 3] = 255;
    }
    /* The frame in the primary colour, refilled with the background inside, then the logo. */
    frame = rounded_square(TILE_X0 - BORDER, TILE_SIZE + 2 * BORDER, TILE_RADIUS + BORDER);
    tile = rounded_square(TILE_X0, TILE_SIZE, TILE_RADIUS);
    paint(canvas, &frame, fg, TILE_X0 - BORDER, TILE_X0 - BORDER, TILE_X0 + TILE_SIZE + BORDER,
          TILE_X0 + TILE_SIZE + BORDER);
    paint(canvas, &tile, bg, TILE_X0, TILE_X0, TILE_X0 + TILE_SIZE, TILE_X0 + TILE_SIZE);
    draw_logo(canvas, logo, &tile);
    /* The badge: white ring, blue disc, white checkmark (two round-capped strokes). */
    ring = disc(BADGE_CX, BADGE_CY, BADGE_RADIUS);
    badge = disc(BADGE_CX, BADGE_CY, BADGE_RADIUS - BADGE_RING);
    memset(&check, 0, sizeof check);
    check.parts = 2;
    check.part[0] = segment(BADGE_CX - 19, BADGE_CY + 1, BADGE_CX - 6, BADGE_CY + 14);
    check.part[1] = segment(BADGE_CX - 6, BADGE_CY + 14, BADGE_CX + 20, BADGE_CY - 13);
    check.radius = CHECK_HALF_WIDTH_16;
    paint(canvas, &ring, white, BADGE_CX - BADGE_RADIUS - 1, BADGE_CY - BADGE_RADIUS - 1,
          BADGE_CX + BADGE_RADIUS + 1, BADGE_CY + BADGE_RADIUS + 1);
    paint(canvas, &badge, blue, BADGE_CX - BADGE_RADIUS, BADGE_CY - BADGE_RADIUS,
          BADGE_CX + BADGE_RADIUS, BADGE_CY + BADGE_RADIUS);
    paint(canvas, &check, white, BADGE_CX - BADGE_RADIUS, BADGE_CY - BADGE_RADIUS,
          BADGE_CX + BADGE_RADIUS, BADGE_CY + BADGE_RADIUS);
    rc = encode(canvas, HM_LOGO_PREVIEW_SIZE, HM_LOGO_PREVIEW_SIZE, png, png_len);
    free(canvas);
    return rc;
}

hallmark_result
hm_logo_sample(const char *primary, unsigned char **png, size_t *png_len)
{
    static const unsigned char white[3] = {255, 255, 255};
    const int size = (int)HM_LOGO_PREVIEW_SIZE;
    unsigned char fg[3], *canvas;
    struct shape tile, strokes, bar;
    size_t i;
    hallmark_result rc;

    if (png == NULL || png_len == NULL || !parse_colour(primary, fg)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if ((canvas = malloc((size_t)size * size * 4)) == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    for (i = 0; i < (size_t)size * size; i++) {
        memcpy(canvas + i * 4, white, 3);
        canvas[i * 4 + 3] = 255;
    }
    /* A tile in the brand colour with a white "A": two strokes and a bar. */
    tile = rounded_square(16, size - 32, 56);
    memset(&strokes, 0, sizeof strokes);
    strokes.parts = 2;
    strokes.part[0] = segment(size / 2, 78, 100, 246);
    strokes.part[1] = segment(size / 2, 78, size - 100, 246);
    strokes.radius = (long long)SUB * 15;
    memset(&bar, 0, sizeof bar);
    bar.parts = 1;
    bar.part[0] = segment(128, 190, size - 128, 190);
    bar.radius = (long long)SUB * 13;
    paint(canvas, &tile, fg, 0, 0, size, size);
    paint(canvas, &strokes, white, 0, 0, size, size);
    paint(canvas, &bar, white, 0, 0, size, size);
    rc = encode(canvas, HM_LOGO_PREVIEW_SIZE, HM_LOGO_PREVIEW_SIZE, png, png_len);
    free(canvas);
    return rc;
}
