"""Charts drawn on the server as SVG, for the printed brief (WeasyPrint has no JavaScript, and no browser runs).

Reads the same ECharts option the page renders (category x axis; bar and line series; a second y axis for
rates), so the brief and the screen show the same series.
"""

from xml.sax.saxutils import escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 48, 34, 56
COLOURS = ("#b3261e", "#2f6db5", "#e39b2d", "#3c9a5f", "#7a4fa3", "#888888")


def _max(values) -> float:
    numbers = [v for v in values if v is not None]
    top = max(numbers, default=0) or 1
    return top * 1.1


def svg_chart(option: dict) -> str:
    categories = option["xAxis"]["data"]
    series = option["series"]
    n = max(len(categories), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / n
    scales = {axis: _max(v for s in series if s.get("yAxisIndex", 0) == axis for v in s["data"]) for axis in (0, 1)}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'font-size="10">',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="#333"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#333"/>',
    ]
    for tick in range(5):
        y = TOP + plot_h - plot_h * tick / 4
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y + 3:.1f}" text-anchor="end">{_num(scales[0] * tick / 4)}</text>')
        if any(s.get("yAxisIndex") == 1 for s in series):
            parts.append(f'<text x="{LEFT + plot_w + 4}" y="{y + 3:.1f}">{_num(scales[1] * tick / 4)}%</text>')
    for i, name in enumerate(categories):
        x = LEFT + step * (i + 0.5)
        label = escape(str(name))[:8]
        parts.append(
            f'<text x="{x:.1f}" y="{TOP + plot_h + 14}" text-anchor="end" '
            f'transform="rotate(-30 {x:.1f} {TOP + plot_h + 14})">{label}</text>'
        )
    bars = [s for s in series if s["type"] == "bar"]
    width = step * 0.8 / max(len(bars), 1)
    for index, s in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        scale = scales[s.get("yAxisIndex", 0)]
        points = []
        for i, value in enumerate(s["data"]):
            if value is None:
                continue
            height = plot_h * value / scale
            if s["type"] == "bar":
                b = bars.index(s)
                x = LEFT + step * i + step * 0.1 + width * b
                parts.append(
                    f'<rect x="{x:.1f}" y="{TOP + plot_h - height:.1f}" width="{width:.1f}" height="{height:.1f}" '
                    f'fill="{colour}"/>'
                )
            else:
                points.append(f"{LEFT + step * (i + 0.5):.1f},{TOP + plot_h - height:.1f}")
        if points:
            parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        parts.append(
            f'<rect x="{LEFT + index * 110}" y="6" width="10" height="10" fill="{colour}"/>'
            f'<text x="{LEFT + index * 110 + 14}" y="15">{escape(s["name"])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _num(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"
