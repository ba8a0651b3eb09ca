"""Small, self-contained SVG charts for the static RunDetails view: line charts and parallel coordinates.

Hand-written because no library makes small inline SVG charts without a browser (plotly's static
export needs Kaleido and Chromium, matplotlib's SVG is heavy and a large dependency). Everything uses
presentation attributes (fill=, stroke=), never CSS classes or scripts, so HTML sanitizers (GitHub,
JupyterLab for untrusted output) keep the look; text and axes use ``currentColor`` so they follow the
page's text colour in light and dark themes.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

from hdnotebook.results.charts import PALETTE, VIRIDIS, axis_kind, category_labels

MAX_POINTS = 200
FONT = 'font-family="sans-serif" font-size="11"'


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(value: float) -> str:
    """A coordinate with one decimal (pixels), without a trailing '.0'."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def label(value: float) -> str:
    """A tick label: 4 significant digits."""
    return f"{value:.4g}"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values covering [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return []
    if high == low:
        return [low]
    raw = (high - low) / max(1, count)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step - 1e-9) * step
    return [round(first + k * step, 12) for k in range(int((high - first) / step + 1e-9) + 1)]


def downsample(values: Sequence[float | None], limit: int = MAX_POINTS) -> list[tuple[int, float]]:
    """(1-based index, value) pairs of the finite values, at most ``limit`` of them, evenly spaced, last kept."""
    points = [(i + 1, float(v)) for i, v in enumerate(values) if v is not None and math.isfinite(v)]
    if len(points) <= limit:
        return points
    step = (len(points) - 1) / (limit - 1)
    return [points[round(k * step)] for k in range(limit)]


def viridis(t: float) -> str:
    """The Viridis colour at ``t`` in [0, 1] as #rrggbb."""
    t = min(1.0, max(0.0, t)) * (len(VIRIDIS) - 1)
    k = min(int(t), len(VIRIDIS) - 2)
    f = t - k
    rgb = [round(a + (b - a) * f) for a, b in zip(VIRIDIS[k], VIRIDIS[k + 1])]
    return "#" + "".join(f"{c:02x}" for c in rgb)


def _frame(width: int, height: int, title: str, testid: str, body: str) -> str:
    return (f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" data-testid="{testid}" style="max-width:100%;height:auto;color:inherit">'
            f'<title>{_esc(title)}</title>'
            f'<text x="{width / 2}" y="16" text-anchor="middle" fill="currentColor" font-family="sans-serif" '
            f'font-size="13" font-weight="bold">{_esc(title)}</text>{body}</svg>')


def line_chart(series: dict[str, Sequence[float | None]], title: str, x_title: str = "Interval",
               width: int = 640, height: int = 280, testid: str = "static-curves") -> str:
    """Lines of ``series`` (legend label -> values by interval), each downsampled to MAX_POINTS, with axis ticks."""
    lines = {name: downsample(values) for name, values in series.items()}
    lines = {name: pts for name, pts in lines.items() if pts}
    if not lines:
        return ""
    left, right, top, bottom = 58, 110 if len(lines) > 1 else 16, 28, 40
    xs = [p[0] for pts in lines.values() for p in pts]
    ys = [p[1] for pts in lines.values() for p in pts]
    x0, x1 = min(xs), max(max(xs), min(xs) + 1)
    y0, y1 = min(ys), max(ys)
    pad = (y1 - y0) * 0.05 or 0.5  # lines at the extremes stay off the frame
    y0, y1 = y0 - pad, y1 + pad
    plot_w, plot_h = width - left - right, height - top - bottom
    sx = lambda x: left + (x - x0) / (x1 - x0) * plot_w  # noqa: E731
    sy = lambda y: top + (1 - (y - y0) / (y1 - y0)) * plot_h  # noqa: E731
    parts = [f'<g stroke="currentColor" stroke-opacity="0.5" fill="none">'
             f'<path d="M{left} {top}V{top + plot_h}H{left + plot_w}"/></g><g fill="currentColor" {FONT}>']
    for y in nice_ticks(y0, y1):
        parts.append(f'<text x="{left - 6}" y="{_num(sy(y) + 4)}" text-anchor="end">{label(y)}</text>'
                     f'<path d="M{left} {_num(sy(y))}h{plot_w}" stroke="currentColor" stroke-opacity="0.12"/>')
    for x in nice_ticks(x0, x1):
        if float(x).is_integer():
            parts.append(f'<text x="{_num(sx(x))}" y="{top + plot_h + 15}" text-anchor="middle">{label(x)}</text>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{height - 6}" text-anchor="middle">{_esc(x_title)}</text></g>')
    for k, (name, pts) in enumerate(lines.items()):
        color = PALETTE[k % len(PALETTE)]
        if len(pts) == 1:
            parts.append(f'<circle cx="{_num(sx(pts[0][0]))}" cy="{_num(sy(pts[0][1]))}" r="3" fill="{color}"/>')
        else:
            path = "M" + "L".join(f"{_num(sx(x))} {_num(sy(y))}" for x, y in pts)
            parts.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="1.5"/>')
        if len(lines) > 1:
            ly = top + 6 + k * 16
            parts.append(f'<path d="M{width - right + 10} {ly}h16" stroke="{color}" stroke-width="2"/>'
                         f'<text x="{width - right + 30}" y="{ly + 4}" fill="currentColor" {FONT}>{_esc(name)}</text>')
    return _frame(width, height, title, testid, "".join(parts))


class Axis:
    """One axis of parallel coordinates: numeric (optionally log10) or categorical (``results.charts.axis_kind``)."""

    def __init__(self, title: str, values: Sequence[object], log: bool = False, choices: Sequence[object] | None = None) -> None:
        self.title = title
        kind = axis_kind({"log": log, "choices": choices}, values)
        self.categorical = kind == "category"
        self.log = kind == "log"
        if self.categorical:
            self.labels = category_labels(choices, values)
            self.low, self.high = -0.5, max(0.5, len(self.labels) - 0.5)
        else:
            numbers = [self._raw(v) for v in values]
            numbers = [n for n in numbers if n is not None]
            self.low, self.high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
            if self.low == self.high:
                self.low, self.high = self.low - 0.5, self.high + 0.5

    def _raw(self, value: object) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return None
        if self.log:
            return math.log10(value) if value > 0 else None
        return float(value)

    def position(self, value: object) -> float | None:
        """``value`` on this axis as a fraction 0 (bottom) to 1 (top), or None when it cannot be placed."""
        if self.categorical:
            if value is None or str(value) not in self.labels:
                return None
            raw: float | None = float(self.labels.index(str(value)))
        else:
            raw = self._raw(value)
        return None if raw is None else (raw - self.low) / (self.high - self.low)

    def ticks(self) -> list[tuple[float, str]]:
        """(fraction, label) pairs; a log axis is labelled with the values, not their log10."""
        if self.categorical:
            return [((k - self.low) / (self.high - self.low), text) for k, text in enumerate(self.labels)]
        return [((t - self.low) / (self.high - self.low), label(10 ** t if self.log else t))
                for t in nice_ticks(self.low, self.high, 4)]


def parallel_coordinates(axes: list[Axis], rows: Sequence[Sequence[object]], colour_by: Sequence[float | None],
                         reverse: bool, title: str, width: int = 640, height: int = 300,
                         testid: str = "static-parcoords") -> str:
    """One polyline per row across ``axes`` (row[k] is its value on axes[k]), coloured by ``colour_by`` on a
    Viridis scale (``reverse`` for a metric to minimize, so the best runs are yellow either way)."""
    if not axes or not rows:
        return ""
    left, right, top, bottom = 40, 40, 44, 30
    gap = (width - left - right) / max(1, len(axes) - 1)
    plot_h = height - top - bottom
    xs = [left + k * gap if len(axes) > 1 else width / 2 for k in range(len(axes))]
    known = [c for c in colour_by if c is not None and math.isfinite(c)]
    c0, c1 = (min(known), max(known)) if known else (0.0, 1.0)
    parts = ['<g fill="none" stroke-width="1.2" stroke-opacity="0.75">']
    goodness = [(-math.inf if c is None else (-c if reverse else c)) for c in colour_by]
    for i in sorted(range(len(rows)), key=lambda i: goodness[i]):  # the best drawn last, on top
        points = [(x, axis.position(v)) for x, axis, v in zip(xs, axes, rows[i])]
        if any(p is None for _, p in points):
            continue
        c = colour_by[i]
        t = 0.5 if c is None or c1 == c0 else (c - c0) / (c1 - c0)
        color = viridis(1 - t if reverse else t) if c is not None else "#999999"
        path = "M" + "L".join(f"{_num(x)} {_num(top + (1 - p) * plot_h)}" for x, p in points)
        parts.append(f'<path d="{path}" stroke="{color}"/>')
    parts.append(f'</g><g fill="currentColor" {FONT}>')
    for x, axis in zip(xs, axes):
        parts.append(f'<path d="M{_num(x)} {top}v{plot_h}" stroke="currentColor" stroke-opacity="0.6"/>'
                     f'<text x="{_num(x)}" y="{top - 10}" text-anchor="middle" font-weight="bold">'
                     f'{_esc(axis.title + (" (log)" if axis.log else ""))}</text>')
        for fraction, text in axis.ticks():
            y = top + (1 - fraction) * plot_h
            parts.append(f'<path d="M{_num(x - 3)} {_num(y)}h6" stroke="currentColor"/>'
                         f'<text x="{_num(x + 5)}" y="{_num(y + 4)}">{_esc(text[:14])}</text>')
    parts.append("</g>")
    return _frame(width, height, title, testid, "".join(parts))
