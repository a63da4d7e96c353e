#!/usr/bin/env python3
"""Writes the logo test corpus for hm_png (tests/unit/test_logo.c).

good/  files hm_logo_from_png must accept, one per colour type, bit depth and layout worth
       covering (palette + tRNS, 1/2/8/16-bit, interlaced, ancillary chunks, trailing bytes).
bad/   one crafted defect per file, named after it; bad/EXPECTED.txt pairs each file with a
       substring of the error message the unit tests expect.

Deterministic: no clock, no randomness, stdlib only. Run it from anywhere; the generated files
are kept in the repository, so rerun it only when the corpus changes:

    python3 tests/data/logos/make_logos.py
"""

import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
GOOD = os.path.join(HERE, "good")
BAD = os.path.join(HERE, "bad")

SIGNATURE = b"\x89PNG\r\n\x1a\n"


# ---- PNG building blocks --------------------------------------------------------------------

def chunk(kind, data, crc=None):
    """One chunk; crc overrides the correct CRC (to craft a CRC error)."""
    if crc is None:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def ihdr(width, height, depth, color_type, interlace=0, compression=0, filter_method=0):
    return chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color_type,
                                      compression, filter_method, interlace))


IEND = chunk(b"IEND", b"")

CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def pack_row(samples, depth):
    """Packs one row of integer samples at the given bit depth (1, 2, 4, 8 or 16)."""
    if depth == 8:
        return bytes(samples)
    if depth == 16:
        return b"".join(struct.pack(">H", s) for s in samples)
    out = bytearray()
    per_byte = 8 // depth
    for i in range(0, len(samples), per_byte):
        byte = 0
        group = samples[i:i + per_byte]
        for j, s in enumerate(group):
            byte |= s << (8 - depth * (j + 1))
        out.append(byte)
    return bytes(out)


def bytes_per_pixel(depth, color_type):
    return max(1, CHANNELS[color_type] * depth // 8)


def filter_rows(rows, bpp, kind):
    """Applies one PNG filter type (0 None, 1 Sub, 2 Up) to every packed row."""
    out = bytearray()
    prev = bytes(len(rows[0])) if rows else b""
    for row in rows:
        out.append(kind)
        if kind == 0:
            out += row
        elif kind == 1:
            out += bytes((row[i] - (row[i - bpp] if i >= bpp else 0)) & 0xFF
                         for i in range(len(row)))
        elif kind == 2:
            out += bytes((row[i] - prev[i]) & 0xFF for i in range(len(row)))
        else:
            raise ValueError(kind)
        prev = row
    return bytes(out)


def scanlines(pixels, width, height, depth, color_type, interlace=0, kind=0):
    """pixels(x, y) -> tuple of samples. Returns the filtered, uncompressed image data."""
    bpp = bytes_per_pixel(depth, color_type)
    if interlace == 0:
        passes = [(0, 0, 1, 1)]
    else:  # Adam7: (x start, y start, x step, y step)
        passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4),
                  (1, 0, 2, 2), (0, 1, 1, 2)]
    data = bytearray()
    for x0, y0, dx, dy in passes:
        xs = range(x0, width, dx)
        ys = range(y0, height, dy)
        if len(xs) == 0 or len(ys) == 0:
            continue
        rows = []
        for y in ys:
            samples = []
            for x in xs:
                samples.extend(pixels(x, y))
            rows.append(pack_row(samples, depth))
        data += filter_rows(rows, bpp, kind)
    return bytes(data)


def png(width, height, depth, color_type, pixels, interlace=0, kind=0, before_idat=(),
        after_idat=(), idat_split=None):
    raw = scanlines(pixels, width, height, depth, color_type, interlace, kind)
    z = zlib.compress(raw, 9)
    if idat_split:
        idats = b"".join(chunk(b"IDAT", z[i:i + idat_split])
                         for i in range(0, len(z), idat_split))
    else:
        idats = chunk(b"IDAT", z)
    return (SIGNATURE + ihdr(width, height, depth, color_type, interlace)
            + b"".join(before_idat) + idats + b"".join(after_idat) + IEND)


# ---- shapes (integer geometry, so the pixels never depend on float rounding) ---------------

def in_rounded_square(x, y, x0, y0, x1, y1, r):
    """Pixel (x, y) inside the square [x0, x1) x [y0, y1) with corners of radius r."""
    if x < x0 or x >= x1 or y < y0 or y >= y1:
        return False
    cx = min(max(x, x0 + r), x1 - 1 - r)
    cy = min(max(y, y0 + r), y1 - 1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def near_segment(x, y, ax, ay, bx, by, half_width):
    """Pixel (x, y) within half_width of the segment (ax, ay)-(bx, by)."""
    dx, dy = bx - ax, by - ay
    px, py = x - ax, y - ay
    dot = px * dx + py * dy
    len2 = dx * dx + dy * dy
    if dot <= 0:
        return px * px + py * py <= half_width * half_width
    if dot >= len2:
        qx, qy = x - bx, y - by
        return qx * qx + qy * qy <= half_width * half_width
    cross = px * dy - py * dx
    return cross * cross <= half_width * half_width * len2


# ---- the good set ---------------------------------------------------------------------------

def brand_256_rgba():
    """The brand logo: a blue rounded square carrying a white "A"."""
    def px(x, y):
        if not in_rounded_square(x, y, 16, 16, 240, 240, 40):
            return (0, 0, 0, 0)
        if (near_segment(x, y, 128, 56, 76, 200, 14) or near_segment(x, y, 128, 56, 180, 200, 14)
                or (146 <= y <= 166 and 90 <= x <= 166)):
            return (255, 255, 255, 255)
        return (26, 86, 219, 255)
    return png(256, 256, 8, 6, px)


def palette_64_trns():
    """4-bit palette; entry 0 fully transparent, entry 1 half transparent."""
    plte = chunk(b"PLTE", bytes([0, 0, 0, 200, 30, 30, 30, 120, 200, 250, 250, 250,
                                 20, 160, 60]))
    trns = chunk(b"tRNS", bytes([0, 128]))

    def px(x, y):
        if not in_rounded_square(x, y, 4, 4, 60, 60, 10):
            return (0,)
        if near_segment(x, y, 16, 32, 48, 32, 5):
            return (3,)
        if in_rounded_square(x, y, 12, 12, 52, 52, 6):
            return (2,)
        return (1 if (x // 8 + y // 8) % 2 else 4,)
    return png(64, 64, 4, 3, px, before_idat=[plte, trns])


def gray_1024():
    """8-bit gray at the largest allowed size: flat areas keep the file small."""
    def px(x, y):
        d2 = (x - 512) ** 2 + (y - 512) ** 2
        if d2 <= 300 * 300:
            return (40,)
        if 100 <= y < 160:
            return (128,)
        return (230,)
    return png(1024, 1024, 8, 0, px)


def rgb16_128():
    """16-bit RGB gradients whose low bytes differ from their high bytes (strip_16 matters)."""
    def px(x, y):
        return (x * 512 + 0x34, y * 512 + 0xC1, (x + y) * 256 + 0x07)
    return png(128, 128, 16, 2, px, kind=1)


def stripes_96(x, y):
    """RGB pattern shared by the interlaced and non-interlaced 96x96 files; magenta is the
    tRNS key colour, so those pixels read back transparent."""
    if (x - 48) ** 2 + (y - 48) ** 2 <= 20 * 20:
        return (255, 0, 255)
    if ((x + y) // 12) % 2:
        return (240, 180, 20)
    return (10, 40 + (x // 8) * 8, 90 + (y // 8) * 8)


def interlaced_96():
    trns = chunk(b"tRNS", struct.pack(">HHH", 255, 0, 255))
    return png(96, 96, 8, 2, stripes_96, interlace=1, before_idat=[trns])


def plain_96():
    trns = chunk(b"tRNS", struct.pack(">HHH", 255, 0, 255))
    return png(96, 96, 8, 2, stripes_96, before_idat=[trns], idat_split=700)


def ancillary_200():
    """Gray + alpha carrying text, gamma, physical size and time chunks, before and after the
    image data: re-encoding must drop them all."""
    before = [
        chunk(b"gAMA", struct.pack(">I", 45455)),
        chunk(b"pHYs", struct.pack(">IIB", 11811, 11811, 1)),
        chunk(b"tEXt", b"Title\x00Acme brand logo"),
        chunk(b"zTXt", b"Description\x00\x00" + zlib.compress(b"The Acme logo, " * 20, 9)),
        chunk(b"iTXt", b"Author\x00\x00\x00en\x00Auteur\x00Acme Design"),
    ]
    after = [
        chunk(b"tIME", struct.pack(">HBBBBB", 2025, 1, 2, 3, 4, 5)),
        chunk(b"tEXt", b"Comment\x00written after IDAT"),
    ]

    def px(x, y):
        if in_rounded_square(x, y, 20, 20, 180, 180, 30):
            return (60 + (x // 20) * 10, 255)
        return (0, 0)
    return png(200, 200, 8, 4, px, before_idat=before, after_idat=after)


def trailing_bytes_64():
    def px(x, y):
        return (200, 30, 30) if in_rounded_square(x, y, 8, 8, 56, 56, 12) else (255, 255, 255)
    return png(64, 64, 8, 2, px) + b"junk after IEND: ignored by decoders\n"


def gray2_trns_80():
    """2-bit gray with a tRNS key: level 3 reads back transparent."""
    trns = chunk(b"tRNS", struct.pack(">H", 3))

    def px(x, y):
        return ((x // 20 + y // 20) % 4,)
    return png(80, 80, 2, 0, px, before_idat=[trns])


def gray1_128():
    def px(x, y):
        return (1 if near_segment(x, y, 20, 20, 108, 108, 10) else 0,)
    return png(128, 128, 1, 0, px)


def rgba16_64():
    def px(x, y):
        return (x * 1000, 65535 - y * 1000, 0x1234, (x + y) * 500)
    return png(64, 64, 16, 6, px, kind=1)


# ---- the bad set ----------------------------------------------------------------------------

def small_gray(width, height, **kw):
    return png(width, height, 8, 0, lambda x, y: (128,), **kw)


def splice(data, offset, replacement):
    return data[:offset] + replacement + data[offset + len(replacement):]


def bad_files():
    base = small_gray(64, 64)
    idat_at = base.index(b"IDAT") - 4
    idat_len = struct.unpack(">I", base[idat_at:idat_at + 4])[0]
    ihdr_chunk = ihdr(64, 64, 8, 0)
    rows = scanlines(lambda x, y: (128,), 64, 64, 8, 0)
    files = []

    def add(name, data, expected):
        files.append((name, data, expected))

    add("not-png.png", b"This is a text file, not an image.\n", "not a PNG file")
    add("empty.png", b"", "empty file")
    add("signature-only.png", SIGNATURE, "truncated PNG")
    add("truncated-idat.png", base[:idat_at + 8 + idat_len // 2], "truncated PNG")
    add("no-iend.png", base[:-len(IEND)], "truncated PNG")
    add("bad-crc-ihdr.png", splice(base, 8 + 8 + 13, b"\xde\xad\xbe\xef"),
        "corrupt PNG: CRC error in IHDR")
    add("bad-crc-idat.png", splice(base, idat_at + 8 + idat_len, b"\x00\x00\x00\x00"),
        "corrupt PNG: CRC error in IDAT")
    add("bad-crc-text.png",
        SIGNATURE + ihdr_chunk + chunk(b"tEXt", b"Title\x00x", crc=1) + base[idat_at:],
        "corrupt PNG: CRC error in tEXt")
    add("non-square.png", small_gray(300, 200), "logo must be square (300x200)")
    add("too-small.png", small_gray(32, 32),
        "logo is 32x32 pixels; the smallest allowed is 64x64")
    add("too-large.png", png(2048, 2048, 1, 0, lambda x, y: (1,)),
        "logo is 2048x2048 pixels; the largest allowed is 1024x1024")
    add("giant-ihdr.png",
        SIGNATURE + ihdr(100000, 100000, 8, 6) + chunk(b"IDAT", zlib.compress(bytes(4096), 9))
        + IEND, "logo is 100000x100000 pixels; the largest allowed is 1024x1024")
    add("zero-width.png", SIGNATURE + ihdr(0, 64, 8, 0) + base[idat_at:],
        "corrupt PNG: IHDR gives a zero width or height (0x64)")
    add("bad-bit-depth.png", SIGNATURE + ihdr(64, 64, 3, 2) + base[idat_at:],
        "corrupt PNG: bit depth 3 is not allowed for colour type 2")
    add("bad-color-type.png", SIGNATURE + ihdr(64, 64, 8, 5) + base[idat_at:],
        "corrupt PNG: unknown colour type 5")
    add("bad-interlace-method.png", SIGNATURE + ihdr(64, 64, 8, 0, interlace=2) + base[idat_at:],
        "corrupt PNG: unknown interlace method 2")
    add("bad-compression-method.png",
        SIGNATURE + ihdr(64, 64, 8, 0, compression=1) + base[idat_at:],
        "corrupt PNG: unknown compression method 1")
    add("no-idat.png", SIGNATURE + ihdr_chunk + IEND, "corrupt PNG: no image data")
    add("ihdr-not-first.png", SIGNATURE + chunk(b"tEXt", b"Title\x00x") + base[8:],
        "corrupt PNG: the first chunk is tEXt, not IHDR")
    add("two-ihdr.png", SIGNATURE + ihdr_chunk + base[8:], "corrupt PNG: more than one IHDR")
    add("invalid-chunk-type.png",
        SIGNATURE + ihdr_chunk + chunk(b"t3Xt", b"x") + base[idat_at:],
        "corrupt PNG: invalid chunk type")
    add("unknown-critical-chunk.png",
        SIGNATURE + ihdr_chunk + chunk(b"CODE", b"run me") + base[idat_at:],
        "corrupt PNG: unknown critical chunk CODE")
    # 50 MB of zeros in 49 KB: libpng stops inflating at the 256 KiB chunk limit.
    bomb = chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(bytes(50 * 1000 * 1000), 9))
    add("ztxt-bomb.png", SIGNATURE + ihdr_chunk + bomb + base[idat_at:],
        "the compressed zTXt chunk is cut short or inflates beyond 262144 bytes")
    add("huge-chunk-length.png",
        SIGNATURE + ihdr_chunk + struct.pack(">I", 0x7FFFFFF0) + b"IDAT" + bytes(64) + IEND,
        "PNG chunk too large")
    add("idat-too-much-data.png",
        SIGNATURE + ihdr_chunk + chunk(b"IDAT", zlib.compress(rows + rows, 9)) + IEND,
        "corrupt PNG: IDAT: Too much image data")
    add("idat-too-little-data.png",
        SIGNATURE + ihdr_chunk + chunk(b"IDAT", zlib.compress(rows[:len(rows) // 2], 9)) + IEND,
        "corrupt PNG: Not enough image data")
    add("idat-not-zlib.png",
        SIGNATURE + ihdr_chunk + chunk(b"IDAT", b"\x12\x34" + bytes(30)) + IEND,
        "corrupt PNG: IDAT: incorrect header check")
    bad_filter = bytearray(rows)
    bad_filter[65 * 10] = 7  # row 10's filter byte
    add("bad-filter-type.png",
        SIGNATURE + ihdr_chunk + chunk(b"IDAT", zlib.compress(bytes(bad_filter), 9)) + IEND,
        "corrupt PNG: bad adaptive filter value")
    add("missing-plte.png",
        SIGNATURE + ihdr(64, 64, 8, 3) + chunk(b"IDAT", zlib.compress(bytes(64 * 65), 9)) + IEND,
        "corrupt PNG: IDAT: Missing PLTE before IDAT")
    add("palette-index-out-of-range.png",
        SIGNATURE + ihdr(64, 64, 8, 3) + chunk(b"PLTE", bytes([0, 0, 0, 255, 255, 255]))
        + chunk(b"IDAT", zlib.compress(bytes([0] + [9] + [1] * 63) * 64, 9)) + IEND,
        "corrupt PNG: palette index 9 at (0, 0); the palette has 2 entries")
    add("text-mode-signature.png", b"\x89PNG\n\x1a\n" + base[8:],
        "not a PNG file: the PNG signature was damaged")
    add("jpeg-renamed.png",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9",
        "not a PNG file (it looks like a JPEG image)")
    add("gif.png",
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff,\x00\x00\x00\x00"
        b"\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
        "not a PNG file (it looks like a GIF image)")
    return files


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    os.makedirs(GOOD, exist_ok=True)
    os.makedirs(BAD, exist_ok=True)
    good = {
        "brand-256-rgba.png": brand_256_rgba(),
        "palette4-64-trns.png": palette_64_trns(),
        "gray-1024.png": gray_1024(),
        "rgb16-128.png": rgb16_128(),
        "interlaced-96.png": interlaced_96(),
        "plain-96.png": plain_96(),
        "ancillary-200.png": ancillary_200(),
        "trailing-bytes-64.png": trailing_bytes_64(),
        "gray2-trns-80.png": gray2_trns_80(),
        "gray1-128.png": gray1_128(),
        "rgba16-64.png": rgba16_64(),
    }
    for name, data in sorted(good.items()):
        write(os.path.join(GOOD, name), data)
    lines = []
    for name, data, expected in bad_files():
        write(os.path.join(BAD, name), data)
        lines.append("%s %s\n" % (name, expected))
    with open(os.path.join(BAD, "EXPECTED.txt"), "w", encoding="ascii") as f:
        f.write("# <file> <substring of the error message hm_logo_from_png must give>\n")
        f.writelines(lines)


if __name__ == "__main__":
    main()
