"""Sections of the architectures lesson: the layer table, where the costs go, families, any input size."""
from __future__ import annotations

import functools

import streamlit as st

from engine.figures.network_figures import cost_profile_figure, families_figure
from engine.nets.architectures import NETWORKS, bottleneck
from engine.ops.network_arithmetic import Conv, NetworkError, analyse
from engine.pytorch_code import network_code
from pages.shell.figures import show, spec

FAMILY_NETS = ("alexnet", "vgg16", "resnet18", "resnet50", "mobilenet_v1", "efficientnet_lite0")


def count(n):
    """12,345,678 -> '12.3 M' (3 significant digits with k, M or G), exact below 10,000."""
    for div, unit in ((1e9, "G"), (1e6, "M"), (1e4, "k")):
        if n >= div:
            return f"{n / (div if unit != 'k' else 1e3):.3g} {unit}"
    return f"{n:,}"


def short(name):
    """'VGG-16' for 'VGG-16 (2014)'."""
    return NETWORKS[name].label.split(" (")[0]


def shape(s):
    return " × ".join(str(v) for v in s)


@functools.lru_cache(maxsize=64)
def _table(name):
    """The layer table's columns (read-only: shared by every session)."""
    report = report_at(name)
    return {"layer": [r.name for r in report.rows], "kind": [r.kind for r in report.rows],
            "output": [shape(r.output_shape) for r in report.rows], "parameters": [r.params for r in report.rows],
            "multiply-adds": [r.macs for r in report.rows], "activations": [r.activations for r in report.rows],
            "receptive field": ["whole input" if r.rf_size is None else f"{r.rf_size} (jump {r.rf_jump})"
                                for r in report.rows]}


@functools.lru_cache(maxsize=256)
def report_at(name, side=None):
    """The network's report at its own input size, or at side x side (NetworkError if a layer breaks)."""
    net = NETWORKS[name]
    c, h, w = net.input_shape
    return analyse(net.layers, (c, side, side) if side else (c, h, w))


def totals(report):
    cols = st.columns(4)
    cols[0].metric("Parameters", count(report.params), help=f"{report.params:,} learnable numbers")
    cols[1].metric("Multiply-adds", count(report.macs), help=f"{report.macs:,} per image")
    cols[2].metric("FLOPs (2 per multiply-add)", count(report.flops), help="what torch's FlopCounterMode reports")
    mb = 4 * report.activations / 2 ** 20
    cols[3].metric("Activations", f"{mb:,.1f} MB", help=f"{report.activations:,} outputs of the listed layers, "
                                                          "float32, one image")


def layer_table(name):
    st.dataframe(_table(name), hide_index=True, height=320,
                 column_config={"parameters": st.column_config.NumberColumn(format="localized"),
                                "multiply-adds": st.column_config.NumberColumn(format="localized"),
                                "activations": st.column_config.NumberColumn(format="localized")})


def where_it_goes(page, name, report):
    rows = report.rows
    linear = [r for r in rows if r.kind == "linear"]
    full = [r for r in rows if len(r.output_shape) == 3 and r.output_shape[1:] == rows[0].output_shape[1:]]
    share = lambda part, field: 100 * sum(getattr(r, field) for r in part) / max(sum(getattr(r, field) for r in rows), 1)
    fc = (f"the {len(linear)} linear layer{'s hold' if len(linear) != 1 else ' holds'} **{share(linear, 'params'):.0f} %** "
          f"of the parameters and do{'es' if len(linear) == 1 else ''} {share(linear, 'macs'):.1f} % of the "
          f"multiply-adds; " if linear else "no linear layer; ")
    caption = (f"{NETWORKS[name].label}: {fc}the {len(full)} layers at the first map size "
               f"({shape(rows[0].output_shape[1:])}) produce **{share(full, 'activations'):.0f} %** of the activations.")
    show(spec(cost_profile_figure, rows, page.font_size), "na_profile_fig",
         "Parameters, multiply-adds and activations of every layer, in per cent of the network's total.", caption)


def families(page, name):
    points = [(short(n), report_at(n).params, report_at(n).macs) for n in FAMILY_NETS]
    selected = short(name)
    caption = ("Computed at 224 × 224. " + "; ".join(f"{p[0]}: {count(p[1])} parameters, {count(p[2])} multiply-adds"
                                                     for p in points) + ".")
    show(spec(families_figure, points, selected, page.font_size), "na_families_fig",
         "Parameters against multiply-adds per image for six ImageNet networks, log-log.", caption)


def any_input_size(name, side):
    """The network at its own input size and at side x side: last map, output, parameters."""
    net = NETWORKS[name]
    rows = []
    for s in dict.fromkeys((net.input_shape[1], side)):
        try:
            report = report_at(name, s)
        except NetworkError as e:
            st.warning(f"At {s} × {s}: {e}", icon=":material/warning:")
            continue
        last_map = next(r for r in reversed(report.rows) if len(r.output_shape) == 3 and r.kind != "global avg pool")
        rows.append({"input": f"{net.input_shape[0]} × {s} × {s}", "last map": shape(last_map.output_shape),
                     "output": shape(report.output_shape), "parameters": f"{report.params:,}",
                     "multiply-adds": count(report.macs)})
    if rows:
        st.dataframe(rows, hide_index=True)
    if len(rows) == 2:
        same = rows[0]["parameters"] == rows[1]["parameters"]
        st.markdown("The same weights serve both sizes: a global average pool turns any map into one number per "
                    "channel, so the classifier's input does not depend on the image size." if same else
                    "The parameter count changes with the input size: the flatten feeds every position of the last "
                    "map to the first linear layer, so its weights fit one input size only (trained weights could "
                    "not be loaded for the other).")


def lecture_comparisons(c=64, h=56):
    """Two 3x3 vs one 5x5 (same receptive field) and the ResNet bottleneck, computed at C channels, h x h."""
    two = analyse([Conv(c, 3, padding=1, bias=False)] * 2, (c, h, h))
    one = analyse([Conv(c, 5, padding=2, bias=False)], (c, h, h))
    block = analyse([bottleneck(4 * c, c, 1)], (4 * c, h, h))
    convs = [r for r in block.rows if r.kind.startswith("conv")]
    st.markdown(
        f"- **Two 3×3 or one 5×5** (C = {c} channels in and out, no bias): both see "
        f"{two.rows[-1].rf_size} × {two.rows[-1].rf_size} input cells; two 3×3 have $2 \\cdot 9C^2 = 18C^2$ = "
        f"{two.params:,} weights, one 5×5 has $25C^2$ = {one.params:,}, and the pair has one more ReLU between.\n"
        f"- **Bottleneck block** on {h} × {h} × {4 * c}: 1×1 down to C = {c}, 3×3, 1×1 back up: "
        f"$(4 + 9 + 4) HWC^2 = 17HWC^2$ = {sum(r.macs for r in convs):,} multiply-adds "
        f"({count(sum(r.macs for r in convs))}); a plain 3×3 at {4 * c} channels would do $9HW(4C)^2 = 144HWC^2$.")


def flop_convention(name, report):
    st.markdown(f"This page counts **multiply-adds** (MACs). {short(name)} does {count(report.macs)} of them per "
                f"image: papers and lectures often call that {count(report.macs)}FLOPs (one per multiply-add), "
                f"while torch's `FlopCounterMode` reports {count(report.flops)}FLOPs (two per multiply-add: a "
                "multiply and an add). Batch norm, ReLU, pooling and the residual additions are left out of both.")


def network_code_section(page, name):
    net = NETWORKS[name]
    with page.folded("The whole network as PyTorch code", "na_code_open", icon=":material/code:") as shown:
        if shown:  # up to a few hundred lines: highlighted in the browser only when asked for
            st.code(network_code(net.layers, net.input_shape, net.label), language="python")
