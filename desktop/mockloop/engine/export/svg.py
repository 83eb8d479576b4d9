"""The difficulty radar drawn as a standalone SVG: performance polygon over the bank's difficulty polygon."""

from __future__ import annotations

import math
from html import escape

from mockloop.engine.progress.radar import Radar

PERFORMANCE_COLOUR = "#1f6fd1"
DIFFICULTY_COLOUR = "#e07b24"
_RINGS = (25, 50, 75, 100)


def _point(cx: float, cy: float, radius: float, index: int, count: int, value: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count  # first axis straight up, then clockwise
    r = radius * max(0.0, min(100.0, value)) / 100.0
    return cx + r * math.cos(angle), cy + r * math.sin(angle)


def _points(cx: float, cy: float, radius: float, values: list[float]) -> str:
    return " ".join("%.1f,%.1f" % _point(cx, cy, radius, i, len(values), v) for i, v in enumerate(values))


SIZE = 360  # diameter of the 100 ring
MARGIN_X, MARGIN_Y, LEGEND = 190, 62, 30
WIDTH, HEIGHT = SIZE + 2 * MARGIN_X, SIZE + 2 * MARGIN_Y + LEGEND


def _wrap(text: str, width: int = 22) -> list[str]:
    """An axis name on at most two lines."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        elif len(lines) < 2:
            lines.append(word)
        else:
            lines[-1] += " " + word
    return lines or [""]


def radar_svg(radar: Radar, *, title: str | None = None) -> str:
    """An SVG document (no scripts, no external references) with every label escaped.

    Axes without answers sit at the centre of the performance polygon and their label says so.
    """
    axes = list(radar.axes)
    cx, cy, radius = WIDTH / 2, MARGIN_Y + SIZE / 2, SIZE / 2
    label = escape(title or f"Difficulty radar: {radar.bank_name}", quote=True)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}" '
             'font-family="Helvetica, Arial, sans-serif" font-size="12">',
             f"<title>{label}</title>",
             f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>']
    n = len(axes)
    if n < 3:
        parts.append(f'<text x="{cx:.0f}" y="{cy:.0f}" text-anchor="middle" fill="#555">'
                     "A radar needs at least three axes.</text></svg>")
        return "".join(parts)
    for ring in _RINGS:
        parts.append(f'<polygon points="{_points(cx, cy, radius, [ring] * n)}" fill="none" stroke="#d0d0d0" '
                     f'stroke-width="1"/>')
    for i in range(n):
        x, y = _point(cx, cy, radius, i, n, 100)
        parts.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#d0d0d0" stroke-width="1"/>')
    difficulty = [a.difficulty_pct or 0.0 for a in axes]
    performance = [a.performance or 0.0 for a in axes]
    parts.append(f'<polygon class="difficulty" points="{_points(cx, cy, radius, difficulty)}" fill="{DIFFICULTY_COLOUR}" '
                 f'fill-opacity="0.25" stroke="{DIFFICULTY_COLOUR}" stroke-width="2" stroke-dasharray="5,3"/>')
    parts.append(f'<polygon class="performance" points="{_points(cx, cy, radius, performance)}" fill="{PERFORMANCE_COLOUR}" '
                 f'fill-opacity="0.30" stroke="{PERFORMANCE_COLOUR}" stroke-width="2"/>')
    for i, axis in enumerate(axes):
        if axis.performance is not None:
            x, y = _point(cx, cy, radius, i, n, axis.performance)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{PERFORMANCE_COLOUR}"/>')
        parts += _label(axis, *_point(cx, cy, radius + 12, i, n, 100), cx, cy, radius)
    ly = HEIGHT - 14
    parts.append(f'<rect x="{cx - 150:.0f}" y="{ly - 10}" width="12" height="12" fill="{PERFORMANCE_COLOUR}" fill-opacity="0.6"/>'
                 f'<text x="{cx - 133:.0f}" y="{ly}">your performance</text>'
                 f'<rect x="{cx + 10:.0f}" y="{ly - 10}" width="12" height="12" fill="{DIFFICULTY_COLOUR}" fill-opacity="0.6"/>'
                 f'<text x="{cx + 27:.0f}" y="{ly}">topic difficulty</text>')
    parts.append("</svg>")
    return "".join(parts)


def _label(axis, x: float, y: float, cx: float, cy: float, radius: float) -> list[str]:
    """The axis name (up to two lines) and "score · n=answers" under it, placed outside the rings."""
    lines = _wrap(axis.name)
    score = "no answers" if axis.performance is None else f"{axis.performance:.0f}"
    lines_text = [(line, 'font-weight="bold" fill="#222"') for line in lines]
    lines_text.append((f"{score} · n={axis.answers}", 'fill="#555"'))
    anchor = "middle" if abs(x - cx) < 8 else ("start" if x > cx else "end")
    extra = 14 * (len(lines_text) - 1)  # from the first baseline to the last
    if y < cy - radius * 0.9:
        first = y - 4 - extra  # above the top axis
    elif y > cy + radius * 0.9:
        first = y + 12  # below the bottom axis
    else:
        first = y + 4 - extra / 2
    return [f'<text x="{x:.1f}" y="{first + 14 * k:.1f}" text-anchor="{anchor}" {style}>{escape(text)}</text>'
            for k, (text, style) in enumerate(lines_text)]
