"""The demo's pictures, drawn here and stored inline as data: URIs, the way a chat client stores an
uploaded photo or a pasted screenshot: no address that has to resolve, nothing fetched from outside.

A few shapes on a small canvas, encoded as PNG with the standard library (no imaging package).
"""

from __future__ import annotations

import base64
import struct
import zlib
from functools import cache

RGB = tuple[int, int, int]


class Canvas:
    def __init__(self, width: int, height: int, background: RGB) -> None:
        self.width, self.height = width, height
        self.pixels = [[background] * width for _ in range(height)]

    def rect(self, x0: int, y0: int, x1: int, y1: int, color: RGB) -> None:
        for y in range(max(0, y0), min(self.height, y1)):
            row = self.pixels[y]
            for x in range(max(0, x0), min(self.width, x1)):
                row[x] = color

    def trapezoid(self, top: tuple[int, int], bottom: tuple[int, int], y0: int, y1: int, color: RGB) -> None:
        """Rows ``y0..y1`` spanning from ``top`` (x0, x1) at the top to ``bottom`` at the bottom."""
        for y in range(y0, y1):
            t = (y - y0) / max(1, y1 - y0 - 1)
            x0 = round(top[0] + (bottom[0] - top[0]) * t)
            x1 = round(top[1] + (bottom[1] - top[1]) * t)
            self.rect(x0, y, x1, y + 1, color)

    def line(self, points: list[tuple[int, int]], color: RGB, width: int = 2) -> None:
        for (xa, ya), (xb, yb) in zip(points, points[1:], strict=False):
            steps = max(abs(xb - xa), abs(yb - ya), 1)
            for i in range(steps + 1):
                x = round(xa + (xb - xa) * i / steps)
                y = round(ya + (yb - ya) * i / steps)
                self.rect(x - width // 2, y - width // 2, x + (width + 1) // 2, y + (width + 1) // 2, color)

    def png(self) -> bytes:
        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        raw = b"".join(b"\x00" + bytes(c for pixel in row for c in pixel) for row in self.pixels)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b"")
        )


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


@cache
def damaged_blender_photo() -> str:
    """A customer's photo of a blender whose jar arrived cracked, on a kitchen counter."""
    canvas = Canvas(240, 180, (236, 230, 220))
    canvas.rect(0, 140, 240, 180, (196, 170, 140))  # the counter
    canvas.rect(0, 138, 240, 141, (160, 136, 110))
    canvas.rect(88, 24, 152, 34, (45, 45, 50))  # lid
    canvas.trapezoid((84, 156), (96, 144), 34, 108, (190, 215, 232))  # jar
    canvas.trapezoid((88, 100), (98, 106), 38, 104, (214, 232, 244))  # glare
    canvas.rect(156, 50, 166, 56, (120, 140, 155))  # handle
    canvas.rect(164, 50, 170, 96, (120, 140, 155))
    canvas.rect(156, 90, 166, 96, (120, 140, 155))
    canvas.trapezoid((92, 148), (82, 158), 108, 140, (60, 62, 70))  # motor base
    canvas.rect(112, 120, 128, 128, (200, 60, 50))  # power button
    canvas.line([(104, 44), (116, 58), (110, 70), (126, 84), (120, 98)], (70, 80, 90), 2)  # the crack
    canvas.line([(116, 58), (132, 62)], (70, 80, 90), 1)
    return data_uri(canvas.png())


@cache
def checkout_error_screenshot() -> str:
    """A pasted screenshot of the shop's checkout page showing a payment error."""
    canvas = Canvas(240, 150, (248, 249, 251))
    canvas.rect(0, 0, 240, 18, (52, 58, 70))  # browser bar
    for i, color in enumerate([(237, 106, 94), (245, 191, 79), (98, 197, 84)]):
        canvas.rect(6 + i * 10, 6, 12 + i * 10, 12, color)
    canvas.rect(40, 5, 200, 13, (88, 95, 110))  # address field
    canvas.rect(16, 28, 120, 36, (40, 44, 52))  # "Checkout" heading
    canvas.rect(16, 44, 224, 70, (253, 236, 234))  # the error banner
    canvas.rect(16, 44, 20, 70, (214, 69, 65))
    canvas.rect(28, 52, 180, 57, (168, 40, 36))
    canvas.rect(28, 61, 140, 65, (200, 110, 105))
    for y in (82, 96, 110):  # form fields
        canvas.rect(16, y, 224, y + 9, (226, 230, 236))
    canvas.rect(140, 126, 224, 142, (37, 99, 235))  # the Pay button
    canvas.rect(160, 132, 204, 136, (220, 232, 253))
    return data_uri(canvas.png())
