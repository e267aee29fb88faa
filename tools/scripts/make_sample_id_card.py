#!/usr/bin/env python3
"""Draws examples/data/id-card-front.png: a synthetic ID-card-shaped picture
(no real person, no real data) for the demo and the tests. Pure Python, no
imaging library: a few rectangles and a tiny bitmap font."""
import struct
import sys
import zlib

W, H = 856, 540  # the card's 85.6 x 54 mm at 10 px/mm

# 5x7 glyphs, one string per row, '#' = ink.
FONT = {
    'A': [" ### ", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"],
    'C': [" ####", "#    ", "#    ", "#    ", "#    ", "#    ", " ####"],
    'D': ["#### ", "#   #", "#   #", "#   #", "#   #", "#   #", "#### "],
    'E': ["#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#####"],
    'H': ["#   #", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"],
    'I': ["#####", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", "#####"],
    'L': ["#    ", "#    ", "#    ", "#    ", "#    ", "#    ", "#####"],
    'M': ["#   #", "## ##", "# # #", "# # #", "#   #", "#   #", "#   #"],
    'N': ["#   #", "##  #", "# # #", "#  ##", "#   #", "#   #", "#   #"],
    'O': [" ### ", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "],
    'P': ["#### ", "#   #", "#   #", "#### ", "#    ", "#    ", "#    "],
    'R': ["#### ", "#   #", "#   #", "#### ", "# #  ", "#  # ", "#   #"],
    'S': [" ####", "#    ", "#    ", " ### ", "    #", "    #", "#### "],
    'T': ["#####", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  "],
    'W': ["#   #", "#   #", "#   #", "# # #", "# # #", "## ##", "#   #"],
    'Y': ["#   #", "#   #", " # # ", "  #  ", "  #  ", "  #  ", "  #  "],
    '0': [" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "],
    '1': ["  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "],
    '-': ["     ", "     ", "     ", "#####", "     ", "     ", "     "],
    ' ': ["     "] * 7,
}

pixels = [[(244, 240, 226)] * W for _ in range(H)]


def rect(x0, y0, x1, y1, color):
    for y in range(max(0, y0), min(H, y1)):
        row = pixels[y]
        for x in range(max(0, x0), min(W, x1)):
            row[x] = color


def text(x, y, s, scale, color):
    for ch in s:
        for gy, line in enumerate(FONT[ch]):
            for gx, cell in enumerate(line):
                if cell == '#':
                    rect(x + gx * scale, y + gy * scale, x + (gx + 1) * scale, y + (gy + 1) * scale, color)
        x += 6 * scale


ink, soft = (40, 40, 48), (150, 150, 160)
rect(0, 0, W, 8, soft); rect(0, H - 8, W, H, soft); rect(0, 0, 8, H, soft); rect(W - 8, 0, W, H, soft)
text(40, 36, "SYNTHETIC SAMPLE", 5, (170, 40, 40))
for i, width in enumerate([220, 160, 300, 420, 380]):  # where name, sex, birth, address lines would be
    rect(60, 120 + i * 56, 60 + width, 148 + i * 56, soft)
rect(600, 110, 800, 360, (205, 210, 220))  # portrait placeholder
rect(660, 160, 740, 240, soft); rect(630, 250, 770, 350, soft)
text(60, 440, "0000 0000 0000 0000 01", 4, ink)
text(40, 500, "HWOCR DEMO - NOT AN ID", 3, (120, 120, 130))

raw = b"".join(b"\x00" + bytes(c for px in row for c in px) for row in pixels)


def chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xffffffff)


png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0)) + \
      chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
with open(sys.argv[1] if len(sys.argv) > 1 else "examples/data/id-card-front.png", "wb") as f:
    f.write(png)
