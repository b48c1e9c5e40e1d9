"""A one-row figure of several panels laid out again as a column, for a narrow screen (a phone).

Side by side, four panels on a 390 px screen leave each ~80 px: their titles run into each other and
the numbers in the cells into each other. stacked() gives every panel the full width, its title above
it, panels from top to bottom in their left-to-right order; the animation's play buttons and slider
get rows of their own under the panels, its equation wraps. Same traces, frames and numbers: only
where things are drawn changes.
"""
from __future__ import annotations

import re

WIDTH = 350  # px across a panel on a phone (a 390 px screen less the page's padding)
CELL = 44  # px: the largest square cell of a grid with numbers
TITLE = 30  # px above a panel for its title
TICKS = 36  # px under a panel whose x axis shows its tick labels (the margin's pad, standoff and the labels)
AXIS_TITLE = 24  # px more under a panel whose x axis has a title; px more at the left for a y axis title
LEGEND = 80  # px under the figure for a legend (its entries in rows)
BUTTONS, SLIDER = 44, 70  # px under the panels: the play buttons' row, then the slider with its label


def axis_names(layout):
    """'', '2', '3', ... for the x axes of the layout, in order."""
    found = [k[len("xaxis"):] for k in layout if re.fullmatch(r"xaxis\d*", k)]
    return sorted(found, key=lambda n: int(n or 1))


def is_one_row(figure):
    """Several x axes side by side, each over the full height (make_subplots(rows=1, cols=n))."""
    layout = figure.get("layout", {})
    names = axis_names(layout)
    return len(names) > 1 and all(list(layout.get(f"yaxis{n}", {}).get("domain", [0, 1])) == [0, 1]
                                  and "domain" in layout[f"xaxis{n}"] for n in names)


def _shape(z):
    """(rows, cols) of a heatmap's z: nested lists, a numpy array or Plotly's typed-array spec."""
    if isinstance(z, dict) and "shape" in z:
        dims = [int(d) for d in re.findall(r"\d+", str(z["shape"]))]
        return (1, dims[0]) if len(dims) == 1 else (dims[0], dims[1])
    if hasattr(z, "shape"):
        return (1, z.shape[0]) if z.ndim == 1 else z.shape[:2]
    rows = len(z)
    return (rows, len(z[0]) if rows and isinstance(z[0], (list, tuple)) else 1) if rows else (1, 1)


def is_picture(traces):
    """A panel of a photo or map (no numbers in cells): two fit side by side on a phone."""
    drawn = [t for t in traces if t.get("type", "scatter") != "scatter"]  # outlines and marks aside
    return bool(drawn) and all(t.get("type") == "image" or (t.get("type") == "heatmap" and not t.get("texttemplate"))
                               for t in drawn)


def panel_height(traces, width=WIDTH):
    """px for one panel `width` px wide: grids with numbers get square cells of at most CELL px, pictures
    keep their aspect (at most WIDTH px tall), other plots 0.6 of the width."""
    heights = []
    for trace in traces:
        if trace.get("type") == "heatmap" and trace.get("z") is not None:
            rows, cols = _shape(trace["z"])
            cell = min(width / cols, CELL) if trace.get("texttemplate") else width / cols
            heights.append(rows * cell)
        elif trace.get("type") == "image":
            heights.append(width)
    return max(60.0, min(WIDTH, max(heights))) if heights else 0.6 * width


def wrap(text, chars):
    """An equation broken into lines of at most ~chars characters (at ' + ' and ' = '), joined by <br>."""
    if not text or len(text) <= chars:
        return text
    lines, line = [], ""
    for part in re.split(r"(?<= [+=]) ", text):  # keeps the operator at the end of a line
        if line and len(line) + len(part) > chars:
            lines.append(line.rstrip())
            line = ""
        line += part + " "
    return "<br>".join(lines + [line.rstrip()])


def stacked(figure):
    """The figure (a plain dict) with its one row of panels as a column (pictures two a row); None if it is
    not one row of panels."""
    if not is_one_row(figure):
        return None
    layout = dict(figure["layout"])
    names = axis_names(layout)
    on = {n: [t for t in figure["data"] if t.get("xaxis", "x") == f"x{n}"] for n in names}
    per_row = 2 if all(is_picture(on[n]) for n in names) else 1
    gap = 0.04 if per_row > 1 else 0.0
    panel_width = WIDTH * (1 - gap * (per_row - 1)) / per_row
    rows = [names[i:i + per_row] for i in range(0, len(names), per_row)]
    font = layout.get("font", {}).get("size", 14)
    titles = {n: a for n in names for a in layout.get("annotations", ()) if _is_title_of(a, layout[f"xaxis{n}"])}
    title_px = [max((titles[n]["text"].count("<br>") + 1) * round(1.3 * titles[n].get("font", {}).get("size", font))
                    + 8 if n in titles else 4 for n in row) for row in rows]
    heights = [max(panel_height(on[n], panel_width) for n in row) for row in rows]
    ticks = [max(_under(layout[f"xaxis{n}"]) for n in row) for row in rows]
    y_titles = any(_has_title(layout.get(f"yaxis{n}", {})) for n in names)
    legend = any(t.get("showlegend") for t in figure["data"]) and layout.get("showlegend", True)
    title = dict(layout.get("title") or {})
    title_font = title.get("font", {}).get("size", font + 2)
    chars = int(WIDTH / (0.55 * title_font))
    frames = [{**f, "layout": {**f["layout"], "title": {**f["layout"]["title"],
                                                       "text": wrap(f["layout"]["title"]["text"], chars)}}}
              if "title" in f.get("layout", {}) else f for f in figure.get("frames", ())]
    texts = [title.get("text") or ""] + [f["layout"]["title"]["text"] for f in frames if "title" in f.get("layout", {})]
    lines = max(t.count("<br>") + 1 if t else 0 for t in texts)
    animated = bool(layout.get("sliders"))
    top = 10 + lines * round(1.4 * title_font) + (16 if lines else 0)
    bottom = (BUTTONS + SLIDER if animated else 10) + ticks[-1] + (LEGEND if legend else 0)
    inner = sum(heights) + sum(title_px) + sum(ticks[:-1])  # the last row's ticks go in the bottom margin
    layout.update(height=round(inner + top + bottom),
                  margin={**layout.get("margin", {}), "t": top, "b": bottom, "l": (30 if per_row == 1 else 5) + (AXIS_TITLE if y_titles else 0),
                          "r": 5})
    if title:
        title.update(text=wrap(title.get("text", ""), chars), x=0.0, xanchor="left", y=1.0, yanchor="top",
                     yref="container", pad={"t": 16, "l": 4})
        layout["title"] = title
    y, moved = inner, {}
    for row, h, t, below in zip(rows, heights, title_px, ticks):
        y -= t
        for j, n in enumerate(row):
            x0 = j * (1 + gap) / per_row
            layout[f"xaxis{n}"] = {**layout[f"xaxis{n}"], "domain": [x0, x0 + (1 - gap * (per_row - 1)) / per_row]}
            layout[f"yaxis{n}"] = {**layout.get(f"yaxis{n}", {}), "domain": [(y - h) / inner, y / inner]}
            if n in titles:
                moved[id(titles[n])] = {**titles[n], "x": x0 + (1 - gap * (per_row - 1)) / per_row / 2,
                                        "xanchor": "center", "y": y / inner, "yanchor": "bottom"}
        y -= h + below
    layout["annotations"] = [moved.get(id(a), a) for a in layout.get("annotations", ())]
    if legend:
        layout["legend"] = {**layout.get("legend", {}), "orientation": "h", "x": 0.0, "xanchor": "left",
                            "y": -(ticks[-1] + 4) / inner, "yanchor": "top"}
    if animated:
        under = ticks[-1] + 8
        layout["updatemenus"] = [{**m, "x": 0.0, "xanchor": "left", "y": -under / inner, "yanchor": "top"}
                                 for m in layout.get("updatemenus", ())]
        layout["sliders"] = [{**s, "x": 0.0, "len": 1.0, "y": -(under + BUTTONS) / inner, "yanchor": "top"}
                             for s in layout["sliders"]]
    return {**figure, "layout": layout, **({"frames": frames} if "frames" in figure else {})}


def _has_title(axis):
    title = axis.get("title")
    return bool(title.get("text") if isinstance(title, dict) else title)


def _under(xaxis):
    """px under a panel for its x axis: tick labels and title (0 for a hidden axis)."""
    if not xaxis.get("visible", True):
        return 0
    return (TICKS if xaxis.get("showticklabels", True) else 8) + (AXIS_TITLE if _has_title(xaxis) else 0)


def _is_title_of(annotation, xaxis):
    """A subplot title: in paper coordinates, on top of the row, centred over the axis's domain."""
    lo, hi = xaxis["domain"]
    return (annotation.get("xref") == "paper" and annotation.get("yref") == "paper" and annotation.get("y") == 1.0
            and abs(annotation.get("x", -1) - (lo + hi) / 2) < 1e-6)


def legend_below(figure):
    """A one-panel figure's horizontal legend (over or under the plot) put under the x axis's title with room of its
    own, for a phone: there its long entries wrap into one row each and run over the axis title (under the plot)
    or the figure's title (over it). The plot keeps its height; the figure grows by the legend's rows.
    None when the figure has no such legend."""
    layout = figure.get("layout", {})
    legend = layout.get("legend", {})
    entries = [t for t in figure.get("data", ()) if t.get("showlegend", True) and t.get("name")]
    if is_one_row(figure) or not entries or not layout.get("showlegend", True) or legend.get("orientation") != "h":
        return None
    font = legend.get("font", {}).get("size") or layout.get("font", {}).get("size", 14)
    margin = layout.get("margin", {})
    height = layout.get("height", 450)
    inner = height - margin.get("t", 100) - margin.get("b", 80)
    under = _under(layout.get("xaxis", {}))
    rows = len({t.get("legendgroup", t["name"]) for t in entries}) * round(1.6 * font) + 16
    return {**figure, "layout": {**layout, "height": height - margin.get("b", 80) + under + rows,
                                 "margin": {**margin, "b": under + rows},
                                 "legend": {**legend, "x": 0.0, "xanchor": "left", "y": -(under + 10) / inner,
                                            "yanchor": "top"}}}
