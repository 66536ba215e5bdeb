#!/usr/bin/env python3
"""Regenerate every file in ``assets_picture/``.

Usage::

    python scripts/make_pictures.py [--out assets_picture]

Deterministic: fixed seeds, no network, only Pillow's built-in default font
(``ImageFont.load_default(size=N)``) and numpy.  Running it twice gives
byte-identical files.

Writes
  * ``images/*.png``  synthetic, photo-like test images for the transforms exercise
  * ``*.png``         one explanatory diagram per topic of the curriculum
  * ``README.md``     what each file shows
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

# --------------------------------------------------------------------------------------
# Colours and fonts
# --------------------------------------------------------------------------------------

WHITE = (255, 255, 255)
TEXT = (30, 30, 38)
MUTED = (105, 105, 115)
LINE = (70, 70, 80)
GRID = (150, 150, 160)
RULE = (215, 215, 222)
BLUE = (40, 95, 190)
BLUE_FILL = (214, 228, 250)
GREEN = (30, 130, 60)
GREEN_FILL = (212, 240, 218)
RED = (200, 45, 45)
RED_FILL = (250, 215, 215)
ORANGE = (215, 120, 20)
ORANGE_FILL = (253, 230, 200)
PURPLE = (120, 60, 170)
PURPLE_FILL = (230, 218, 245)
GRAY_FILL = (236, 236, 240)
YELLOW_FILL = (255, 240, 150)

# One pastel per element value 0..5 (used where elements must be tracked across views).
VALUE_FILLS = [
    (255, 214, 214),
    (255, 231, 196),
    (250, 246, 190),
    (210, 240, 205),
    (205, 228, 250),
    (226, 212, 246),
]

_FONTS: dict[int, ImageFont.FreeTypeFont] = {}


def font(size: int) -> ImageFont.FreeTypeFont:
    """Pillow's built-in scalable font (Aileron Regular, BASIC layout)."""
    if size not in _FONTS:
        _FONTS[size] = ImageFont.load_default(size=size)
    return _FONTS[size]


def save_png(img: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Pillow writes no timestamp chunk, so equal pixels give equal bytes.
    img.save(path, format="PNG", optimize=True)


# --------------------------------------------------------------------------------------
# Drawing helpers
# --------------------------------------------------------------------------------------


class Diagram:
    """A white canvas with small helpers for labelled boxes, grids and arrows."""

    def __init__(self, width: int, height: int, title: str, subtitle: str | None = None):
        self.img = Image.new("RGB", (width, height), WHITE)
        self.d = ImageDraw.Draw(self.img)
        self.w, self.h = width, height
        self.text((24, 16), title, size=24, fill=TEXT)
        if subtitle:
            self.text((24, 50), subtitle, size=15, fill=MUTED)

    # ---- text -----------------------------------------------------------------------
    @staticmethod
    def line_height(size: int) -> int:
        return round(size * 1.3)

    def text_size(self, s: str, size: int = 16) -> tuple[int, int]:
        lines = s.split("\n")
        width = max(int(math.ceil(font(size).getlength(line))) for line in lines)
        return width, self.line_height(size) * len(lines)

    def text(self, xy, s: str, size: int = 16, fill=TEXT, align: str = "left") -> None:
        """Multi-line text. ``xy`` is the top-left corner (align='left'), the top centre
        (align='center') or the top-right corner (align='right')."""
        x, y = xy
        lh = self.line_height(size)
        anchor = {"left": "lm", "center": "mm", "right": "rm"}[align]
        for i, line in enumerate(s.split("\n")):
            self.d.text((x, y + i * lh + lh / 2), line, font=font(size), fill=fill, anchor=anchor)

    def text_center(self, cx, cy, s: str, size: int = 16, fill=TEXT) -> None:
        """Multi-line text centred on (cx, cy)."""
        _, h = self.text_size(s, size)
        self.text((cx, cy - h / 2), s, size=size, fill=fill, align="center")

    # ---- shapes ---------------------------------------------------------------------
    def box(self, x0, y0, x1, y1, fill=WHITE, outline=LINE, width=2, radius=6,
            label: str | None = None, size: int = 16, label_fill=TEXT) -> tuple:
        if radius:
            self.d.rounded_rectangle((x0, y0, x1, y1), radius=radius, fill=fill,
                                     outline=outline, width=width)
        else:
            self.d.rectangle((x0, y0, x1, y1), fill=fill, outline=outline, width=width)
        if label is not None:
            self.text_center((x0 + x1) / 2, (y0 + y1) / 2, label, size=size, fill=label_fill)
        return (x0, y0, x1, y1)

    def grid(self, x, y, values, cw=44, ch=40, size=17, fill=WHITE, fills=None,
             outline=GRID, width=1, bold_cells=(), bold_color=RED) -> dict:
        """Draw a table of numbers; returns {(r, c): (x0, y0, x1, y1)}."""
        cells = {}
        for r, row in enumerate(values):
            for c, v in enumerate(row):
                x0, y0 = x + c * cw, y + r * ch
                f = fills(r, c, v) if fills else fill
                self.d.rectangle((x0, y0, x0 + cw, y0 + ch), fill=f, outline=outline, width=width)
                self.text_center(x0 + cw / 2, y0 + ch / 2, str(v), size=size)
                cells[(r, c)] = (x0, y0, x0 + cw, y0 + ch)
        for (r, c) in bold_cells:
            x0, y0, x1, y1 = cells[(r, c)]
            self.d.rectangle((x0, y0, x1, y1), outline=bold_color, width=3)
        return cells

    def arrow(self, p0, p1, fill=LINE, width=3, head=12) -> None:
        self.polyline_arrow([p0, p1], fill=fill, width=width, head=head)

    def polyline_arrow(self, points, fill=LINE, width=3, head=12) -> None:
        """Line through ``points`` with a filled triangular head at the last point."""
        (xa, ya), (xb, yb) = points[-2], points[-1]
        ang = math.atan2(yb - ya, xb - xa)
        # Shorten the last segment so the line ends inside the head.
        base = (xb - head * 0.8 * math.cos(ang), yb - head * 0.8 * math.sin(ang))
        pts = [tuple(p) for p in points[:-1]] + [base]
        self.d.line(pts, fill=fill, width=width, joint="curve")
        left = (xb - head * math.cos(ang) + head * 0.5 * math.sin(ang),
                yb - head * math.sin(ang) - head * 0.5 * math.cos(ang))
        right = (xb - head * math.cos(ang) - head * 0.5 * math.sin(ang),
                 yb - head * math.sin(ang) + head * 0.5 * math.cos(ang))
        self.d.polygon([(xb, yb), left, right], fill=fill)

    def dashed_rect(self, x0, y0, x1, y1, fill=RED, width=3, dash=10, gap=6) -> None:
        for (ax, ay, bx, by) in ((x0, y0, x1, y0), (x1, y0, x1, y1),
                                 (x1, y1, x0, y1), (x0, y1, x0, y0)):
            length = math.hypot(bx - ax, by - ay)
            ux, uy = (bx - ax) / length, (by - ay) / length
            t = 0.0
            while t < length:
                t1 = min(t + dash, length)
                self.d.line((ax + ux * t, ay + uy * t, ax + ux * t1, ay + uy * t1),
                            fill=fill, width=width)
                t += dash + gap

    def hrule(self, y, x0=24, x1=None) -> None:
        self.d.line((x0, y, (self.w - 24) if x1 is None else x1, y), fill=RULE, width=2)

    def cross(self, x0, y0, x1, y1, fill=RED, width=3) -> None:
        self.d.line((x0, y0, x1, y1), fill=fill, width=width)
        self.d.line((x0, y1, x1, y0), fill=fill, width=width)

    def save(self, path: Path) -> None:
        save_png(self.img, path)


def chain_boxes(dg: Diagram, x, y, labels, w, h, gap, fills, size=15, outline=LINE):
    """Boxes left to right joined by arrows; returns their rectangles."""
    rects = []
    for i, label in enumerate(labels):
        x0 = x + i * (w + gap)
        rects.append(dg.box(x0, y, x0 + w, y + h, fill=fills[i % len(fills)],
                            outline=outline, label=label, size=size))
        if i:
            dg.arrow((x0 - gap + 3, y + h / 2), (x0 - 3, y + h / 2))
    return rects


# --------------------------------------------------------------------------------------
# A. Synthetic test images
# --------------------------------------------------------------------------------------


def _lerp(c0, c1, t):
    c0 = np.asarray(c0, dtype=np.float64)
    c1 = np.asarray(c1, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)[..., None]
    return c0 + (c1 - c0) * t


def _to_uint8(a) -> np.ndarray:
    return np.clip(np.rint(a), 0, 255).astype(np.uint8)


def _add_noise(img: Image.Image, rng: np.random.Generator, sigma: float) -> Image.Image:
    a = np.asarray(img, dtype=np.float64)
    a = a + rng.normal(0.0, sigma, a.shape)
    return Image.fromarray(_to_uint8(a), mode=img.mode)


def make_landscape(noise: bool = True) -> Image.Image:
    """RGB 320x240: sky, sun, two mountain ridges, a field, a house and a tree."""
    w, h = 320, 240
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    horizon = 150
    sky = _lerp((45, 95, 185), (205, 225, 245), np.clip(yy / horizon, 0, 1))
    sky += _lerp((0, 0, 0), (25, 10, -20), xx / w)  # warmer towards the right
    ground_t = np.clip((yy - horizon) / (h - horizon), 0, 1)
    ground = _lerp((120, 170, 70), (45, 95, 35), ground_t)
    ground += 10 * np.sin(xx / 7.0 + yy / 3.0)[..., None]  # furrows
    a = np.where((yy < horizon)[..., None], sky, ground)
    # Sun with a soft glow (upper right).
    r = np.hypot(xx - 250, yy - 48)
    glow = np.exp(-((r / 45.0) ** 2))[..., None]
    a = a * (1 - 0.5 * glow) + np.array([255, 235, 160]) * 0.5 * glow
    a = np.where((r < 20)[..., None], np.array([255, 228, 120.0]), a)
    # Far ridge and near ridge.
    far = 112 + 18 * np.sin(xx / 23.0) + 10 * np.sin(xx / 9.0 + 1.0)
    near = 138 + 12 * np.sin(xx / 31.0 + 2.0) + 5 * np.sin(xx / 6.0)
    far_col = _lerp((110, 105, 150), (150, 150, 180), np.clip((yy - 90) / 60, 0, 1))
    near_col = _lerp((70, 110, 80), (95, 140, 85), np.clip((yy - 120) / 30, 0, 1))
    a = np.where(((yy > far) & (yy < horizon))[..., None], far_col, a)
    a = np.where(((yy > near) & (yy < horizon + 4))[..., None], near_col, a)
    img = Image.fromarray(_to_uint8(a), mode="RGB")
    d = ImageDraw.Draw(img)
    # House (left): wall, roof, door, window.
    d.rectangle((40, 150, 100, 195), fill=(205, 190, 160), outline=(90, 70, 50))
    d.polygon([(34, 152), (70, 122), (106, 152)], fill=(160, 50, 40))
    d.rectangle((62, 170, 76, 195), fill=(95, 60, 35))
    d.rectangle((84, 160, 96, 172), fill=(170, 210, 235), outline=(90, 70, 50))
    # Tree (right of centre).
    d.rectangle((196, 150, 204, 200), fill=(100, 70, 40))
    d.ellipse((176, 112, 224, 162), fill=(40, 110, 45))
    d.ellipse((186, 104, 212, 132), fill=(60, 135, 55))
    # A path from the bottom edge towards the house.
    d.polygon([(120, 239), (170, 239), (100, 196), (84, 196)], fill=(175, 150, 110))
    if noise:
        img = _add_noise(img, np.random.default_rng(101), 4.0)
    return img


def make_portrait() -> Image.Image:
    """RGB 180x300: evening sky, moon, a tall tree and a hill."""
    w, h = 180, 300
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    a = _lerp((60, 40, 110), (250, 150, 80), np.clip(yy / 220, 0, 1))
    a += 12 * np.cos(xx / 17.0 + yy / 29.0)[..., None]
    hill = 215 + 25 * np.cos((xx - 40) / 45.0)
    a = np.where((yy > hill)[..., None],
                 _lerp((70, 120, 60), (30, 60, 30), np.clip((yy - 200) / 100, 0, 1)), a)
    r = np.hypot(xx - 45, yy - 55)
    a = np.where((r < 17)[..., None], np.array([245, 240, 215.0]), a)
    a = np.where((np.hypot(xx - 52, yy - 50) < 14)[..., None] & (r < 17)[..., None],
                 _lerp((60, 40, 110), (250, 150, 80), np.clip(yy / 220, 0, 1)), a)
    img = Image.fromarray(_to_uint8(a), mode="RGB")
    d = ImageDraw.Draw(img)
    d.rectangle((118, 120, 130, 260), fill=(80, 55, 35))
    for (cx, cy, rr, col) in ((124, 110, 34, (30, 90, 40)), (108, 140, 24, (40, 105, 45)),
                              (142, 135, 22, (35, 100, 45)), (124, 80, 22, (55, 125, 55))):
        d.ellipse((cx - rr, cy - rr, cx + rr, cy + rr), fill=col)
    d.polygon([(20, 299), (60, 250), (75, 299)], fill=(120, 110, 100))
    img = _add_noise(img, np.random.default_rng(102), 4.0)
    return img


def make_gray() -> Image.Image:
    """L 150x100: radial gradient, ramp, a dark ellipse, a bright bar, noise."""
    w, h = 150, 100
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    a = 60 + 120 * (xx / w) + 50 * np.exp(-(((xx - 40) ** 2 + (yy - 30) ** 2) / 900.0))
    a += 15 * np.sin(yy / 4.0)
    a = np.where(((xx - 105) ** 2 / 500 + (yy - 60) ** 2 / 200) < 1, 25.0, a)
    a = np.where((xx > 15) & (xx < 60) & (yy > 70) & (yy < 82), 240.0, a)
    img = Image.fromarray(_to_uint8(a), mode="L")
    return _add_noise(img, np.random.default_rng(103), 5.0)


def _hsv_to_rgb(hue, sat, val):
    """Vectorised HSV -> RGB, all in [0, 1]."""
    i = np.floor(hue * 6).astype(int) % 6
    f = hue * 6 - np.floor(hue * 6)
    p, q, t = val * (1 - sat), val * (1 - f * sat), val * (1 - (1 - f) * sat)
    choices = [(val, t, p), (q, val, p), (p, val, t), (p, q, val), (t, p, val), (val, p, q)]
    out = np.zeros(hue.shape + (3,))
    for k, (r, g, b) in enumerate(choices):
        m = i == k
        out[m, 0], out[m, 1], out[m, 2] = r[m], g[m], b[m]
    return out


def make_rgba() -> Image.Image:
    """RGBA 256x256: colour wheel; alpha = radial falloff, a transparent hole, a
    semi-transparent band and an opaque square."""
    n = 256
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float64)
    dx, dy = xx - 128, yy - 128
    r = np.hypot(dx, dy)
    hue = (np.arctan2(dy, dx) / (2 * np.pi)) % 1.0
    sat = np.clip(r / 128, 0, 1)
    val = 0.65 + 0.35 * np.cos(r / 11.0) ** 2
    rgb = _hsv_to_rgb(hue, sat, val) * 255
    alpha = np.clip(255 * (1.15 - r / 150), 0, 255)
    alpha = np.where(np.hypot(xx - 170, yy - 90) < 22, 0, alpha)  # hole
    alpha = np.where((yy > 200) & (yy < 216), 128, alpha)  # half-transparent band
    square = (xx > 20) & (xx < 60) & (yy > 20) & (yy < 60)
    alpha = np.where(square, 255, alpha)
    rgb = np.where(square[..., None], np.array([20, 20, 20.0]), rgb)
    rgb += np.random.default_rng(104).normal(0, 3.0, rgb.shape)
    a = np.concatenate([_to_uint8(rgb), _to_uint8(alpha)[..., None]], axis=-1)
    return Image.fromarray(a, mode="RGBA")


def make_odd_size() -> Image.Image:
    """RGB 257x131: diagonal gradient, rings, shapes near the edges, noise."""
    w, h = 257, 131
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    a = _lerp((230, 90, 60), (40, 80, 200), (xx + 0.6 * yy) / (w + 0.6 * h))
    rings = np.cos(np.hypot(xx - 170, yy - 70) / 4.0)
    a += 30 * rings[..., None] * np.array([1.0, 0.8, -0.5])
    img = Image.fromarray(_to_uint8(a), mode="RGB")
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 24, 18), fill=(250, 250, 60))
    d.ellipse((220, 96, 256, 130), fill=(30, 160, 70))
    d.polygon([(60, 20), (100, 110), (20, 110)], fill=(245, 245, 245), outline=(20, 20, 20))
    d.line((128, 0, 128, 130), fill=(0, 0, 0), width=1)  # the exact middle column
    return _add_noise(img, np.random.default_rng(105), 4.0)


def make_small_square() -> Image.Image:
    """RGB 64x64: four differently coloured quadrant gradients, a disc, noise."""
    n = 64
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float64)
    t = (xx + yy) / (2 * n)
    quads = [((200, 40, 40), (250, 180, 120)), ((40, 160, 60), (180, 240, 160)),
             ((40, 60, 190), (150, 190, 250)), ((150, 150, 30), (250, 240, 140))]
    a = np.zeros((n, n, 3))
    for k, (c0, c1) in enumerate(quads):
        m = ((yy >= 32) == (k >= 2)) & ((xx >= 32) == (k % 2 == 1))
        a[m] = _lerp(c0, c1, t)[m]
    a = np.where((np.hypot(xx - 40, yy - 24) < 9)[..., None], np.array([255, 255, 255.0]), a)
    img = Image.fromarray(_to_uint8(a), mode="RGB")
    return _add_noise(img, np.random.default_rng(106), 4.0)


IMAGES = {
    "rgb_landscape.png": (make_landscape, "RGB 320x240: sky, sun, mountains, house, tree, path"),
    "rgb_portrait.png": (make_portrait, "RGB 180x300: evening sky, moon, tall tree, hill"),
    "gray.png": (make_gray, "L 150x100: gradients, dark ellipse, bright bar"),
    "rgba.png": (make_rgba, "RGBA 256x256: colour wheel; alpha has a radial falloff, a "
                            "transparent hole, a half-transparent band, an opaque square"),
    "odd_size.png": (make_odd_size, "RGB 257x131: odd width and height, diagonal gradient, "
                                    "rings, a black line on the middle column 128"),
    "small_square.png": (make_small_square, "RGB 64x64: four quadrant gradients and a disc"),
}

# --------------------------------------------------------------------------------------
# B. Diagrams
# --------------------------------------------------------------------------------------


def diagram_tensor_numpy_shared_memory() -> Diagram:
    dg = Diagram(1000, 640, "tensor <-> numpy: who owns the memory?")
    cw = 60

    def memory(x, y, vals, fill, title):
        dg.text((x, y - 26), title, size=14, fill=MUTED)
        for i, v in enumerate(vals):
            dg.box(x + i * cw, y, x + (i + 1) * cw, y + 44, fill=fill, radius=0,
                   label=v, size=17)
        return (x, y, x + cw * len(vals), y + 44)

    # 1. from_numpy shares.
    dg.text((24, 62), "torch.from_numpy(a): shares the buffer", size=18, fill=GREEN)
    a_box = dg.box(40, 100, 300, 144, fill=BLUE_FILL, label="a = np.array([1., 2., 3.])", size=15)
    t_box = dg.box(40, 170, 300, 214, fill=ORANGE_FILL, label="t = torch.from_numpy(a)", size=15)
    mem = memory(420, 136, ["1.0", "2.0", "3.0"], GREEN_FILL, "one memory block (float64)")
    dg.arrow((a_box[2], 122), (mem[0] - 2, mem[1] + 12), fill=BLUE)
    dg.arrow((t_box[2], 192), (mem[0] - 2, mem[3] - 12), fill=ORANGE)
    dg.text((660, 116), "a[0] = 9.0  ->  t[0] is 9.0 too\nwrites show in both: no copy", size=15)

    dg.hrule(240)
    # 2. torch.tensor copies.
    dg.text((24, 252), "torch.tensor(a): copies", size=18, fill=RED)
    a2 = dg.box(40, 290, 300, 334, fill=BLUE_FILL, label="a", size=15)
    u2 = dg.box(40, 360, 300, 404, fill=ORANGE_FILL, label="u = torch.tensor(a)", size=15)
    m1 = memory(420, 290, ["9.0", "2.0", "3.0"], GREEN_FILL, "")
    m2 = memory(420, 360, ["1.0", "2.0", "3.0"], GRAY_FILL, "")
    dg.arrow((a2[2], 312), (m1[0] - 2, 312), fill=BLUE)
    dg.arrow((u2[2], 382), (m2[0] - 2, 382), fill=ORANGE)
    dg.text((610, 300), "a's block", size=14, fill=MUTED)
    dg.text((610, 370), "u's own copy", size=14, fill=MUTED)
    dg.text((730, 318), "a[0] = 9.0  ->  u[0] is still 1.0\n(two separate blocks)", size=15)

    dg.hrule(430)
    # 3. Back to numpy.
    dg.text((24, 442), "back to numpy: t.detach().cpu().numpy()", size=18, fill=PURPLE)
    labels = ["t\ncuda, requires_grad", ".detach()\nstop tracking grads",
              ".cpu()\ncopy to host memory", ".numpy()\nshares with CPU tensor",
              "np.ndarray\nsame values, dtype"]
    chain_boxes(dg, 40, 482, labels, 158, 62, 34,
                [ORANGE_FILL, PURPLE_FILL, PURPLE_FILL, PURPLE_FILL, BLUE_FILL], size=14)
    dg.text((40, 566), "t.numpy() alone raises if t requires grad or lives on a GPU. "
                       "On a CPU tensor without grad, .detach() and .cpu() return the\n"
                       "same storage, so the result still shares memory with t; t itself "
                       "keeps requires_grad.", size=14, fill=MUTED)
    return dg


def diagram_shapes_view_vs_transpose() -> Diagram:
    dg = Diagram(1000, 640, "view(3, 2) vs transpose(0, 1): same memory, different reading",
                 "t = torch.arange(6).view(2, 3)   shape (2, 3), stride (3, 1)")
    fills = lambda r, c, v: VALUE_FILLS[v]  # noqa: E731
    cw, ch = 52, 44
    # Source tensor and its memory.
    dg.grid(60, 100, [[0, 1, 2], [3, 4, 5]], cw, ch, fills=fills)
    dg.text((60 + 1.5 * cw, 196), "t", size=17, align="center")
    mx = 420
    dg.text((mx, 88), "memory (storage), one flat block:", size=15, fill=MUTED)
    for i in range(6):
        dg.box(mx + i * cw, 112, mx + (i + 1) * cw, 112 + ch, fill=VALUE_FILLS[i], radius=0,
               outline=GRID, width=1, label=str(i), size=17)
        dg.text((mx + i * cw + cw / 2, 160), f"@{i}", size=12, fill=MUTED, align="center")

    dg.hrule(236)
    # Left: view(3, 2).
    lx = 60
    dg.text((lx, 250), "t.view(3, 2)", size=20, fill=GREEN)
    dg.grid(lx, 290, [[0, 1], [2, 3], [4, 5]], cw, ch, fills=fills)
    dg.text((lx + 2 * cw + 24, 292),
            "re-chunks the row-major order\ninto rows of 2\nshape (3, 2), stride (2, 1)\n"
            "contiguous: a view of the\nsame storage", size=15)
    dg.text((lx, 440), "read row by row:", size=15, fill=MUTED)
    for i, v in enumerate([0, 1, 2, 3, 4, 5]):
        dg.box(lx + i * 40, 466, lx + (i + 1) * 40, 500, fill=VALUE_FILLS[v], radius=0,
               outline=GRID, width=1, label=str(v), size=16)
    dg.text((lx, 510), "= memory order", size=15, fill=GREEN)

    # Right: transpose(0, 1).
    rx = 520
    dg.text((rx, 250), "t.transpose(0, 1)", size=20, fill=RED)
    dg.grid(rx, 290, [[0, 3], [1, 4], [2, 5]], cw, ch, fills=fills)
    dg.text((rx + 2 * cw + 24, 292),
            "swaps the axes: row i of the\nresult is column i of t\nshape (3, 2), stride (1, 3)\n"
            "NOT contiguous (same storage,\nnothing moved)", size=15)
    dg.text((rx, 440), "read row by row:", size=15, fill=MUTED)
    for i, v in enumerate([0, 3, 1, 4, 2, 5]):
        dg.box(rx + i * 40, 466, rx + (i + 1) * 40, 500, fill=VALUE_FILLS[v], radius=0,
               outline=GRID, width=1, label=str(v), size=16)
    dg.text((rx, 510), "jumps around in memory", size=15, fill=RED)

    # Arrows from the source into both panels.
    dg.polyline_arrow([(60, 100 + ch), (36, 100 + ch), (36, 290 + ch / 2), (58, 290 + ch / 2)],
                      fill=GREEN)
    dg.polyline_arrow([(60 + 3 * cw, 100 + ch), (rx - 40, 100 + ch), (rx - 40, 290 + ch / 2),
                       (rx - 2, 290 + ch / 2)], fill=RED)
    dg.hrule(548)
    dg.text((24, 560), "Same shape (3, 2), different elements. On the transpose, .view(-1) "
                       "raises (not contiguous);\nuse .reshape(-1) or .contiguous().view(-1) "
                       "-> 0 3 1 4 2 5.", size=15)
    return dg


def diagram_shapes_squeeze() -> Diagram:
    dg = Diagram(1000, 600, "squeeze and unsqueeze: size-1 dims",
                 "x has shape (1, 3, 1): one batch, three rows, one column")
    vals = [7, 8, 9]
    cs = 44

    def column(x, y, outer=False, color=LINE):
        if outer:
            dg.box(x - 10, y - 10, x + cs + 10, y + 3 * cs + 10, fill=GRAY_FILL,
                   outline=color, radius=8)
        for i, v in enumerate(vals):
            dg.box(x, y + i * cs, x + cs, y + (i + 1) * cs, fill=BLUE_FILL, radius=0,
                   outline=GRID, width=1, label=str(v), size=17)

    def row(x, y, outer=False, color=LINE):
        if outer:
            dg.box(x - 10, y - 10, x + 3 * cs + 10, y + cs + 10, fill=GRAY_FILL,
                   outline=color, radius=8)
        for i, v in enumerate(vals):
            dg.box(x + i * cs, y, x + (i + 1) * cs, y + cs, fill=BLUE_FILL, radius=0,
                   outline=GRID, width=1, label=str(v), size=17)

    # x itself.
    column(70, 130, outer=True)
    dg.text((92, 290), "x\nshape (1, 3, 1)\n[[[7], [8], [9]]]", size=15, align="center")
    # squeeze()
    dg.arrow((150, 170), (330, 140), fill=RED)
    dg.text((330, 92), "x.squeeze()", size=19, fill=RED)
    row(350, 130)
    dg.text((540, 130), "shape (3,)   [7, 8, 9]\nremoves EVERY size-1 dim", size=15)
    # squeeze(0)
    dg.arrow((150, 230), (330, 250), fill=GREEN)
    dg.text((330, 212), "x.squeeze(0)", size=19, fill=GREEN)
    column(350, 250)
    dg.text((420, 266), "shape (3, 1)   [[7], [8], [9]]\nremoves dim 0 only (it has size 1);\n"
                        "the trailing size-1 dim stays.\nOn shape (3, 1), squeeze(0) changes "
                        "nothing.", size=15)

    dg.hrule(420)
    dg.text((24, 432), "unsqueeze(0): add a leading dim of size 1 (a batch of one)", size=18,
            fill=PURPLE)
    row(70, 490)
    dg.text((70, 544), "v: shape (3,)\n[7, 8, 9]", size=15)
    dg.arrow((230, 512), (350, 512), fill=PURPLE)
    dg.text((290, 486), "v.unsqueeze(0)", size=15, fill=PURPLE, align="center")
    row(380, 490, outer=True, color=PURPLE)
    dg.text((560, 488), "shape (1, 3)   [[7, 8, 9]]\nsame as v[None] or v.view(1, -1)",
            size=15)
    return dg


def diagram_creation_linspace_arange() -> Diagram:
    dg = Diagram(1000, 480, "linspace includes the end, arange excludes it")
    x0, x1 = 110, 850

    def axis(y, lo, hi, ticks):
        dg.d.line((x0 - 30, y, x1 + 40, y), fill=LINE, width=2)
        dg.polyline_arrow([(x1 + 30, y), (x1 + 50, y)], fill=LINE, width=2, head=10)
        for t in ticks:
            px = x0 + (t - lo) / (hi - lo) * (x1 - x0)
            dg.d.line((px, y - 6, px, y + 6), fill=LINE, width=2)
        return lambda v: x0 + (v - lo) / (hi - lo) * (x1 - x0)

    # linspace(0, 1, 5)
    dg.text((24, 66), "torch.linspace(0, 1, 5)", size=20, fill=GREEN)
    dg.text((330, 70), "steps = number of points; spacing (1 - 0) / (5 - 1) = 0.25", size=15,
            fill=MUTED)
    y = 150
    pos = axis(y, 0, 1, [0, 0.25, 0.5, 0.75, 1])
    for v, lab in zip([0, 0.25, 0.5, 0.75, 1.0], ["0.0", "0.25", "0.5", "0.75", "1.0"]):
        px = pos(v)
        dg.d.ellipse((px - 9, y - 9, px + 9, y + 9), fill=GREEN, outline=GREEN)
        dg.text((px, y + 16), lab, size=16, align="center")
    dg.box(pos(1) - 46, y - 58, pos(1) + 46, y - 26, fill=GREEN_FILL, outline=GREEN,
           label="end included", size=14)
    dg.arrow((pos(1), y - 26), (pos(1), y - 12), fill=GREEN, width=2, head=9)
    dg.text((24, 204), "-> tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])   5 values, float32",
            size=16)

    dg.hrule(246)
    # arange(5)
    dg.text((24, 258), "torch.arange(5)   /   np.arange(5)", size=20, fill=RED)
    dg.text((420, 262), "start 0, stop 5, step 1: stops BEFORE 5", size=15, fill=MUTED)
    y = 342
    pos = axis(y, 0, 5, range(6))
    for v in range(6):
        px = pos(v)
        if v < 5:
            dg.d.ellipse((px - 9, y - 9, px + 9, y + 9), fill=RED, outline=RED)
        else:
            dg.d.ellipse((px - 9, y - 9, px + 9, y + 9), fill=WHITE, outline=RED, width=3)
        dg.text((px, y + 16), str(v), size=16, align="center")
    dg.box(pos(5) - 50, y - 58, pos(5) + 50, y - 26, fill=RED_FILL, outline=RED,
           label="end excluded", size=14)
    dg.arrow((pos(5), y - 26), (pos(5), y - 12), fill=RED, width=2, head=9)
    dg.text((24, 396), "-> tensor([0, 1, 2, 3, 4])   5 values, int64   (indices 0 .. n-1)",
            size=16)
    dg.text((24, 428), "Careful: arange(0, 1, 0.25) gives 0, 0.25, 0.5, 0.75 (no 1.0); "
                       "for a fixed number of points including the end, use linspace.",
            size=15, fill=MUTED)
    return dg


def diagram_reductions_axis_sums() -> Diagram:
    dg = Diagram(1000, 560, "Sum over an axis: that axis disappears",
                 "a = np.arange(12).reshape(3, 4)   shape (3, 4)")
    a = np.arange(12).reshape(3, 4)
    cw, ch = 52, 44
    # axis 0
    lx, ty = 60, 130
    dg.text((lx, 90), "a.sum(axis=0)", size=20, fill=BLUE)
    dg.grid(lx, ty, a.tolist(), cw, ch, fill=BLUE_FILL)
    for c in range(4):
        cx = lx + c * cw + cw / 2
        dg.arrow((cx, ty + 3 * ch + 6), (cx, ty + 3 * ch + 50), fill=BLUE)
    dg.grid(lx, ty + 3 * ch + 56, [a.sum(axis=0).tolist()], cw, ch, fill=YELLOW_FILL,
            outline=BLUE, width=2)
    dg.text((lx, ty + 4 * ch + 70), "shape (4,): one value per column\n"
                                    "axis 0 (the rows) is collapsed, downwards", size=15)
    # axis 1
    rx = 520
    dg.text((rx, 90), "a.sum(axis=1, keepdims=True)", size=20, fill=ORANGE)
    dg.grid(rx, ty, a.tolist(), cw, ch, fill=ORANGE_FILL)
    for r in range(3):
        cy = ty + r * ch + ch / 2
        dg.arrow((rx + 4 * cw + 6, cy), (rx + 4 * cw + 56, cy), fill=ORANGE)
    sums = a.sum(axis=1)
    dg.grid(rx + 4 * cw + 62, ty, [[int(s)] for s in sums], cw, ch, fill=YELLOW_FILL,
            outline=ORANGE, width=2)
    dg.text((rx + 4 * cw + 126, ty + 40), "shape (3, 1)\none value\nper row", size=15)
    dg.text((rx, ty + 3 * ch + 40), "keepdims=True: shape (3, 1), a column that\n"
                                    "broadcasts back against a: a / a.sum(1, keepdims=True)\n"
                                    "keepdims=False: [6, 22, 38], shape (3,)\n"
                                    "axis 1 (the columns) is collapsed, rightwards", size=15)
    dg.hrule(470)
    dg.text((24, 484), "Rule: the result's shape is the input's shape with the reduced axis "
                       "removed ((3, 4) -> (4,) or (3,)),\nor set to 1 with keepdims=True "
                       "((3, 4) -> (3, 1)).", size=15)
    return dg


def diagram_reductions_nchw_channel_means() -> Diagram:
    dg = Diagram(1000, 470, "Channel means of an (N, C, H, W) batch",
                 "images.mean(dim=(0, 2, 3)): average over images N and pixels H, W; "
                 "keep channels C")
    chan_cols = [((250, 200, 200), RED), ((200, 235, 200), GREEN), ((200, 215, 250), BLUE)]
    size, step, cells = 120, 22, 4

    def image_stack(x, y, name):
        # Draw channel 2 (back) first so channel 0 ends up in front.
        for c in (2, 1, 0):
            ox, oy = x + c * step, y - c * step
            fill, edge = chan_cols[c]
            dg.d.rectangle((ox, oy, ox + size, oy + size), fill=fill, outline=edge, width=2)
            if c == 0:
                for k in range(1, cells):
                    g = k * size / cells
                    dg.d.line((ox + g, oy, ox + g, oy + size), fill=edge, width=1)
                    dg.d.line((ox, oy + g, ox + size, oy + g), fill=edge, width=1)
        dg.text((x + size / 2, y + size + 10), name, size=15, align="center")

    image_stack(60, 160, "image 0")
    image_stack(280, 160, "image 1")
    dg.text((60, 96), "N = 2 images, each C = 3 channels of H x W = 4 x 4 pixels", size=15,
            fill=MUTED)
    # Channel labels next to the second stack.
    for c, nm in enumerate(["c = 0", "c = 1", "c = 2"]):
        dg.text((280 + size + c * step + 8, 160 - c * step + size - 18), nm, size=13,
                fill=chan_cols[c][1])
    dg.arrow((500, 220), (600, 220), width=4, head=16)
    dg.text((550, 176), "mean over\n(0, 2, 3)", size=14, align="center")
    for c in range(3):
        dg.box(630, 150 + c * 58, 760, 196 + c * 58, fill=chan_cols[c][0],
               outline=chan_cols[c][1], label=f"mean of c = {c}", size=15)
    dg.text((780, 206), "shape (3,)\n= (C,)", size=17)
    dg.hrule(350)
    dg.text((24, 364),
            "Each output value averages N * H * W = 2 * 4 * 4 = 32 numbers: every pixel of "
            "that channel in every image.\n"
            "dim 1 (C) is the only dim not listed, so it is the only one left.\n"
            "Not the same as images.mean(): that is one number for the whole batch; and not "
            "images.mean(dim=1):\nthat averages the channels away and keeps (N, H, W).",
            size=15)
    return dg


def diagram_indexing_pick_per_row() -> Diagram:
    dg = Diagram(1000, 580, "Fancy indexing: pick one element per row vs select columns",
                 "a = np.arange(12).reshape(4, 3)      cols = [2, 0, 1, 2]")
    a = np.arange(12).reshape(4, 3)
    cols = [2, 0, 1, 2]
    cw, ch = 50, 44
    # Left panel.
    lx, ty = 90, 150
    dg.text((30, 92), "a[range(4), cols]  ->  a[i, cols[i]] for each row i", size=19,
            fill=RED)
    for c in range(3):
        dg.text((lx + c * cw + cw / 2, ty - 24), f"col {c}", size=13, fill=MUTED,
                align="center")
    picked = {(r, cols[r]) for r in range(4)}
    dg.grid(lx, ty, a.tolist(), cw, ch,
            fills=lambda r, c, v: YELLOW_FILL if (r, c) in picked else WHITE,
            bold_cells=sorted(picked))
    for r in range(4):
        dg.text((lx - 12, ty + r * ch + 12), f"row {r}", size=13, fill=MUTED, align="right")
        dg.text((lx + 3 * cw + 14, ty + r * ch + 11), f"cols[{r}] = {cols[r]}", size=14,
                fill=RED)
    res = [int(a[r, cols[r]]) for r in range(4)]
    dg.arrow((lx + 1.5 * cw, ty + 4 * ch + 8), (lx + 1.5 * cw, ty + 4 * ch + 50), fill=RED)
    dg.grid(lx, ty + 4 * ch + 58, [res], cw, ch, fill=YELLOW_FILL, outline=RED, width=2)
    dg.text((lx + 4 * cw + 16, ty + 4 * ch + 66), "shape (4,)", size=16)
    dg.text((30, ty + 5 * ch + 84), "index pairs (0, 2) (1, 0) (2, 1) (3, 2):\n"
                                    "both index arrays have length 4 -> 4 elements", size=15)

    # Right panel.
    rx = 580
    dg.text((rx - 20, 92), "a[:, cols]  ->  every row, columns 2, 0, 1, 2", size=19, fill=BLUE)
    block = a[:, cols]
    for c, cc in enumerate(cols):
        dg.text((rx + c * cw + cw / 2, ty - 24), f"col {cc}", size=13, fill=MUTED,
                align="center")
    dg.grid(rx, ty, block.tolist(), cw, ch,
            fills=lambda r, c, v: YELLOW_FILL if r == c else BLUE_FILL,
            bold_cells=[(i, i) for i in range(4)])
    dg.text((rx + 4 * cw + 16, ty + 8), "shape (4, 4)\n\nits diagonal\nis the pick:\n"
                                       "2, 3, 7, 11", size=15)
    dg.text((rx - 20, ty + 5 * ch + 10), "':' keeps all 4 rows, cols picks 4 columns\n"
                                         "-> a 4 x 4 block (16 elements), not 4.", size=15)
    dg.hrule(508)
    dg.text((24, 520), "torch works the same: t[torch.arange(4), idx] picks per row, and "
                       "gradients flow back to the picked elements only.", size=15)
    return dg


def diagram_data_loader_batches() -> Diagram:
    dg = Diagram(1040, 640, "DataLoader: from 10 items to batches of 4",
                 "TensorDataset with 10 items (indices 0..9), batch_size=4")
    bw, bh = 44, 40

    def items(x, y, idx, fill, outline=LINE):
        for i, v in enumerate(idx):
            dg.box(x + i * bw, y, x + (i + 1) * bw, y + bh, fill=fill, radius=0, outline=outline,
                   width=1, label=str(v), size=16)
        return x + len(idx) * bw

    def batches(x, y, groups, fills, dropped_last=False):
        for k, g in enumerate(groups):
            gx0 = x
            x = items(x, y, g, fills[k], outline=GRID)
            last = k == len(groups) - 1
            col = MUTED if (dropped_last and last) else TEXT
            dg.d.rectangle((gx0 - 4, y - 4, x + 4, y + bh + 4),
                           outline=RED if (dropped_last and last) else LINE, width=2)
            dg.text(((gx0 + x) / 2, y + bh + 8), f"batch {k}" if not (dropped_last and last)
                    else "dropped", size=13, fill=col if not (dropped_last and last) else RED,
                    align="center")
            if dropped_last and last:
                dg.cross(gx0 - 4, y - 4, x + 4, y + bh + 4)
            x += 30
        return x

    fills = [BLUE_FILL, GREEN_FILL, ORANGE_FILL]
    lx = 230
    dg.text((24, 100), "dataset", size=17)
    items(lx, 94, list(range(10)), GRAY_FILL)

    dg.hrule(156)
    dg.text((24, 176), "shuffle=False\ndrop_last=False", size=15)
    end = batches(lx, 178, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]], fills)
    dg.text((end + 6, 176), "3 batches = ceil(10 / 4)\nthe last one is smaller (2 items)",
            size=14)

    dg.hrule(256)
    dg.text((24, 276), "shuffle=False\ndrop_last=True", size=15)
    end = batches(lx, 278, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]],
                  [BLUE_FILL, GREEN_FILL, GRAY_FILL], dropped_last=True)
    dg.text((end + 6, 276), "2 batches = 10 // 4\nthe incomplete batch is dropped", size=14)

    dg.hrule(356)
    dg.text((24, 376), "shuffle=True\ngenerator seeded", size=15)
    end = batches(lx, 378, [[3, 7, 5, 2], [0, 8, 1, 6], [9, 4]], fills)
    dg.text((end + 6, 376), "a permutation, then cut into 4s\n(example order, seed 0)", size=14)
    dg.text((24, 450), "g = torch.Generator().manual_seed(seed)\n"
                       "DataLoader(ds, batch_size=4, shuffle=True, generator=g)", size=15,
            fill=BLUE)
    dg.text((520, 450), "the same seed gives the same order on every run;\n"
                        "a different seed gives another order;\n"
                        "the global torch random state is not the source of the order.",
            size=14)
    dg.hrule(530)
    dg.text((24, 544), "count_batches(n, batch_size, drop_last):  n // batch_size if drop_last "
                       "else ceil(n / batch_size)\n"
                       "n = 10, batch_size = 4:  drop_last=False -> 3,  drop_last=True -> 2",
            size=15)
    return dg


def diagram_transforms_resize_crop() -> Diagram:
    W = 1080
    dg = Diagram(W, 500, "resize_short_side(img, 224), then center_crop(img, 224)",
                 "pixel sizes are drawn to scale (W x H)")
    src = make_landscape(noise=False)
    resized = src.resize((298, 224), Image.BILINEAR)
    left = int(round((298 - 224) / 2))
    top = int(round((224 - 224) / 2))
    cropped = resized.crop((left, top, left + 224, top + 224))
    y = 100
    x1, x2, x3 = 30, 30 + 320 + 90, 30 + 320 + 90 + 298 + 90
    dg.img.paste(src, (x1, y))
    dg.img.paste(resized, (x2, y + 8))
    dg.img.paste(cropped, (x3, y + 8))
    for (x, img, yy) in ((x1, src, y), (x2, resized, y + 8), (x3, cropped, y + 8)):
        dg.d.rectangle((x - 1, yy - 1, x + img.width, yy + img.height), outline=LINE, width=1)
    dg.dashed_rect(x2 + left, y + 8 + top, x2 + left + 224 - 1, y + 8 + top + 224 - 1)
    dg.text((x2 + left, y - 14), "crop box x 37..261, y 0..224", size=13, fill=RED)
    # Arrows between the images.
    ay = y + 8 + 112
    dg.arrow((x1 + 320 + 10, ay), (x2 - 10, ay), width=4, head=14)
    dg.text(((x1 + 320 + x2) / 2, ay - 40), "resize", size=14, align="center")
    dg.arrow((x2 + 298 + 10, ay), (x3 - 10, ay), width=4, head=14)
    dg.text(((x2 + 298 + x3) / 2, ay - 40), "crop", size=14, align="center")
    # Captions.
    cy = y + 256
    dg.text((x1, cy), "original: 320 x 240", size=17)
    dg.text((x1, cy + 28), "short side = 240 (the height)", size=14, fill=MUTED)
    dg.text((x2, cy), "resized: 298 x 224", size=17, fill=BLUE)
    dg.text((x2, cy + 28), "short side 240 -> 224\nlong side int(224 * 320 / 240)\n"
                           "   = int(298.67) = 298\nImage.BILINEAR, aspect ratio kept",
            size=14)
    dg.text((x3, cy), "cropped: 224 x 224", size=17, fill=RED)
    dg.text((x3, cy + 28), "left = int(round((298 - 224) / 2))\n   = 37\n"
                           "top = int(round((224 - 224) / 2))\n   = 0\n"
                           "box (37, 0, 261, 224)", size=14)
    return dg


def diagram_modules_sequential_styles() -> Diagram:
    dg = Diagram(1080, 620, "Three ways to build the same nn.Sequential",
                 "Conv2d(3, 3, 3) -> BatchNorm2d(3) -> ReLU; only the child names differ")
    rows = [
        ("style \"add_module\"",
         "seq = nn.Sequential()\nseq.add_module(\"conv\", nn.Conv2d(3, 3, 3))\n"
         "seq.add_module(\"batchnorm\", nn.BatchNorm2d(3))\n"
         "seq.add_module(\"activation_layer\", nn.ReLU())",
         ["conv", "batchnorm", "activation_layer"], BLUE, BLUE_FILL),
        ("style \"args\"",
         "nn.Sequential(\n    nn.Conv2d(3, 3, 3),\n    nn.BatchNorm2d(3),\n    nn.ReLU())",
         ["0", "1", "2"], GREEN, GREEN_FILL),
        ("style \"ordered_dict\"",
         "nn.Sequential(OrderedDict([\n    (\"conv1\", nn.Conv2d(3, 3, 3)),\n"
         "    (\"bn1\", nn.BatchNorm2d(3)),\n    (\"relu1\", nn.ReLU())]))",
         ["conv1", "bn1", "relu1"], PURPLE, PURPLE_FILL),
    ]
    layers = ["Conv2d(3, 3, 3)", "BatchNorm2d(3)", "ReLU()"]
    y = 86
    for title, code, names, col, fill in rows:
        dg.text((24, y), title, size=17, fill=col)
        dg.box(24, y + 28, 450, y + 128, fill=GRAY_FILL, outline=RULE, radius=6)
        dg.text((36, y + 34), code, size=14)
        dg.arrow((460, y + 78), (510, y + 78), fill=col)
        bx = 520
        for i, (nm, layer) in enumerate(zip(names, layers)):
            x0 = bx + i * 185
            dg.box(x0, y + 56, x0 + 150, y + 100, fill=WHITE, outline=col, label=layer, size=14)
            dg.box(x0, y + 30, x0 + 150, y + 56, fill=fill, outline=col, radius=0,
                   label=nm, size=14)
            if i:
                dg.arrow((x0 - 33, y + 78), (x0 - 3, y + 78), fill=col)
        dg.text((bx, y + 106), "state_dict keys: " + f"{names[0]}.weight, {names[0]}.bias, "
                f"{names[1]}.running_mean, ...", size=13, fill=MUTED)
        y += 160
    dg.hrule(y - 14)
    dg.text((24, y - 4), "Same layers and the same forward pass; the names become attribute "
                         "names (seq.conv, seq[0], seq.conv1)\nand state_dict keys, so "
                         "checkpoints saved with one style do not load into another.",
            size=15)
    return dg


def diagram_losses_max_trick() -> Diagram:
    dg = Diagram(1100, 530, "Stable softmax: subtract the max first",
                 "softmax(x)_i = exp(x_i) / sum_j exp(x_j)")
    cw, ch = 62, 42

    def triple(x, y, vals, fill, outline=GRID):
        for i, v in enumerate(vals):
            dg.box(x + i * cw, y, x + (i + 1) * cw, y + ch, fill=fill, radius=0,
                   outline=outline, width=1, label=v, size=15)
        return x + 3 * cw

    sx = [30, 316, 602, 888]
    ny, sy = 160, 330
    # Input, centred between the rows.
    iy = (ny + sy) / 2
    dg.text((sx[0], iy - 28), "logits x", size=15, fill=MUTED)
    end = triple(sx[0], iy, ["1000", "999", "998"], GRAY_FILL)
    def label(xa, xb, yy, s, col):
        dg.text(((xa + xb) / 2, yy - 26), s, size=14, fill=col, align="center")

    # Naive row.
    dg.text((sx[1], ny - 50), "naive: exp directly", size=18, fill=RED)
    dg.polyline_arrow([(end + 8, iy + ch / 2), (end + 40, iy + ch / 2), (end + 40, ny + ch / 2),
                       (sx[1] - 8, ny + ch / 2)], fill=RED)
    label(end + 40, sx[1], ny + ch / 2, "exp", RED)
    e = triple(sx[1], ny, ["inf", "inf", "inf"], RED_FILL)
    dg.arrow((e + 8, ny + ch / 2), (sx[2] - 8, ny + ch / 2), fill=RED)
    label(e, sx[2], ny + ch / 2, "/ sum", RED)
    triple(sx[2], ny, ["nan", "nan", "nan"], RED_FILL)
    dg.text((sx[1], ny + ch + 10), "exp(1000) overflows: float32 tops out near\n"
                                   "exp(88.7), float64 near exp(709)", size=14)
    dg.text((sx[2], ny + ch + 10), "inf / inf = nan: the loss and all\n"
                                   "gradients are garbage", size=14)
    # Stable row.
    dg.text((sx[1], sy - 50), "stable: x - max(x), then exp", size=18, fill=GREEN)
    dg.polyline_arrow([(end + 8, iy + ch / 2), (end + 40, iy + ch / 2), (end + 40, sy + ch / 2),
                       (sx[1] - 8, sy + ch / 2)], fill=GREEN)
    label(end + 40, sx[1], sy + ch / 2, "- 1000", GREEN)
    e = triple(sx[1], sy, ["0", "-1", "-2"], GREEN_FILL)
    dg.arrow((e + 8, sy + ch / 2), (sx[2] - 8, sy + ch / 2), fill=GREEN)
    label(e, sx[2], sy + ch / 2, "exp", GREEN)
    e = triple(sx[2], sy, ["1.000", "0.368", "0.135"], GREEN_FILL)
    dg.arrow((e + 8, sy + ch / 2), (sx[3] - 8, sy + ch / 2), fill=GREEN)
    label(e, sx[3], sy + ch / 2, "/ 1.503", GREEN)
    triple(sx[3], sy, ["0.665", "0.245", "0.090"], YELLOW_FILL, outline=GREEN)
    dg.text((sx[1], sy + ch + 10), "largest exponent is exp(0) = 1:\nnothing overflows",
            size=14)
    dg.text((sx[3], sy + ch + 10), "finite, sums to 1", size=14)
    dg.hrule(450)
    dg.text((24, 462), "Why it is allowed: softmax(x) = softmax(x - c) for any constant c, "
                       "because the factor exp(-c) cancels in the fraction.\n"
                       "Log-softmax the same way: (x - m) - log(sum(exp(x - m))) with m = "
                       "max(x) per row; cross-entropy = -log-softmax at the target.",
            size=15)
    return dg


def diagram_training_step() -> Diagram:
    dg = Diagram(1040, 600, "One training step",
                 "train_step(model, optimizer, loss_fn, x, y) -> float")
    labels = ["1. optimizer.zero_grad()\nclear every .grad",
              "2. out = model(x)\nforward pass",
              "3. loss = loss_fn(out, y)\na scalar",
              "4. loss.backward()\nfill .grad of params",
              "5. optimizer.step()\nupdate the params"]
    fills = [ORANGE_FILL, BLUE_FILL, BLUE_FILL, PURPLE_FILL, GREEN_FILL]
    w, h, gap, x0, y0 = 172, 70, 30, 30, 110
    rects = chain_boxes(dg, x0, y0, labels, w, h, gap, fills, size=14)
    # Loop back from step 5 to step 1.
    last, first = rects[-1], rects[0]
    lx, fx = (last[0] + last[2]) / 2, (first[0] + first[2]) / 2
    dg.polyline_arrow([(lx, last[3] + 4), (lx, y0 + h + 44), (fx, y0 + h + 44),
                       (fx, first[3] + 6)], fill=MUTED, width=3)
    dg.text(((lx + fx) / 2, y0 + h + 48), "next batch", size=14, fill=MUTED, align="center")
    dg.text((30, 262), "Return loss.item(): the loss computed in step 3, i.e. before the "
                       "update of step 5.", size=15)

    dg.hrule(300)
    dg.text((24, 312), "Why zero_grad: backward() ADDS to .grad, it does not overwrite it",
            size=18, fill=RED)

    def bars(x, y, heights, color, title):
        dg.text((x, y), title, size=15)
        base = y + 190
        dg.d.line((x, base, x + 300, base), fill=LINE, width=2)
        for k, hgt in enumerate(heights):
            bx = x + 20 + k * 95
            dg.d.rectangle((bx, base - hgt * 45, bx + 60, base), fill=color, outline=LINE)
            dg.text((bx + 30, base - hgt * 45 - 24), f"{hgt}g" if hgt > 1 else "g", size=15,
                    align="center")
            dg.text((bx + 30, base + 6), f"step {k + 1}", size=13, fill=MUTED, align="center")

    bars(40, 350, [1, 1, 1], GREEN_FILL, "with zero_grad: .grad = g each step")
    bars(420, 350, [1, 2, 3], RED_FILL, "without zero_grad: g, 2g, 3g, ...")
    dg.text((760, 380), "(same g each step for the\nsake of the picture)\n\n"
                        "Without zero_grad, step k\nuses g1 + g2 + ... + gk:\n"
                        "the updates grow and\ntraining goes wrong.", size=14)
    return dg


def diagram_gpu_data_parallel() -> Diagram:
    dg = Diagram(1040, 660, "nn.DataParallel: split the batch, gather the outputs",
                 "parallelize(model): DataParallel only when torch.cuda.device_count() > 1")
    rows_h = 30
    # Input batch of 8 on cuda:0.
    bx, by = 40, 150
    dg.text((bx, by - 28), "x: batch of 8", size=15)
    for r in range(8):
        dg.box(bx, by + r * rows_h, bx + 90, by + (r + 1) * rows_h, fill=VALUE_FILLS[r // 2 + 1],
               radius=0, outline=GRID, width=1, label=f"sample {r}", size=13)
    dg.text((bx, by + 8 * rows_h + 8), "on cuda:0", size=13, fill=MUTED)
    # Replicas.
    gx, gw, gh = 330, 200, 62
    gys = [126, 206, 286, 366]
    for k, gy in enumerate(gys):
        src_y = by + (2 * k + 1) * rows_h
        dg.arrow((bx + 96, src_y), (gx - 6, gy + gh / 2), fill=BLUE)
        dg.box(gx, gy, gx + gw, gy + gh, fill=BLUE_FILL, outline=BLUE,
               label=f"cuda:{k}\nreplica of model\nsamples {2 * k}, {2 * k + 1}", size=13)
        # Output chunk.
        ox = gx + gw + 50
        dg.arrow((gx + gw + 4, gy + gh / 2), (ox - 4, gy + gh / 2), fill=BLUE)
        dg.box(ox, gy + 11, ox + 70, gy + gh - 11, fill=VALUE_FILLS[k + 1], radius=0,
               outline=GRID, width=1, label=f"out {2 * k}-{2 * k + 1}", size=13)
        dg.arrow((ox + 74, gy + gh / 2), (800 - 6, by + (2 * k + 1) * rows_h), fill=GREEN)
    dg.text((230, 96), "scatter", size=16, fill=BLUE, align="center")
    dg.text((720, 96), "gather", size=16, fill=GREEN, align="center")
    # Gathered output on cuda:0.
    for r in range(8):
        dg.box(800, by + r * rows_h, 900, by + (r + 1) * rows_h,
               fill=VALUE_FILLS[r // 2 + 1], radius=0, outline=GRID, width=1,
               label=f"out {r}", size=13)
    dg.text((800, by + 8 * rows_h + 8), "output: 8 rows, on\ncuda:0 (the first device)",
            size=13, fill=GREEN)
    dg.hrule(478)
    dg.text((24, 490), "model = nn.DataParallel(model.to(\"cuda:0\"))  ->  "
                       "each forward: split x along dim 0, run the replicas in parallel,\n"
                       "concatenate the outputs on cuda:0. Parameters and gradients live on "
                       "cuda:0.", size=15)
    dg.box(24, 560, 1016, 632, fill=GRAY_FILL, outline=RULE)
    dg.text((40, 572), "One GPU or CPU only: no wrapper. Return model.to(device) itself; the "
                       "whole batch runs on that one device.\n"
                       "Wrapped models hold the original under .module (state_dict keys get a "
                       "\"module.\" prefix).", size=15)
    return dg


DIAGRAMS = {
    "tensor_numpy_shared_memory.png": (
        diagram_tensor_numpy_shared_memory,
        "from_numpy shares the buffer, torch.tensor copies; t.detach().cpu().numpy()"),
    "shapes_view_vs_transpose.png": (
        diagram_shapes_view_vs_transpose,
        "a 2x3 tensor 0..5: view(3, 2) re-chunks row-major, transpose(0, 1) swaps axes "
        "(not contiguous)"),
    "shapes_squeeze.png": (
        diagram_shapes_squeeze,
        "(1, 3, 1): squeeze() -> (3,), squeeze(0) -> (3, 1); unsqueeze(0) adds a leading dim"),
    "creation_linspace_arange.png": (
        diagram_creation_linspace_arange,
        "linspace(0, 1, 5) includes the end; arange(5) = 0..4 excludes it"),
    "reductions_axis_sums.png": (
        diagram_reductions_axis_sums,
        "sum over axis 0 (per column) vs axis 1 (per row); keepdims -> (3, 1)"),
    "reductions_nchw_channel_means.png": (
        diagram_reductions_nchw_channel_means,
        "(N, C, H, W).mean(dim=(0, 2, 3)) gives one value per channel"),
    "indexing_pick_per_row.png": (
        diagram_indexing_pick_per_row,
        "a[range(4), cols] picks one cell per row; a[:, cols] gives a 4x4 block"),
    "data_loader_batches.png": (
        diagram_data_loader_batches,
        "10 items, batch_size 4: batches 0-3, 4-7, 8-9; drop_last; seeded shuffle"),
    "transforms_resize_crop.png": (
        diagram_transforms_resize_crop,
        "320x240 -> resize short side to 224 (298x224) -> center crop 224x224"),
    "modules_sequential_styles.png": (
        diagram_modules_sequential_styles,
        "nn.Sequential via add_module, positional args, OrderedDict: child names"),
    "losses_max_trick.png": (
        diagram_losses_max_trick,
        "softmax of [1000, 999, 998]: naive exp overflows; subtracting the max is finite"),
    "training_step.png": (
        diagram_training_step,
        "zero_grad -> forward -> loss -> backward -> step; skipping zero_grad accumulates"),
    "gpu_data_parallel.png": (
        diagram_gpu_data_parallel,
        "DataParallel scatters the batch over GPUs and gathers on cuda:0; else no wrapper"),
}


# --------------------------------------------------------------------------------------
# Diagrams of the later tasks (balanced_loader, pad/random_crop, TinyCNN, lstm_cell_unroll)
# --------------------------------------------------------------------------------------


def diagram_transforms_pad_random_crop() -> Diagram:
    dg = Diagram(1080, 560, "pad(img, 16, fill=128), then random_crop(padded, 224, g)",
                 "the padded image is drawn to scale; the crop box comes from the generator g")
    src = make_landscape(noise=False)
    p, size = 16, 224
    w, h = src.size
    padded = Image.new("RGB", (w + 2 * p, h + 2 * p), (128, 128, 128))
    padded.paste(src, (p, p))
    # An example draw, in the order of the task: i (top) first, then j (left).
    i, j = 29, 93
    crop = padded.crop((j, i, j + size, i + size))
    y, x1 = 100, 110
    x2 = x1 + padded.width + 120
    dg.img.paste(padded, (x1, y))
    dg.d.rectangle((x1 - 1, y - 1, x1 + padded.width, y + padded.height), outline=LINE, width=1)
    dg.d.rectangle((x1 + p - 1, y + p - 1, x1 + p + w, y + p + h), outline=BLUE, width=2)
    dg.dashed_rect(x1 + j, y + i, x1 + j + size - 1, y + i + size - 1)
    # The offsets of the original and of the crop.
    dg.arrow((x1 + j, y - 10), (x1 + j, y + i - 4), fill=RED, width=2, head=9)
    dg.text((x1 + j + 6, y - 22), f"left j = {j}", size=13, fill=RED)
    dg.arrow((x1 - 30, y + i), (x1 + j - 4, y + i), fill=RED, width=2, head=9)
    dg.text((x1 - 34, y + i - 9), f"top i = {i}", size=13, fill=RED, align="right")
    dg.img.paste(crop, (x2, y + 24))
    dg.d.rectangle((x2 - 1, y + 23, x2 + size, y + 24 + size), outline=RED, width=2)
    ay = y + 24 + size / 2
    dg.arrow((x1 + padded.width + 14, ay), (x2 - 12, ay), width=4, head=14)
    dg.text(((x1 + padded.width + x2) / 2, ay - 40), "crop", size=14, align="center")
    cy = y + padded.height + 14
    dg.text((x1, cy), f"padded: {w} + 2 * {p} = {w + 2 * p} wide, {h} + 2 * {p} = {h + 2 * p} high",
            size=16, fill=BLUE)
    dg.text((x1, cy + 26), "the original (blue) starts at (16, 16); the grey border is fill=128,\n"
                           "(128, 128, 128) in every band for an RGB image", size=14)
    dg.text((x2, y + size + 40), f"crop: {size} x {size}", size=16, fill=RED)
    dg.text((x2, y + size + 66), "box (j, i, j + 224, i + 224)\n"
                                 f"  = ({j}, {i}, {j + size}, {i + size})\n"
                                 "PIL boxes start with x (the column)", size=14)
    dg.hrule(cy + 78)
    dg.text((24, cy + 90),
            "i = torch.randint(0, h - size + 1, (1,), generator=g)      "
            "# h = 272: i in 0 .. 48, the + 1 lets the crop touch the bottom\n"
            "j = torch.randint(0, w - size + 1, (1,), generator=g)      "
            "# w = 352: j in 0 .. 128\n"
            "Only g is drawn from: the same seed gives the same crop whatever else used torch's "
            "global RNG before (example draw above).", size=14)
    return dg


def diagram_data_balanced_sampler() -> Diagram:
    dg = Diagram(1080, 590, "WeightedRandomSampler: a 90/10 split comes out about 50/50",
                 "100 items: 90 of class 0 (blue), 10 of class 1 (orange); 5 batches of 20, "
                 "one epoch of num_samples = 100 draws (example draws)")
    y = np.array([0] * 90 + [1] * 10)
    np.random.default_rng(7).shuffle(y)
    fills = {0: BLUE_FILL, 1: ORANGE_FILL}
    edges = {0: BLUE, 1: ORANGE}
    cw, bgap = 6.4, 14

    def strip(x0, top, labels, hgt=26):
        for k, c in enumerate(labels):
            xa = x0 + k * cw
            dg.d.rectangle((xa, top, xa + cw - 1, top + hgt), fill=edges[int(c)] if c else fills[0])

    def batches(x0, top, labels, title, color):
        dg.text((24, top - 4), title, size=15, fill=color)
        for b in range(5):
            part = labels[b * 20:(b + 1) * 20]
            bx = x0 + b * (20 * cw + bgap)
            strip(bx, top, part)
            ones = int(np.sum(part))
            dg.text((bx + 10 * cw, top + 32), f"{ones} of 20", size=13, fill=MUTED, align="center")
            x_end = bx + 20 * cw
            dg.d.rectangle((bx - 3, top - 3, x_end + 2, top + 29), outline=LINE, width=1)
        total = int(np.sum(labels))
        dg.text((x0 + 5 * 20 * cw + 4 * bgap + 16, top + 4), f"class 1: {total} %", size=16,
                fill=color)

    x0 = 230
    dg.text((24, 100), "y (the dataset)", size=15)
    strip(x0, 100, y)
    dg.d.rectangle((x0 - 3, 97, x0 + 100 * cw + 2, 129), outline=LINE, width=1)
    dg.text((x0 + 5 * 20 * cw + 4 * bgap + 16, 104), "class 1: 10 %", size=16, fill=MUTED)

    dg.hrule(150)
    rng = np.random.default_rng(3)
    shuffled = y[rng.permutation(100)]
    batches(x0, 180, shuffled, "shuffle=True\n(a new order only)", RED)
    dg.text((x0, 236), "every item exactly once: the class shares stay 90/10 in every epoch",
            size=14, fill=RED)

    dg.hrule(270)
    counts = np.bincount(y)
    weights = 1.0 / counts[y]
    draws = np.random.default_rng(26)  # a typical epoch: 51 of 100, 8 to 13 per batch
    drawn = y[draws.choice(100, size=100, replace=True, p=weights / weights.sum())]
    batches(x0, 300, drawn, "WeightedRandomSampler\nreplacement=True", GREEN)
    dg.text((x0, 356), "rare items are drawn several times, common ones skipped: "
                       "about half of each batch is class 1", size=14, fill=GREEN)

    dg.hrule(392)
    dg.box(24, 408, 520, 520, fill=GRAY_FILL, outline=RULE)
    dg.text((38, 416), "one weight per SAMPLE = 1 / (count of its class)\n"
                       "  class 0 items: 1/90 each, 90 of them: total 1\n"
                       "  class 1 items: 1/10 each, 10 of them: total 1\n"
                       "-> each draw is class 0 or 1 with probability 1/2", size=14)
    dg.box(540, 408, 1056, 520, fill=GRAY_FILL, outline=RULE)
    dg.text((554, 416), "sampler = WeightedRandomSampler(weights, num_samples=len(y),\n"
                        "    replacement=True,\n"
                        "    generator=torch.Generator().manual_seed(seed))\n"
                        "DataLoader(TensorDataset(X, y), batch_size=20, sampler=sampler)",
            size=14, fill=BLUE)
    dg.text((24, 536), "Mistakes: weights per class ([1/90, 1/10]) make the sampler draw the "
                       "indices 0 and 1 only; replacement=False draws each item once\n"
                       "(a weighted shuffle, still 90/10); without the generator the batches "
                       "change with torch's global random state.", size=14)
    return dg


def diagram_modules_lstm_cell_unroll() -> Diagram:
    dg = Diagram(1080, 580, "lstm_cell_unroll: one LSTMCell, applied step after step",
                 "x: (B, T, F) with T = 4; (h, c) goes from each step to the next; outputs "
                 "stacks every h along dim 1: (B, T, H)")
    steps = 4
    cx0, cy, cw, ch, gap = 190, 200, 140, 80, 64
    cells = []
    for t in range(steps):
        x = cx0 + t * (cw + gap)
        cells.append(dg.box(x, cy, x + cw, cy + ch, fill=PURPLE_FILL, outline=PURPLE,
                            label="cell\n(same weights)", size=14))
        # x_t in from below, h_t out on top.
        dg.box(x + 35, cy + ch + 60, x + cw - 35, cy + ch + 96, fill=GRAY_FILL, outline=GRID,
               label=f"x[:, {t}]", size=14)
        dg.arrow((x + cw / 2, cy + ch + 58), (x + cw / 2, cy + ch + 4), fill=LINE)
        dg.box(x + 25, cy - 96, x + cw - 25, cy - 60, fill=YELLOW_FILL, outline=GREEN,
               label=f"outputs[:, {t}]", size=14)
        dg.arrow((x + cw / 2, cy - 4), (x + cw / 2, cy - 58), fill=GREEN)
        dg.text((x + cw / 2 + 8, cy - 40), f"h{t + 1}", size=13, fill=GREEN)
    # The initial state.
    dg.box(24, cy + 12, 140, cy + ch - 12, fill=ORANGE_FILL, outline=ORANGE,
           label="(h0, c0)\nstate or zeros", size=13)
    dg.arrow((144, cy + ch / 2), (cx0 - 4, cy + ch / 2), fill=ORANGE, width=3)
    for t in range(1, steps):
        x = cx0 + t * (cw + gap)
        dg.arrow((x - gap + 4, cy + ch / 2 - 12), (x - 4, cy + ch / 2 - 12), fill=ORANGE, width=3)
        dg.arrow((x - gap + 4, cy + ch / 2 + 12), (x - 4, cy + ch / 2 + 12), fill=ORANGE, width=3)
        dg.text((x - gap / 2, cy + ch / 2 - 40), f"h{t}", size=13, fill=ORANGE, align="center")
        dg.text((x - gap / 2, cy + ch / 2 + 22), f"c{t}", size=13, fill=ORANGE, align="center")
    xe = cx0 + steps * (cw + gap) - gap
    dg.arrow((xe + 4, cy + ch / 2), (xe + 54, cy + ch / 2), fill=ORANGE, width=3)
    dg.text((xe + 58, cy + ch / 2 - 10), "(h4, c4)", size=14, fill=ORANGE)
    dg.text((24, 410), "for t in range(T):\n    h, c = cell(x[:, t], (h, c))\n"
                       "    outputs.append(h)\n"
                       "return torch.stack(outputs, dim=1), (h, c)", size=15, fill=BLUE)
    dg.text((480, 410), "= nn.LSTM(F, H, batch_first=True) with the same weights:\n"
                        "weight_ih_l0 = cell.weight_ih, weight_hh_l0 = cell.weight_hh, "
                        "and the biases.", size=14)
    dg.hrule(504)
    dg.text((24, 516), "Mistakes: cell(x[:, t]) without (h, c) starts every step from zeros "
                       "(the orange arrows are gone: no memory);\n"
                       "torch.stack(outputs) stacks along dim 0: (T, B, H); h.detach() "
                       "between steps cuts the gradient to the earlier steps.", size=14,
            fill=RED)
    return dg


def diagram_modules_tinycnn_shapes() -> Diagram:
    dg = Diagram(1080, 590, "TinyCNN(3, 10): the shapes for two input sizes",
                 "AdaptiveAvgPool2d(1) turns any H x W into 1 x 1, so the Linear layer always "
                 "gets 16 numbers")
    rows = [
        ("input", "(B, 3, 32, 32)", "(B, 3, 57, 20)", GRAY_FILL),
        ("Conv2d(3, 8, 3, padding=1)", "(B, 8, 32, 32)", "(B, 8, 57, 20)", BLUE_FILL),
        ("ReLU", "(B, 8, 32, 32)", "(B, 8, 57, 20)", BLUE_FILL),
        ("MaxPool2d(2)", "(B, 8, 16, 16)", "(B, 8, 28, 10)", BLUE_FILL),
        ("Conv2d(8, 16, 3, padding=1)", "(B, 16, 16, 16)", "(B, 16, 28, 10)", BLUE_FILL),
        ("ReLU", "(B, 16, 16, 16)", "(B, 16, 28, 10)", BLUE_FILL),
        ("AdaptiveAvgPool2d(1)", "(B, 16, 1, 1)", "(B, 16, 1, 1)", YELLOW_FILL),
        ("Flatten", "(B, 16)", "(B, 16)", GREEN_FILL),
        ("Dropout(p)", "(B, 16)", "(B, 16)", GREEN_FILL),
        ("Linear(16, 10)", "(B, 10)", "(B, 10)", GREEN_FILL),
    ]
    x0, xa, xb, top, rh = 120, 460, 660, 120, 36
    dg.text((xa, top - 30), "32 x 32 image", size=15, fill=BLUE)
    dg.text((xb, top - 30), "57 x 20 image", size=15, fill=PURPLE)
    for k, (layer, a, b, fill) in enumerate(rows):
        yy = top + k * rh
        dg.box(x0, yy, x0 + 300, yy + rh - 6, fill=fill, outline=GRID, width=1, radius=4,
               label=layer, size=14)
        dg.text((xa, yy + 4), a, size=15)
        dg.text((xb, yy + 4), b, size=15)
    # Brackets for the two Sequential parts.
    fy0, fy1 = top + rh, top + 7 * rh - 6
    dg.d.line((x0 - 14, fy0, x0 - 14, fy1), fill=BLUE, width=3)
    dg.text((x0 - 20, (fy0 + fy1) / 2 - 10), "features", size=13, fill=BLUE, align="right")
    cy0, cy1 = top + 7 * rh, top + 10 * rh - 6
    dg.d.line((x0 - 14, cy0, x0 - 14, cy1), fill=GREEN, width=3)
    dg.text((x0 - 20, (cy0 + cy1) / 2 - 10), "classifier", size=13, fill=GREEN, align="right")
    # The point: what the pool buys.
    px, py = 860, top + 6 * rh + 15
    dg.box(px, py - 44, 1056, py + 44, fill=YELLOW_FILL, outline=ORANGE,
           label="each channel averaged\nover all its pixels:\n16 x 16 or 28 x 10 -> 1 x 1",
           size=14)
    dg.arrow((px - 6, py), (xb + 150, py), fill=ORANGE, width=2)
    dg.hrule(top + 10 * rh + 14)
    ty = top + 10 * rh + 26
    dg.text((24, ty), "Without the adaptive pool, Flatten gives 16 * 16 * 16 = 4096 numbers "
                      "for 32 x 32 but 16 * 28 * 10 = 4480 for 57 x 20:\n"
                      "a Linear(4096, 10) fits one image size only (\"mat1 and mat2 shapes "
                      "cannot be multiplied\").\n"
                      "Dropout is a module: model.eval() turns it off (deterministic outputs), "
                      "model.train() back on.", size=14)
    return dg


DIAGRAMS.update({
    "data_balanced_sampler.png": (
        diagram_data_balanced_sampler,
        "90/10 classes: shuffle keeps 90/10; WeightedRandomSampler (1 / class count per sample, "
        "with replacement) gives about 50/50 batches"),
    "transforms_pad_random_crop.png": (
        diagram_transforms_pad_random_crop,
        "pad(img, 16, fill=128) puts the original at (16, 16); random_crop draws top i, then "
        "left j, from the generator"),
    "modules_tinycnn_shapes.png": (
        diagram_modules_tinycnn_shapes,
        "TinyCNN shapes for 32x32 and 57x20 inputs: AdaptiveAvgPool2d(1) makes both (B, 16)"),
    "modules_lstm_cell_unroll.png": (
        diagram_modules_lstm_cell_unroll,
        "an LSTMCell unrolled over 4 steps, (h, c) carried from step to step, outputs stacked "
        "along dim 1"),
})


# --------------------------------------------------------------------------------------
# README and main
# --------------------------------------------------------------------------------------


def readme_text() -> str:
    lines = [
        "# assets_picture",
        "",
        "Generated files: do not edit by hand. Regenerate them all with",
        "",
        "```",
        "python scripts/make_pictures.py [--out assets_picture]",
        "```",
        "",
        "The script is deterministic (fixed seeds, Pillow's built-in font, no network):",
        "running it again gives byte-identical files.",
        "",
        "## images/ (test images for the transforms exercise)",
        "",
        "Synthetic but photo-like (gradients, shapes, noise), so resizing and cropping",
        "mistakes change pixel values.",
        "",
    ]
    for name, (_, desc) in IMAGES.items():
        lines.append(f"- `images/{name}`: {desc}")
    lines += ["", "## Diagrams (one per topic)", ""]
    for name, (_, desc) in DIAGRAMS.items():
        lines.append(f"- `{name}`: {desc}")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="assets_picture", type=Path,
                        help="output folder (default: assets_picture)")
    args = parser.parse_args(argv)
    out: Path = args.out
    written = []
    for name, (make, _) in IMAGES.items():
        path = out / "images" / name
        save_png(make(), path)
        written.append(path)
    for name, (make, _) in DIAGRAMS.items():
        path = out / name
        make().save(path)
        written.append(path)
    readme = out / "README.md"
    readme.write_text(readme_text(), encoding="utf-8")
    written.append(readme)
    total = sum(p.stat().st_size for p in written)
    for p in written:
        print(f"{p.stat().st_size:8d}  {p}")
    print(f"{total:8d}  total ({len(written)} files)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
