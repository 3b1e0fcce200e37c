#!/usr/bin/env python3
"""Draws eng/icon.png (the NuGet package icon, 256x256): a coin over a bar chart, in plain Python (no imaging library)."""
import struct, zlib, math, os

N = 256
TEAL = (15, 118, 110, 255)
MINT = (153, 246, 228, 255)
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)

def inside_rounded(x, y, r=44):
    cx = min(max(x, r), N - 1 - r)
    cy = min(max(y, r), N - 1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r

def pixel(x, y):
    if not inside_rounded(x, y):
        return CLEAR
    # Bars of a chart rising to the right (spend over time).
    for i, h in enumerate((60, 95, 135)):
        left = 46 + i * 42
        if left <= x < left + 30 and 212 - h <= y < 212:
            return MINT
    # A coin in the upper right.
    d = math.hypot(x - 198, y - 64)
    if d <= 36:
        if 24 <= d <= 29:
            return TEAL
        if abs(x - 198) <= 4 and abs(y - 64) <= 14:
            return TEAL
        return WHITE
    return TEAL

rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(N)) for y in range(N))

def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", N, N, 8, 6, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "icon.png"), "wb") as f:
    f.write(png)
