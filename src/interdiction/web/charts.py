"""Charts as inline SVG drawn on the server: no chart library, nothing fetched by the browser,
readable without JavaScript. Every label is escaped (sources and names come from clients)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from markupsafe import Markup, escape

# Okabe–Ito colours: told apart with the common colour-vision deficiencies.
PALETTE = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#d55e00",
    "#cc79a7",
    "#56b4e9",
    "#f0e442",
    "#000000",
)
OTHER_COLOUR = "#9aa4ae"
MAX_SERIES = len(PALETTE)

WIDTH, HEIGHT = 760, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 26


def day_range(days: int, today: date) -> list[str]:
    """The last ``days`` days up to ``today``, as ISO dates (the charts' x axis)."""
    return [(today - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]


def _nice_max(value: int) -> int:
    """A round axis maximum at or above ``value``: 1, 2, 5, 10, 20, 50 ..."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def stacked_by_day(
    title: str,
    days: list[str],
    rows: Iterable[tuple[str, str, int]],
    names: Mapping[str, str] | None = None,
) -> Markup:
    """Bars per day, stacked by series, from (day, series, count) rows. The largest series get
    a colour each; the rest are drawn together as "other"."""
    names = names or {}
    counts: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for day, series, n in rows:
        counts.setdefault(series, {})
        counts[series][day] = counts[series].get(day, 0) + n
        totals[series] = totals.get(series, 0) + n
    ranked = sorted(totals, key=lambda s: (-totals[s], s))
    shown, rest = ranked[: MAX_SERIES - 1], ranked[MAX_SERIES - 1 :]
    if len(rest) == 1:
        shown, rest = ranked, []
    series = [(s, names.get(s, s), PALETTE[i], counts[s]) for i, s in enumerate(shown)]
    if rest:
        other: dict[str, int] = {}
        for s in rest:
            for day, n in counts[s].items():
                other[day] = other.get(day, 0) + n
        series.append(("", f"other ({len(rest)})", OTHER_COLOUR, other))

    per_day = [sum(c.get(day, 0) for _, _, _, c in series) for day in days]
    top = _nice_max(max(per_day, default=0) or 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(days), 1)
    bar = max(slot * 0.8, 1.0)

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0, top // 2, top) if top % 2 == 0 else (0, top):
        y = TOP + plot_h - plot_h * tick / top
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">{tick}</text>'
        )
    label_every = max(1, round(len(days) / 8))
    for index, day in enumerate(days):
        x = LEFT + index * slot + (slot - bar) / 2
        y = TOP + plot_h
        for _key, name, colour, per in series:
            n = per.get(day, 0)
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{escape(day)} · {escape(name)}: {n}</title></rect>'
            )
        if index % label_every == 0 or index == len(days) - 1:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - 8}" class="axis" '
                f'text-anchor="middle">{escape(day[5:])}</text>'
            )
    parts.append("</svg>")
    legend = "".join(
        f'<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" '
        f'fill="{colour}"/></svg> {escape(name)} '
        f'<span class="muted">{sum(per.values())}</span></li>'
        for _key, name, colour, per in series
    )
    empty = "" if series else '<p class="muted">Nothing in this period.</p>'
    return Markup(
        f'<figure class="chart-box"><figcaption>{escape(title)}</figcaption>{"".join(parts)}'
        f'<ul class="legend">{legend}</ul>{empty}</figure>'
    )


def totals_bars(title: str, values: Iterable[tuple[str, int]]) -> Markup:
    """Horizontal bars for totals (items per substance, decisions per action)."""
    values = [(name, n) for name, n in values if n]
    row, label_w, width = 20, 210, 520
    height = max(row * len(values), row)
    top = max((n for _, n in values), default=1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (name, n) in enumerate(values):
        y = index * row
        w = (width - label_w - 50) * n / top
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" class="axis" text-anchor="end">'
            f"{escape(_shorten(name))}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" '
            f'fill="{PALETTE[0]}"><title>{escape(name)}: {n}</title></rect>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 14}" class="axis">{n}</text>'
        )
    parts.append("</svg>")
    empty = "" if values else '<p class="muted">Nothing in this period.</p>'
    return Markup(
        f'<figure class="chart-box"><figcaption>{escape(title)}</figcaption>'
        f"{''.join(parts) if values else ''}{empty}</figure>"
    )


def _shorten(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
