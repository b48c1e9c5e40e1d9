"""Convolution over channels: the step trace, parameter counts, the locally connected layer and tensor layouts
against PyTorch (the oracle)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine.figures.channel_figures import layout_html, parameter_curves_figure
from engine.figures.channel_view import channel_equation, channel_view
from engine.ops.channels import MAX_CHANNELS, small_integer_layer, trace_channels
from engine.ops.connectivity import LAYERS, layer_counts, locally_connected2d, parameter_curves
from engine.ops.layouts import element_strides, memory_order, to_layout
from engine.pytorch_code import channel_conv_code, layout_code

torch = pytest.importorskip("torch")
F = torch.nn.functional


@st.composite
def layers(draw):
    """A small conv layer with integer numbers (exact sums): C_in, C_out, size, k, s, p, seed."""
    c_in, c_out = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    k, s, p = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(0, 2))
    h, w = draw(st.integers(max(1, k - 2 * p), 7)), draw(st.integers(max(1, k - 2 * p), 7))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.integers(-3, 4, (c_in, h, w)).astype(float)
    weight = rng.integers(-2, 3, (c_out, c_in, k, k)).astype(float)
    bias = rng.integers(-3, 4, c_out).astype(float)
    return x, weight, bias, s, p


@settings(max_examples=120, deadline=None)
@given(layers())
def test_trace_equals_torch_conv2d_with_bias_stride_and_padding(layer):
    x, weight, bias, s, p = layer
    trace = trace_channels(x, weight, bias, s, p)
    expected = F.conv2d(torch.tensor(x)[None], torch.tensor(weight), torch.tensor(bias), stride=s, padding=p)[0]
    np.testing.assert_array_equal(trace.output, expected.numpy())
    np.testing.assert_array_equal(trace.output, engine.conv2d(x, weight, bias, stride=s, padding=p))
    # the steps: channel by channel, then rows, then columns; each step's numbers add up to its output cell
    assert [st.index for st in trace.steps] == list(np.ndindex(*trace.output.shape))
    xp = F.pad(torch.tensor(x), (p, p, p, p)).numpy()
    for step in trace.steps:
        o, i, j = step.index
        np.testing.assert_array_equal(step.window, xp[:, list(step.rows)][:, :, list(step.cols)])
        assert step.rows[0] == i * s and step.cols[0] == j * s
        np.testing.assert_array_equal(step.products, step.window * weight[o])
        np.testing.assert_array_equal(step.channel_sums, step.products.sum(axis=(1, 2)))
        assert step.bias == bias[o] and step.value == step.channel_sums.sum() + bias[o] == trace.output[step.index]


def test_the_cs231n_layout_7x7x3_two_filters_stride_2():
    """The classic demo: 5 x 5 x 3 padded by 1, two 3 x 3 x 3 filters, stride 2 -> 3 x 3 x 2 (as C x H x W: 2 x 3 x 3)."""
    x, weight, bias = small_integer_layer(3, 2, 5, 3, seed=0)
    trace = trace_channels(x, weight, bias, stride=2, padding=1)
    assert trace.padded.shape == (3, 7, 7) and weight.shape == (2, 3, 3, 3)
    conv = torch.nn.Conv2d(3, 2, 3, stride=2, padding=1)
    assert tuple(conv(torch.zeros(1, 3, 5, 5)).shape[1:]) == trace.output.shape == (2, 3, 3)
    assert len(trace.steps) == 18 and trace.steps[9].index == (1, 0, 0)  # step 10 starts the second filter
    assert sum(p.numel() for p in conv.parameters()) == weight.size + bias.size == 56


def test_small_integer_layer_is_seeded_and_readable():
    a, b = small_integer_layer(3, 2, 5, 3, 7), small_integer_layer(3, 2, 5, 3, 7)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    x, weight, bias = a
    assert set(np.unique(x)) <= {0, 1, 2} and set(np.unique(weight)) <= {-1, 0, 1} and set(np.unique(bias)) <= {-1, 0, 1}
    assert not np.array_equal(x, small_integer_layer(3, 2, 5, 3, 8)[0])


@pytest.mark.parametrize("args,match", [
    ((np.ones((2, 3, 3)), np.ones((1, 3, 2, 2))), "one slice per input channel"),
    ((np.ones((3, 3)), np.ones((1, 1, 2, 2))), "needs an input"),
    ((np.ones((1, 2, 2)), np.ones((1, 1, 3, 3))), "padded input is only 2 x 2"),
    ((np.ones((MAX_CHANNELS + 1, 2, 2)), np.ones((1, MAX_CHANNELS + 1, 1, 1))), "at most"),
    ((np.ones((1, 2, 2)), np.ones((2, 1, 1, 1)), [1.0]), "one value per filter"),
])
def test_unusable_layers_are_explained(args, match):
    with pytest.raises(ValueError, match=match):
        trace_channels(*args)


def test_the_step_view_shows_every_channel_its_sums_the_bias_and_the_output():
    x, weight, bias = small_integer_layer(2, 3, 4, 3, seed=1)
    trace = trace_channels(x, weight, bias, 1, 1)
    view = channel_view(trace)
    for n in (0, 17, len(trace.steps) - 1):
        step, html = trace.step(n), view(n)
        o = step.index[0]
        assert html.count("X padded, channel") == 2 and html.count(f"W[{o}], channel") == 2
        assert html.count("Output Y, channel") == 3 and html.count('class="cur"') == 1
        assert channel_equation(step) in html
        assert channel_equation(step).endswith(f"= {step.value:g}")
        assert html.count('class="todo"') == trace.output.size - n - 1


# --- why convolution: parameter counts ------------------------------------------------------------------

def _torch_counts(h, w, c_in, c_out, k):
    """torch's Linear and Conv2d (meta device: no memory for a huge Linear); the locally connected layer as
    torch's unfold lays it out (a weight matrix and biases per window position)."""
    linear = torch.nn.Linear(h * w * c_in, h * w * c_out, device="meta")
    conv = torch.nn.Conv2d(c_in, c_out, k, padding=(k - 1) // 2, device="meta")
    out = conv(torch.zeros(1, c_in, h, w, device="meta")).shape
    assert tuple(out[2:]) == (h, w)  # the assumption: every layer gives H x W x C_out units
    windows = F.unfold(torch.zeros(1, c_in, h, w, device="meta"), k, padding=(k - 1) // 2).shape
    local = windows[2] * c_out * windows[1] + windows[2] * c_out
    return [sum(p.numel() for p in m.parameters()) for m in (linear,)] + [local, sum(p.numel() for p in conv.parameters())]


@pytest.mark.parametrize("h,w,c_in,c_out,k", [(150, 150, 3, 3, 5), (28, 28, 1, 8, 5), (4, 4, 3, 16, 11),
                                             (7, 5, 2, 3, 3), (32, 32, 3, 64, 1)])
def test_parameter_counts_equal_torch(h, w, c_in, c_out, k):
    counts = layer_counts(h, w, c_in, c_out, k)
    assert [c.name for c in counts] == list(LAYERS)
    assert [c.params for c in counts] == _torch_counts(h, w, c_in, c_out, k)
    for c in counts:  # the formula written with numbers gives the count
        assert eval(c.numbers.replace(",", "").replace("·", "*")) == c.params


def test_the_lecture_150x150_rgb_numbers():
    """150 x 150 RGB = 67,500 inputs; to a same-sized layer: FC 67,500² + 67,500, LC with 5 x 5 windows, conv."""
    fc, lc, conv = layer_counts(150, 150, 3, 3, 5)
    assert 150 * 150 * 3 == 67_500 == fc.biases == lc.biases
    assert fc.weights == 67_500 ** 2 and fc.params == 4_556_317_500 == _torch_counts(150, 150, 3, 3, 5)[0]
    assert lc.weights == 67_500 * 75 and lc.params == 5_130_000
    assert conv.params == 228 == sum(p.numel() for p in torch.nn.Conv2d(3, 3, 5).parameters())


def test_curves_grow_as_the_formulas_say_and_the_figure_marks_the_current_size():
    sizes = (4, 8, 16, 32)
    curves = parameter_curves(sizes, 3, 3, 5)
    assert len(set(curves["Convolution"])) == 1  # independent of the image size
    assert [b / a for a, b in zip(curves["Locally connected"], curves["Locally connected"][1:])] == [4.0] * 3
    figure = parameter_curves_figure(sizes, 3, 3, 5, 20)
    assert figure["meta"]["at"] == {c.name: c.params for c in layer_counts(20, 20, 3, 3, 5)}
    with pytest.raises(ValueError, match="odd"):
        layer_counts(8, 8, 3, 3, 4)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 2), st.integers(0, 1),
       st.integers(3, 6), st.integers(0, 2**32 - 1))
def test_locally_connected_equals_unfold_and_with_shared_weights_is_conv2d(c_in, c_out, k, s, p, size, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, (2, c_in, size, size)).astype(float)
    out = (size + 2 * p - k) // s + 1
    weight = rng.integers(-2, 3, (out, out, c_out, c_in, k, k)).astype(float)
    bias = rng.integers(-2, 3, (c_out, out, out)).astype(float)
    y = locally_connected2d(x, weight, bias, stride=s, padding=p)
    columns = F.unfold(torch.tensor(x), k, padding=p, stride=s)  # (N, C_in k k, out·out)
    w = torch.tensor(weight).reshape(out * out, c_out, c_in * k * k)  # one matrix per window
    expected = torch.einsum("nfl,lof->nol", columns, w).reshape(2, c_out, out, out) + torch.tensor(bias)
    np.testing.assert_array_equal(y, expected.numpy())
    shared = rng.integers(-2, 3, (c_out, c_in, k, k)).astype(float)
    tied = np.broadcast_to(shared, (out, out, *shared.shape))
    b = rng.integers(-2, 3, c_out).astype(float)
    np.testing.assert_array_equal(locally_connected2d(x, tied, np.broadcast_to(b[:, None, None], (c_out, out, out)),
                                                      s, p), engine.conv2d(x, shared, b, stride=s, padding=p))


# --- tensor layouts ----------------------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(st.tuples(*[st.integers(1, 4)] * 4))
def test_layouts_match_torch_strides_and_memory(shape):
    x = torch.arange(float(np.prod(shape))).reshape(shape)
    last = x.contiguous(memory_format=torch.channels_last)
    if min(shape[1], shape[2] * shape[3]) > 1:  # torch reports size-1 axes' strides loosely
        assert element_strides(shape, "NCHW") == x.stride() and element_strides(shape, "NHWC") == last.stride()
    memory = torch.as_strided(last, (last.numel(),), (1,)).numpy()  # the storage in order
    np.testing.assert_array_equal(np.ravel_multi_index(memory_order(shape, "NHWC").T, shape), memory)
    np.testing.assert_array_equal(to_layout(x.numpy(), "NHWC").ravel(), memory)
    np.testing.assert_array_equal(to_layout(x.numpy(), "NHWC"), x.permute(0, 2, 3, 1).numpy())
    np.testing.assert_array_equal(np.ravel_multi_index(memory_order(shape, "NCHW").T, shape), np.arange(x.numel()))


def test_layout_table_lists_every_number_in_both_orders():
    html = layout_html((1, 3, 2, 2))
    assert html.count("<td") == 24 and "<th>NCHW</th>" in html and "<th>NHWC</th>" in html
    nhwc = html.split("<th>NHWC</th>")[1]
    assert [int(v) for v in __import__("re").findall(r"<b>(\d+)</b>", nhwc)] == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]


# --- the PyTorch code on the page runs and computes what the page shows ------------------------------------

@pytest.mark.parametrize("settings_", [(3, 2, 5, 3, 2, 1, 0), (1, 1, 5, 3, 1, 0, 0), (2, 3, 4, 3, 1, 1, 1)])
def test_channel_conv_code_computes_the_trace(settings_):
    c_in, c_out, size, k, s, p, seed = settings_
    x, weight, bias = small_integer_layer(c_in, c_out, size, k, seed)
    scope = {}
    exec(channel_conv_code(x, weight, bias, s, p).replace("print(", "(lambda *a: None)("), scope)
    np.testing.assert_array_equal(scope["y"].numpy(), trace_channels(x, weight, bias, s, p).output)
    assert tuple(scope["conv"].weight.shape) == weight.shape


@pytest.mark.parametrize("shape", [(1, 3, 2, 2), (1, 2, 2, 3)])  # C > 1: torch reports loose strides for C = 1
def test_layout_code_comments_are_what_torch_prints(shape, capsys):
    code = layout_code(shape)
    exec(code, {})
    printed = capsys.readouterr().out.splitlines()
    comments = [line.split("#", 1)[1] for line in code.splitlines() if line.startswith("print(")]
    assert len(printed) == len(comments) == 4
    assert comments[0].startswith(f" {printed[0]}")  # the NCHW strides
    assert comments[1].startswith(f" {printed[1]}")  # is_contiguous
    assert comments[2].endswith(" ".join(f"{v:g}" for v in to_layout(np.arange(np.prod(shape)).reshape(shape),
                                                                      "NHWC").ravel()))
    assert f"strides {element_strides(shape, 'NHWC')}" in comments[3] and str(element_strides(shape, "NHWC")) in printed[3]
