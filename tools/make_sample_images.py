#!/usr/bin/env python3
"""Regenerate every SVG image used by the sample site (The Millbrook Courier).

Writes into content/images/:

- heroes/<slug>.svg   1200x675 abstract illustration for every article that names
                      one in its front matter (``image: src: /images/heroes/...``);
- authors/<id>.svg    256x256 avatar (initials on a coloured circle) for every
                      author profile that names one (``avatar: /images/authors/...``);
- sandbags.svg        the in-body figure of the Eastgate flood wall article;
- courier-logo.svg    the masthead emblem (the theme prints the title beside it).

Standard library only. The output is deterministic: every "random" choice comes
from a generator seeded with the image's name, numbers are printed with fixed
precision, and nothing depends on the clock, the locale or the file system's
listing order. Files whose bytes would not change are left untouched, so their
modification times survive a re-run.

Usage: python3 tools/make_sample_images.py [--site DIR]

Exits 1 if the content references an /images/*.svg file that this script did not
produce (so a new article with a typo in its hero path is caught here).
"""

from __future__ import annotations

import argparse
import hashlib
import math
import random
import re
import sys
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

HERO_W, HERO_H = 1200, 675
AVATAR_SIZE = 256
ACCENT = "#8b1e1e"
SERIF = "Georgia, 'Times New Roman', serif"
SANS = "'Helvetica Neue', Arial, sans-serif"


# --- tiny SVG writer ---------------------------------------------------------


def num(value: float) -> str:
    """Format a number with at most one decimal, without a trailing '.0'."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def el(name: str, body: str | None = None, **attrs: object) -> str:
    """Return one SVG element; attribute names use '_' for '-' and a trailing '_' is dropped."""
    parts = [name]
    for key, value in attrs.items():
        if value is None:
            continue
        key = key.rstrip("_").replace("_", "-")
        if isinstance(value, float | int) and not isinstance(value, bool):
            value = num(value)
        parts.append(f"{key}={quoteattr(str(value))}")
    head = " ".join(parts)
    if body is None:
        return f"<{head}/>"
    return f"<{head}>{body}</{name}>"


def points(pairs: list[tuple[float, float]]) -> str:
    return " ".join(f"{num(x)},{num(y)}" for x, y in pairs)


def document(width: int, height: int, title: str, items: list[str], defs: list[str] | None = None,
             style: str | None = None) -> str:
    """Return a complete, accessible SVG document."""
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="title">',
        f'<title id="title">{escape(title)}</title>',
    ]
    if style:
        lines.append(f"<style>{style}</style>")
    if defs:
        lines.append("<defs>")
        lines.extend(defs)
        lines.append("</defs>")
    lines.extend(items)
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


def seeded(name: str) -> random.Random:
    """Return a generator seeded from a name, stable across runs and Python versions."""
    return random.Random(int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big"))


def linear_gradient(gid: str, stops: list[tuple[float, str]], vertical: bool = True) -> str:
    body = "".join(el("stop", offset=f"{num(o * 100)}%", stop_color=c) for o, c in stops)
    if vertical:
        return el("linearGradient", body, id=gid, x1=0, y1=0, x2=0, y2=1)
    return el("linearGradient", body, id=gid, x1=0, y1=0, x2=1, y2=0)


def wave_path(rng: random.Random, base: float, amp: float, length: float, bottom: float,
              width: float = HERO_W, step: float = 20) -> str:
    """Return a closed path: a sine-like wave at height `base`, filled down to `bottom`."""
    phase = rng.uniform(0, math.tau)
    pts = []
    x = 0.0
    while x <= width:
        pts.append((x, base + amp * math.sin(phase + x / length * math.tau)))
        x += step
    d = "M" + " L".join(f"{num(px)},{num(py)}" for px, py in pts)
    return d + f" L{num(width)},{num(bottom)} L0,{num(bottom)} Z"


def wave_line(rng: random.Random, base: float, amp: float, length: float, x0: float = 0,
              x1: float = HERO_W, step: float = 20) -> str:
    phase = rng.uniform(0, math.tau)
    pts = []
    x = x0
    while x <= x1:
        pts.append((x, base + amp * math.sin(phase + x / length * math.tau)))
        x += step
    return "M" + " L".join(f"{num(px)},{num(py)}" for px, py in pts)


# --- hero illustrations -----------------------------------------------------
# Each style takes a seeded generator and returns (defs, items) for a 1200x675 canvas.


def hero_chamber(rng: random.Random) -> tuple[list[str], list[str]]:
    """Tall arched council-chamber windows with a bar chart rising in front."""
    defs = [linear_gradient("glass", [(0, "#dfe7ee"), (1, "#b7c6d3")])]
    items = [el("rect", width=HERO_W, height=HERO_H, fill="#f4efe6"),
             el("rect", y=520, width=HERO_W, height=155, fill="#e4dccd")]
    for i in range(5):
        x, w, top, bottom = 90 + i * 220, 140, 90, 470
        r = w / 2
        d = (f"M{num(x)},{num(bottom)} V{num(top + r)} A{num(r)},{num(r)} 0 0 1 "
             f"{num(x + w)},{num(top + r)} V{num(bottom)} Z")
        items.append(el("path", d=d, fill="url(#glass)", stroke="#6f6454", stroke_width=6))
        items.append(el("line", x1=x + r, y1=top, x2=x + r, y2=bottom, stroke="#6f6454", stroke_width=4))
        for k in range(1, 4):
            y = top + r + k * (bottom - top - r) / 4
            items.append(el("line", x1=x, y1=y, x2=x + w, y2=y, stroke="#6f6454", stroke_width=3))
    height = 60.0
    for i in range(9):
        height += rng.uniform(10, 38)
        x = 150 + i * 100
        items.append(el("rect", x=x, y=560 - height, width=64, height=height, fill=ACCENT,
                        opacity=0.92))
    items.append(el("rect", x=100, y=560, width=1000, height=8, fill="#3b342c"))
    return defs, items


def hero_tram(rng: random.Random) -> tuple[list[str], list[str]]:
    """A red tram crossing a bridge in front of stylised buildings."""
    defs = [linear_gradient("sky", [(0, "#cfe0ea"), (1, "#f3efe4")])]
    items = [el("rect", width=HERO_W, height=HERO_H, fill="url(#sky)")]
    x = 0.0
    while x < HERO_W:
        w = rng.uniform(60, 140)
        h = rng.uniform(120, 300)
        shade = rng.choice(["#8da3b5", "#9fb2c1", "#7c93a6", "#a9b8c4"])
        items.append(el("rect", x=x, y=400 - h, width=w - 6, height=h, fill=shade))
        for wy in range(int(400 - h + 20), 380, 34):
            for wx in range(int(x + 12), int(x + w - 20), 26):
                if rng.random() < 0.55:
                    items.append(el("rect", x=wx, y=wy, width=12, height=16, fill="#f6e7b8", opacity=0.8))
        x += w
    items.append(el("rect", y=400, width=HERO_W, height=275, fill="#5d7f95"))
    for i in range(4):
        items.append(el("path", d=wave_line(rng, 560 + i * 28, 4, 180), fill="none",
                        stroke="#a8c3d3", stroke_width=3, opacity=0.7))
    items.append(el("rect", y=440, width=HERO_W, height=26, fill="#4a4440"))
    for i in range(6):
        cx = 100 + i * 200
        items.append(el("path", d=f"M{cx - 90},466 Q{cx},560 {cx + 90},466", fill="none",
                        stroke="#4a4440", stroke_width=14))
    items.append(el("line", x1=0, y1=250, x2=HERO_W, y2=250, stroke="#2e2a27", stroke_width=3))
    tx = 330
    items.append(el("line", x1=tx + 250, y1=330, x2=tx + 300, y2=250, stroke="#2e2a27", stroke_width=4))
    items.append(el("line", x1=tx + 350, y1=330, x2=tx + 300, y2=250, stroke="#2e2a27", stroke_width=4))
    items.append(el("rect", x=tx, y=330, width=560, height=110, rx=28, fill="#b3261e"))
    items.append(el("rect", x=tx, y=410, width=560, height=14, fill="#f2d16b"))
    for i in range(7):
        items.append(el("rect", x=tx + 30 + i * 74, y=348, width=56, height=44, rx=6, fill="#e8f1f6"))
    for wx in (tx + 90, tx + 170, tx + 390, tx + 470):
        items.append(el("circle", cx=wx, cy=442, r=16, fill="#2e2a27"))
    return defs, items


def hero_river(rng: random.Random) -> tuple[list[str], list[str]]:
    """Layered river lines rising against a brick wall, warehouses behind."""
    defs = [linear_gradient("sky", [(0, "#9aaab8"), (1, "#d9dee2")])]
    items = [el("rect", width=HERO_W, height=HERO_H, fill="url(#sky)")]
    x = 20.0
    while x < HERO_W:
        w = rng.uniform(150, 230)
        h = rng.uniform(110, 190)
        base = 330
        items.append(el("polygon", points=points([(x, base), (x, base - h), (x + w / 2, base - h - 50),
                                                  (x + w, base - h), (x + w, base)]),
                        fill=rng.choice(["#6d5a4b", "#7d6654", "#5e4d41"])))
        for row in range(2):
            for col in range(3):
                items.append(el("rect", x=x + 22 + col * (w - 50) / 3, y=base - h + 30 + row * 50,
                                width=22, height=30, fill="#3a302a"))
        x += w + rng.uniform(10, 40)
    items.append(el("rect", y=330, width=HERO_W, height=110, fill="#9c4a36"))
    for row in range(5):
        offset = 0 if row % 2 == 0 else 30
        for col in range(-1, HERO_W // 60 + 1):
            items.append(el("rect", x=col * 60 + offset + 2, y=332 + row * 22, width=56, height=18,
                            fill="#b15a43"))
    items.append(el("rect", y=322, width=HERO_W, height=12, fill="#7f7a74"))
    blues = ["#2f5d7c", "#3a7196", "#4b86ad", "#6aa1c4", "#8dbbd8"]
    for i, colour in enumerate(blues):
        items.append(el("path", d=wave_path(rng, 420 + i * 48, 10 + i * 2, rng.uniform(260, 420), HERO_H),
                        fill=colour, opacity=0.95))
    for i in range(6):
        items.append(el("path", d=wave_line(rng, 470 + i * 36, 5, 200, 0, HERO_W), fill="none",
                        stroke="#d8ecf6", stroke_width=2, opacity=0.5))
    return defs, items


def hero_rowing(rng: random.Random) -> tuple[list[str], list[str]]:
    """Two rowing boats crossing parallel river lines at sunset."""
    defs = [linear_gradient("sunset", [(0, "#f6b26b"), (0.55, "#e98a7a"), (1, "#7d5a8c")]),
            linear_gradient("water", [(0, "#5f5a8a"), (1, "#2d3f63")])]
    items = [el("rect", width=HERO_W, height=HERO_H, fill="url(#sunset)"),
             el("circle", cx=880, cy=300, r=90, fill="#fbe3a1", opacity=0.9),
             el("rect", y=330, width=HERO_W, height=345, fill="url(#water)")]
    for i in range(12):
        y = 350 + i * 27
        items.append(el("path", d=wave_line(rng, y, 3, rng.uniform(120, 260)), fill="none",
                        stroke="#f7c99b", stroke_width=2, opacity=0.25 + 0.04 * (i % 4)))
    for (bx, by, length, rowers) in ((150, 430, 620, 8), (420, 560, 520, 4)):
        items.append(el("path", d=f"M{bx},{by} Q{bx + length / 2},{by + 18} {bx + length},{by} "
                                  f"Q{bx + length / 2},{by + 6} {bx},{by} Z", fill="#1c1b2b"))
        gap = (length - 80) / rowers
        for k in range(rowers):
            rx = bx + 50 + k * gap
            side = -1 if k % 2 == 0 else 1
            items.append(el("line", x1=rx, y1=by + 2, x2=rx - 70, y2=by + 2 + side * 60,
                            stroke="#1c1b2b", stroke_width=4))
            items.append(el("circle", cx=rx, cy=by - 14, r=8, fill="#1c1b2b"))
            items.append(el("line", x1=rx, y1=by - 6, x2=rx + 4, y2=by + 4, stroke="#1c1b2b",
                            stroke_width=8))
    return defs, items


def gear(cx: float, cy: float, r: float, teeth: int, fill: str, rotation: float) -> list[str]:
    pts = []
    for i in range(teeth * 4):
        angle = rotation + i * math.tau / (teeth * 4)
        radius = r if i % 4 in (0, 1) else r * 0.82
        pts.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return [el("polygon", points=points(pts), fill=fill),
            el("circle", cx=cx, cy=cy, r=r * 0.3, fill="#14213d")]


def hero_robot(rng: random.Random) -> tuple[list[str], list[str]]:
    """A boxy robot with a gripper arm among interlocking gears."""
    items = [el("rect", width=HERO_W, height=HERO_H, fill="#14213d")]
    for gx, gy, gr, teeth in ((170, 170, 120, 12), (330, 330, 80, 9), (1010, 150, 100, 11),
                              (1080, 460, 140, 14), (140, 540, 90, 10)):
        items.extend(gear(gx, gy, gr, teeth, rng.choice(["#2b3a67", "#33467a", "#3d5a80"]),
                          rng.uniform(0, math.tau)))
    for i in range(14):
        y = rng.uniform(40, 640)
        items.append(el("line", x1=rng.uniform(0, 400), y1=y, x2=rng.uniform(800, 1200), y2=y,
                        stroke="#98c1d9", stroke_width=1, opacity=0.18))
    items += [
        el("rect", x=470, y=280, width=260, height=200, rx=24, fill="#e0fbfc"),
        el("rect", x=520, y=180, width=160, height=100, rx=18, fill="#c9e4ea"),
        el("line", x1=600, y1=180, x2=600, y2=130, stroke="#e0fbfc", stroke_width=8),
        el("circle", cx=600, cy=120, r=14, fill="#ee6c4d"),
        el("circle", cx=565, cy=228, r=18, fill="#14213d"),
        el("circle", cx=635, cy=228, r=18, fill="#14213d"),
        el("circle", cx=570, cy=223, r=6, fill="#98c1d9"),
        el("circle", cx=640, cy=223, r=6, fill="#98c1d9"),
        el("rect", x=510, y=320, width=80, height=50, rx=8, fill="#3d5a80"),
        el("rect", x=610, y=320, width=80, height=50, rx=8, fill="#ee6c4d"),
        el("polyline", points=points([(730, 330), (820, 300), (880, 380)]), fill="none",
           stroke="#e0fbfc", stroke_width=18, stroke_linecap="round", stroke_linejoin="round"),
        el("path", d="M880,380 l-30,40 M880,380 l0,48 M880,380 l30,40", stroke="#ee6c4d",
           stroke_width=10, stroke_linecap="round", fill="none"),
        el("rect", x=845, y=450, width=60, height=36, rx=6, fill="#f2cc8f", transform="rotate(-8 875 468)"),
    ]
    for wx in (510, 690):
        items.append(el("circle", cx=wx, cy=490, r=40, fill="#293241"))
        items.append(el("circle", cx=wx, cy=490, r=14, fill="#98c1d9"))
    items.append(el("rect", y=530, width=HERO_W, height=145, fill="#0d1629", opacity=0.7))
    return [], items


def hero_bakery(rng: random.Random) -> tuple[list[str], list[str]]:
    """Round loaves on shelves under a striped shop awning."""
    items = [el("rect", width=HERO_W, height=HERO_H, fill="#f7ead4")]
    stripe = 80
    for i in range(HERO_W // stripe):
        items.append(el("rect", x=i * stripe, y=0, width=stripe, height=130,
                        fill="#8b1e1e" if i % 2 == 0 else "#fbf4e6"))
        items.append(el("circle", cx=i * stripe + stripe / 2, cy=130, r=stripe / 2,
                        fill="#8b1e1e" if i % 2 == 0 else "#fbf4e6"))
    browns = ["#b5763b", "#a0652f", "#c98a4b", "#8f5626", "#d29a5a"]
    for shelf_y in (330, 520):
        items.append(el("rect", x=60, y=shelf_y, width=1080, height=18, fill="#6b4423"))
        x = 90.0
        while x < 1080:
            w = rng.uniform(120, 190)
            h = rng.uniform(70, 110)
            cx, cy = x + w / 2, shelf_y - h / 2
            items.append(el("ellipse", cx=cx, cy=cy, rx=w / 2, ry=h / 2, fill=rng.choice(browns)))
            for k in range(rng.randint(2, 4)):
                sx = cx - w / 4 + k * w / 8
                items.append(el("path", d=f"M{num(sx)},{num(cy - h / 4)} q{num(w / 12)},{num(h / 4)} 0,{num(h / 2)}",
                                fill="none", stroke="#f3d9a8", stroke_width=5, stroke_linecap="round",
                                opacity=0.85))
            x += w + rng.uniform(14, 40)
    items.append(el("rect", y=600, width=HERO_W, height=75, fill="#e6d2b0"))
    return [], items


def hero_jazz(rng: random.Random) -> tuple[list[str], list[str]]:
    """Sound waves and notes in gold and indigo over a striped festival tent."""
    defs = [linear_gradient("night", [(0, "#1b1747"), (1, "#3b2f7a")])]
    items = [el("rect", width=HERO_W, height=HERO_H, fill="url(#night)")]
    for i in range(40):
        items.append(el("circle", cx=rng.uniform(0, HERO_W), cy=rng.uniform(0, 260), r=rng.uniform(1, 3),
                        fill="#fdf0c2", opacity=rng.uniform(0.3, 0.9)))
    for i, colour in enumerate(["#f2b705", "#f29f05", "#f2d16b", "#e8a33d", "#fce38a"]):
        items.append(el("path", d=wave_line(rng, 220 + i * 26, 30 + i * 8, rng.uniform(260, 520), step=12),
                        fill="none", stroke=colour, stroke_width=4, opacity=0.85))
    for i in range(9):
        nx, ny = rng.uniform(80, 1120), rng.uniform(80, 320)
        items.append(el("ellipse", cx=nx, cy=ny, rx=16, ry=11, fill="#fdf0c2", transform=f"rotate(-20 {num(nx)} {num(ny)})"))
        items.append(el("line", x1=nx + 14, y1=ny - 2, x2=nx + 14, y2=ny - 60, stroke="#fdf0c2", stroke_width=4))
        if i % 3 == 0:
            items.append(el("path", d=f"M{num(nx + 14)},{num(ny - 60)} q22,10 18,34", fill="none",
                            stroke="#fdf0c2", stroke_width=4))
    apex, base_y, left, right = (600, 330), 640, 180, 1020
    n = 10
    for i in range(n):
        x0 = left + (right - left) * i / n
        x1 = left + (right - left) * (i + 1) / n
        items.append(el("polygon", points=points([apex, (x0, base_y), (x1, base_y)]),
                        fill="#c0392b" if i % 2 == 0 else "#f4ecd8"))
    items.append(el("line", x1=600, y1=330, x2=600, y2=280, stroke="#f4ecd8", stroke_width=5))
    items.append(el("polygon", points=points([(600, 280), (640, 292), (600, 304)]), fill="#f2b705"))
    items.append(el("rect", y=640, width=HERO_W, height=35, fill="#2e6b3a"))
    return defs, items


def hero_quote(rng: random.Random) -> tuple[list[str], list[str]]:
    """Large quotation marks floating above gentle waves (opinion)."""
    items = [el("rect", width=HERO_W, height=HERO_H, fill="#eaf2f5")]
    for i in range(7):
        items.append(el("path", d=wave_path(rng, 430 + i * 34, 8, rng.uniform(300, 500), HERO_H),
                        fill="#2f6f8f", opacity=0.16 + i * 0.06))
    for qx in (420, 640):
        items.append(el("circle", cx=qx, cy=230, r=70, fill=ACCENT))
        items.append(el("path", d=f"M{qx - 62},250 Q{qx - 50},360 {qx + 40},400 Q{qx - 5},330 {qx + 20},270 Z",
                        fill=ACCENT))
    items.append(el("rect", x=420, y=440, width=360, height=6, fill="#1d3b4a", opacity=0.6))
    return [], items


def hero_chart(rng: random.Random, values: list[tuple[str, float]] | None = None) -> tuple[list[str], list[str]]:
    """A bar chart over a faint street grid; values are (label, percent)."""
    if values is None:
        values = [(str(i + 1), rng.uniform(40, 95)) for i in range(6)]
    items = [el("rect", width=HERO_W, height=HERO_H, fill="#fbfbf8")]
    for i in range(16):
        x = rng.uniform(0, HERO_W)
        items.append(el("line", x1=x, y1=0, x2=x + rng.uniform(-120, 120), y2=HERO_H, stroke="#d9d6cc",
                        stroke_width=rng.choice([2, 6, 10]), opacity=0.5))
    for i in range(9):
        y = rng.uniform(0, HERO_H)
        items.append(el("line", x1=0, y1=y, x2=HERO_W, y2=y + rng.uniform(-60, 60), stroke="#d9d6cc",
                        stroke_width=rng.choice([2, 6]), opacity=0.5))
    left, base, top = 170, 560, 110
    for pct in (0, 25, 50, 75, 100):
        y = base - (base - top) * pct / 100
        items.append(el("line", x1=left - 20, y1=y, x2=1100, y2=y, stroke="#9a978d", stroke_width=1.5,
                        stroke_dasharray="6 6" if pct else None))
        items.append(el("text", f"{pct}%", x=left - 30, y=y + 7, font_family=SANS, font_size=20,
                        text_anchor="end", fill="#5b5950"))
    slot = (1100 - left) / len(values)
    for i, (label, pct) in enumerate(values):
        h = (base - top) * pct / 100
        x = left + i * slot + slot * 0.18
        items.append(el("rect", x=x, y=base - h, width=slot * 0.64, height=h,
                        fill=ACCENT if pct < 70 else "#2f5d7c"))
        items.append(el("text", label, x=x + slot * 0.32, y=base + 40, font_family=SANS, font_size=24,
                        font_weight="bold", text_anchor="middle", fill="#2b2a26"))
    items.append(el("line", x1=left - 20, y1=base, x2=1100, y2=base, stroke="#2b2a26", stroke_width=3))
    return [], items


def hero_library(rng: random.Random) -> tuple[list[str], list[str]]:
    """Rows of book spines beneath a domed skylight."""
    defs = [linear_gradient("dome", [(0, "#fff8df"), (1, "#cfe3ea")])]
    items = [el("rect", width=HERO_W, height=HERO_H, fill="#5b1f24"),
             el("path", d="M300,230 A300,200 0 0 1 900,230 Z", fill="url(#dome)")]
    for i in range(1, 8):
        angle = math.pi * i / 8
        items.append(el("line", x1=600, y1=230, x2=600 - 300 * math.cos(angle), y2=230 - 200 * math.sin(angle),
                        stroke="#8a6d3b", stroke_width=4))
    for r in (100, 200):
        items.append(el("path", d=f"M{600 - r * 1.5},230 A{r * 1.5},{r} 0 0 1 {600 + r * 1.5},230",
                        fill="none", stroke="#8a6d3b", stroke_width=4))
    items.append(el("rect", x=260, y=226, width=680, height=14, fill="#8a6d3b"))
    colours = ["#2f5d7c", "#8b1e1e", "#c9a227", "#3f6e4a", "#6c4f7d", "#d17a3a", "#e9e1cc", "#1f2a44"]
    for shelf in range(3):
        top = 280 + shelf * 130
        items.append(el("rect", x=40, y=top + 116, width=1120, height=12, fill="#3a1216"))
        x = 50.0
        while x < 1150:
            w = rng.uniform(18, 38)
            h = rng.uniform(80, 112)
            if rng.random() < 0.08:
                x += w
                continue
            items.append(el("rect", x=x, y=top + 116 - h, width=w - 2, height=h, fill=rng.choice(colours)))
            items.append(el("rect", x=x + 3, y=top + 116 - h + 12, width=w - 8, height=4, fill="#f4ecd8",
                            opacity=0.6))
            x += w
    return defs, items


def hero_street(rng: random.Random) -> tuple[list[str], list[str]]:
    """A street seen from above with people as dots and a no-entry sign."""
    items = [el("rect", width=HERO_W, height=HERO_H, fill="#d8d2c4")]
    for side_y in (0, 470):
        x = 0.0
        while x < HERO_W:
            w = rng.uniform(90, 170)
            items.append(el("rect", x=x + 4, y=side_y + (10 if side_y == 0 else 40), width=w - 8, height=155,
                            fill=rng.choice(["#a0522d", "#b5651d", "#8c6f56", "#9e7b64", "#7a5c48"])))
            x += w
    items.append(el("rect", y=200, width=HERO_W, height=270, fill="#c4bdae"))
    items.append(el("rect", y=236, width=HERO_W, height=198, fill="#e9e4d8"))
    for i in range(12):
        tx = rng.uniform(40, 1100)
        items.append(el("rect", x=tx, y=rng.choice([250, 390]), width=30, height=30, rx=4, fill="#fbf7ee",
                        stroke="#8c8372", stroke_width=2))
    for i in range(70):
        items.append(el("circle", cx=rng.uniform(10, HERO_W - 10), cy=rng.uniform(212, 458),
                        r=rng.uniform(6, 10),
                        fill=rng.choice(["#2f5d7c", "#8b1e1e", "#c9a227", "#3f6e4a", "#6c4f7d", "#1f2a44"])))
    items += [el("circle", cx=1050, cy=120, r=70, fill="#c0392b", stroke="#ffffff", stroke_width=8),
              el("rect", x=1000, y=108, width=100, height=24, fill="#ffffff")]
    return [], items


HERO_STYLES = {
    "chamber": hero_chamber,
    "tram": hero_tram,
    "river": hero_river,
    "rowing": hero_rowing,
    "robot": hero_robot,
    "bakery": hero_bakery,
    "jazz": hero_jazz,
    "quote": hero_quote,
    "chart": hero_chart,
    "library": hero_library,
    "street": hero_street,
}

# Which illustration each article gets. An article not listed here gets a style
# picked from its slug, so a new sample article never breaks this script.
HERO_FOR_SLUG = {
    "council-budget-vote": "chamber",
    "tram-line-extension": "tram",
    "eastgate-flood-wall": "river",
    "millbrook-regatta": "rowing",
    "robotics-team-national-final": "robot",
    "penningtons-bakery-closing": "bakery",
    "riverside-jazz-festival-review": "jazz",
    "opinion-swim-in-the-wend": "quote",
    "bus-punctuality-data": "chart",
    "central-library-reopens": "library",
    "bridge-street-car-free-sundays": "street",
}

# The chart in the bus punctuality hero shows the on-time shares from the article's table.
CHART_VALUES = {
    "bus-punctuality-data": [("T1", 94.1), ("12", 84.0), ("1", 81.3), ("3", 77.6), ("22", 70.5), ("7", 62.4)],
}


def make_hero(slug: str, title: str) -> str:
    style = HERO_FOR_SLUG.get(slug)
    if style is None:
        names = sorted(HERO_STYLES)
        style = names[int(hashlib.sha256(slug.encode("utf-8")).hexdigest(), 16) % len(names)]
    rng = seeded("hero:" + slug)
    if style == "chart":
        defs, items = hero_chart(rng, CHART_VALUES.get(slug))
    else:
        defs, items = HERO_STYLES[style](rng)
    return document(HERO_W, HERO_H, title, items, defs)


# --- other images -------------------------------------------------------------

AVATAR_COLOURS = ["#8b1e1e", "#2f5d7c", "#3f6e4a", "#6c4f7d", "#b5651d", "#1f2a44", "#9c6b00", "#00727a"]
# The sample authors get distinct colours; anyone else gets one picked from their id.
AVATAR_COLOUR_FOR_ID = {
    "daniel-whitcombe": "#1f2a44",
    "lena-brandt": "#6c4f7d",
    "mara-okafor": "#b5651d",
    "priya-natarajan": "#00727a",
}


def initials(name: str) -> str:
    words = [w for w in re.split(r"[\s-]+", name) if w]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].upper()
    return (words[0][0] + words[-1][0]).upper()


def make_avatar(author_id: str, name: str) -> str:
    digest = hashlib.sha256(author_id.encode("utf-8")).digest()
    colour = AVATAR_COLOUR_FOR_ID.get(author_id, AVATAR_COLOURS[digest[0] % len(AVATAR_COLOURS)])
    c = AVATAR_SIZE / 2
    items = [
        el("circle", cx=c, cy=c, r=c, fill=colour),
        el("circle", cx=c, cy=c, r=c - 10, fill="none", stroke="#ffffff", stroke_width=3, opacity=0.35),
        el("text", escape(initials(name)), x=c, y=c + 2, font_family=SERIF, font_size=104, font_weight="bold",
           fill="#ffffff", text_anchor="middle", dominant_baseline="central"),
    ]
    return document(AVATAR_SIZE, AVATAR_SIZE, f"Portrait placeholder for {name}", items)


def make_sandbags() -> str:
    """The in-body figure: volunteers filling sandbags at Eastgate Quay."""
    w, h = 1200, 800
    rng = seeded("figure:sandbags")
    defs = [linear_gradient("sky", [(0, "#a9b9c6"), (1, "#e4e7e6")])]
    items = [el("rect", width=w, height=h, fill="url(#sky)")]
    x = 0.0
    while x < w:
        bw = rng.uniform(140, 240)
        bh = rng.uniform(120, 220)
        items.append(el("polygon", points=points([(x, 360), (x, 360 - bh), (x + bw / 2, 310 - bh),
                                                  (x + bw, 360 - bh), (x + bw, 360)]),
                        fill=rng.choice(["#7d7268", "#8a7f73", "#6f655c"])))
        x += bw + rng.uniform(8, 30)
    items.append(el("rect", y=360, width=w, height=300, fill="#b9b1a3"))
    items.append(el("rect", y=650, width=w, height=150, fill="#4b7693"))
    for i in range(5):
        items.append(el("path", d=wave_line(rng, 680 + i * 24, 4, 220, 0, w), fill="none", stroke="#cfe3ee",
                        stroke_width=2, opacity=0.5))
    items.append(el("path", d="M80,620 Q200,470 330,620 Z", fill="#d8b97c"))
    bag = "#c8a86b"
    for row, count in enumerate((7, 6, 5, 4)):
        y = 600 - row * 44
        start = 700 + row * 40
        for k in range(count):
            items.append(el("rect", x=start + k * 76 + rng.uniform(-3, 3), y=y, width=72, height=42, rx=16,
                            fill=bag, stroke="#8d7346", stroke_width=3))
    figures = [(380, "#8b1e1e", True), (500, "#2f5d7c", False), (610, "#3f6e4a", True), (1100, "#c9a227", False)]
    for fx, colour, carrying in figures:
        items += [
            el("circle", cx=fx, cy=430, r=24, fill="#5a4636"),
            el("rect", x=fx - 30, y=458, width=60, height=100, rx=20, fill=colour),
            el("rect", x=fx - 26, y=556, width=22, height=70, rx=8, fill="#2e2a27"),
            el("rect", x=fx + 4, y=556, width=22, height=70, rx=8, fill="#2e2a27"),
        ]
        if carrying:
            items.append(el("rect", x=fx - 34, y=500, width=68, height=40, rx=14, fill=bag, stroke="#8d7346",
                            stroke_width=3))
        else:
            items.append(el("line", x1=fx + 20, y1=480, x2=fx - 90, y2=610, stroke="#6b4423", stroke_width=8,
                            stroke_linecap="round"))
            items.append(el("path", d=f"M{fx - 110},600 l30,-10 l6,26 l-30,10 Z", fill="#7f7a74"))
    return document(w, h, "Volunteers fill sandbags on Eastgate Quay, with the river and warehouses behind",
                    items, defs)


def make_logo() -> str:
    """The masthead emblem: three river waves on a red roundel; lightens in dark mode.

    The default theme prints the site title next to the logo, so the logo carries no
    wordmark of its own.
    """
    size = 120
    style = (".disc{fill:#8b1e1e}.wave{stroke:#fdfcf8}"
             "@media (prefers-color-scheme: dark){.disc{fill:#e0857a}.wave{stroke:#121212}}")
    items = [el("circle", class_="disc", cx=60, cy=60, r=58)]
    for i, y in enumerate((42, 61, 80)):
        items.append(el("path", class_="wave", d=f"M21,{y} q10,-11 19.5,0 t19.5,0 t19.5,0 t19.5,0", fill="none",
                        stroke_width=7 - 1.5 * i, stroke_linecap="round"))
    return document(size, size, "The Millbrook Courier", items, style=style)


# --- reading the content ------------------------------------------------------


def front_matter(text: str) -> str:
    """Return the YAML front matter block of a Markdown file, or ''."""
    match = re.match(r"\A\ufeff?---\r?\n(.*?)\r?\n---\r?\n", text, re.S)
    return match.group(1) if match else ""


def scalar(block: str, key: str) -> str | None:
    """Return a simple `key: value` scalar from front matter (any indentation), unquoted."""
    match = re.search(rf"^\s*{re.escape(key)}:\s*(.+?)\s*$", block, re.M)
    if not match:
        return None
    value = match.group(1)
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1].replace('\\"', '"') if value[0] == '"' else value[1:-1].replace("''", "'")
    return value


def plan_images(site: Path) -> dict[str, str]:
    """Return {path under content/: SVG text} for every image this script owns."""
    content = site / "content"
    images: dict[str, str] = {}
    for md in sorted((content / "articles").rglob("*.md")):
        block = front_matter(md.read_text(encoding="utf-8"))
        match = re.search(r"^\s*src:\s*[\"']?/images/heroes/([a-z0-9-]+)\.svg", block, re.M)
        if not match:
            match = re.search(r"^image:\s*[\"']?/images/heroes/([a-z0-9-]+)\.svg", block, re.M)
        if match:
            slug = match.group(1)
            title = scalar(block, "alt") or scalar(block, "title") or slug
            images[f"images/heroes/{slug}.svg"] = make_hero(slug, title)
    for md in sorted((content / "authors").glob("*.md")):
        block = front_matter(md.read_text(encoding="utf-8"))
        avatar = scalar(block, "avatar") or ""
        match = re.fullmatch(r"/images/authors/([a-z0-9-]+)\.svg", avatar)
        if match:
            images[f"images/authors/{match.group(1)}.svg"] = make_avatar(md.stem, scalar(block, "name") or md.stem)
    images["images/sandbags.svg"] = make_sandbags()
    images["images/courier-logo.svg"] = make_logo()
    return images


def referenced_images(site: Path) -> set[str]:
    """Return every /images/...svg path mentioned in config.yaml or the Markdown content."""
    sources = [site / "config.yaml", *sorted((site / "content").rglob("*.md"))]
    found: set[str] = set()
    for src in sources:
        if src.exists():
            found.update(m.group(1) for m in re.finditer(r"/(images/[A-Za-z0-9_./-]+\.svg)",
                                                         src.read_text(encoding="utf-8")))
    return found


def write_if_changed(target: Path, text: str) -> bool:
    data = text.encode("utf-8")
    if target.exists() and target.read_bytes() == data:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="site folder (default: the repository root)")
    args = parser.parse_args(argv)
    site: Path = args.site
    images = plan_images(site)
    written = 0
    for rel in sorted(images):
        if write_if_changed(site / "content" / rel, images[rel]):
            written += 1
    print(f"{len(images)} images, {written} written, {len(images) - written} unchanged")
    missing = sorted(referenced_images(site) - set(images))
    for rel in missing:
        print(f"error: content references /{rel}, which this script does not generate", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
