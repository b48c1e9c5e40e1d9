"""Every kind of PyTorch code ConvLab shows runs in PyTorch and computes what the engine computes.

Snippet kinds: conv_code (cross-correlation, strides, dilation pages), pool_code (pooling), pad_conv_code and
its nn.Conv2d comment line (padding), conv_transpose_code (transposed convolution), receptive_field_code (dilation's
receptive field by backpropagation), mbconv_block_code (classify photo: test_mbconv_cost.py), and the code in
self-check questions. tests/app/test_pages.py runs every lesson preset's code through its page.
"""
from __future__ import annotations

import contextlib
import io
import re
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine.lessons.questions import KINDS, generate
from engine.lessons.schema import load_lessons
from engine.ops.conv import convolve1d, convolve2d, correlate1d, correlate2d
from engine.ops.conv_transpose import conv_transpose_single
from engine.ops.padding import resolve_padding
from engine.ops.pooling import avg_pool2d, max_pool2d, pool_output_size
from engine.ops.receptive_field import Layer, layer_lengths, receptive_cells
from engine.ops.unpooling import max_unpool2d
from engine.pytorch_code import conv_code, conv_transpose_code, pad_conv_code, pool_code, receptive_field_code

torch = pytest.importorskip("torch")
F, nn = torch.nn.functional, torch.nn
SETTINGS = settings(max_examples=60, deadline=None)


def run(code):
    """Execute a snippet as a student would (prints and all); its variables."""
    scope = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(code, scope)  # noqa: S102 (our own generated code)
    return scope


def arrays(draw, nd, lo=1, hi=5):
    shape = tuple(draw(st.integers(lo, hi)) for _ in range(nd))
    return np.array(draw(st.lists(st.integers(-4, 4), min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))),
                    dtype=float).reshape(shape)


@SETTINGS
@given(data=st.data(), nd=st.sampled_from([1, 2]), flip=st.booleans(),
       padding=st.sampled_from(["valid", "same", "full", 0, 1, 2, (1, 2)]), stride=st.sampled_from([1, 2, 3]),
       dilation=st.sampled_from([1, 2]))
def test_conv_code_runs_and_matches_the_engine(data, nd, flip, padding, stride, dilation):
    x, k = arrays(data.draw, nd, 1, 6), arrays(data.draw, nd, 1, 3)
    assume(not (padding == "same" and stride != 1))  # PyTorch and the pages: 'same' only at stride 1
    assume(not (isinstance(padding, tuple) and nd == 1))
    pads = resolve_padding(padding, k.shape, dilation)
    assume(all(i + a + b >= dilation * (kk - 1) + 1 for i, (a, b), kk in zip(x.shape, pads, k.shape)))
    engine = {(1, False): correlate1d, (1, True): convolve1d, (2, False): correlate2d, (2, True): convolve2d}
    expected = engine[nd, flip](x, k, stride=stride, padding=padding, dilation=dilation)
    code = conv_code(x, k, flip=flip, padding=padding, stride=stride, dilation=dilation)
    assert "'full'" not in code
    np.testing.assert_array_equal(run(code)["y"].numpy(), expected)


@SETTINGS
@given(data=st.data(), k=st.integers(1, 3), s=st.integers(1, 3), p=st.integers(0, 1), ceil_mode=st.booleans(),
       mode=st.sampled_from(["max", "avg"]))
def test_pool_code_runs_and_matches_the_engine(data, k, s, p, ceil_mode, mode):
    x = arrays(data.draw, 2, 2, 6)
    assume(p <= k // 2 and min(x.shape) + 2 * p >= k)
    scope = run(pool_code(x, k, s, p, ceil_mode, mode))
    if mode == "avg":
        np.testing.assert_allclose(scope["y"].numpy(), avg_pool2d(x[None], k, s, p, ceil_mode)[0])
        return
    y, switches = max_pool2d(x[None], k, s, p, ceil_mode=ceil_mode, return_indices=True)
    np.testing.assert_array_equal(scope["y"][0].numpy(), y[0])
    np.testing.assert_array_equal(scope["back"][0].numpy(), max_unpool2d(y, switches, k, s, p, output_size=x.shape)[0])


@SETTINGS
@given(data=st.data(), mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
       pads=st.tuples(st.tuples(st.integers(0, 2), st.integers(0, 2)), st.tuples(st.integers(0, 2), st.integers(0, 2))),
       stride=st.integers(1, 2))
def test_pad_conv_code_and_its_layer_line_run_and_match_the_engine(data, mode, pads, stride):
    x, k = arrays(data.draw, 2, 3, 5), arrays(data.draw, 2, 1, 3)
    assume(all(i + a + b >= kk for i, (a, b), kk in zip(x.shape, pads, k.shape)))
    expected = correlate2d(x, k, stride=stride, padding=pads, padding_mode=mode)
    code = pad_conv_code(x, k, pads, mode, stride)
    np.testing.assert_array_equal(run(code)["y"].numpy(), expected)
    layer = re.search(r"^# (torch\.nn\.Conv2d\(.*\))$", code, re.M)
    assert (layer is not None) == all(a == b for a, b in pads)  # shown only when nn.Conv2d can pad like this
    if layer:
        conv = eval(layer.group(1), {"torch": torch}).double()  # noqa: S307 (our own generated code)
        with torch.no_grad():
            conv.weight[:] = torch.tensor(k)[None, None]
            np.testing.assert_allclose(conv(torch.tensor(x)[None, None])[0, 0].numpy(), expected)


@SETTINGS
@given(data=st.data(), nd=st.sampled_from([1, 2]), s=st.integers(1, 3), p=st.integers(0, 2))
def test_conv_transpose_code_runs_and_matches_the_engine(data, nd, s, p):
    x, k = arrays(data.draw, nd, 1, 4), arrays(data.draw, nd, 1, 4)
    op = data.draw(st.integers(0, s - 1))
    assume(all((i - 1) * s - 2 * p + kk + op >= 1 for i, kk in zip(x.shape, k.shape)))
    scope = run(conv_transpose_code(x, k, s, p, op))
    np.testing.assert_array_equal(scope["y"].numpy(), conv_transpose_single(x, k, s, p, op))
    assert scope["same"] is True


@SETTINGS
@given(layers=st.lists(st.builds(Layer, st.integers(1, 3), st.integers(1, 2), st.integers(0, 2), st.integers(1, 2)),
                       min_size=1, max_size=3), n=st.integers(8, 16), data=st.data())
def test_receptive_field_code_runs_and_finds_the_engine_s_receptive_cells(layers, n, data):
    try:
        lengths = layer_lengths(layers, n)
    except ValueError:
        assume(False)
    assume(lengths[-1] >= 1)
    index = data.draw(st.integers(0, lengths[-1] - 1))
    scope = run(receptive_field_code(layers, n, index))
    assert scope["seen"].tolist() == np.flatnonzero(receptive_cells(layers, n, index)[0]).tolist()


# --- the code in self-check questions -------------------------------------------------------------------

def _questions():
    """Questions of every kind: default parameters over several seeds, and every lesson's own specs."""
    specs = [(kind, None) for kind in KINDS]
    specs += [(q.kind, q.params) for lesson in load_lessons() for q in lesson.questions]
    specs += [("padding_output_size", {"padding": p}) for p in ("valid", "same", "full")]
    for kind, params in specs:
        for seed in range(12):
            yield generate(kind, seed, params)


def _spans(question):
    return re.findall(r"`([^`]+)`", question.prompt + "\n" + question.explanation)


def _torch_name(text):
    """A bare name like F.conv2d or ConvTranspose1d exists in torch."""
    name = text.removeprefix("F.").removeprefix("nn.")
    return hasattr(F, name) if text.startswith("F.") else hasattr(nn, name)


MACS_KINDS = ("grouped_conv_macs", "separable_macs", "conv_multiply_adds")  # their nn.Conv2d spans are layers whose multiply-adds are asked


def check_macs_question(q):
    """The question's layers, run in that order on an input of the stated size: torch's multiply-adds are the answer."""
    from torch.utils.flop_counter import FlopCounterMode
    layers = [eval(span, {"nn": nn}) for span in _spans(q) if span.startswith("nn.Conv2d(")]  # noqa: S307
    assert layers, q.prompt
    with FlopCounterMode(display=False) as counter:
        nn.Sequential(*layers)(torch.zeros(1, q.value("c_in"), q.value("h"), q.value("h")))
    assert counter.get_total_flops() // 2 == q.answer, q.prompt


def check_question_code(q):
    """Run every code span of a question in torch; where it computes the answer, compare."""
    if q.kind in MACS_KINDS:
        return check_macs_question(q)
    if q.kind == "vgg_block_parameters":  # the first convolution, then the one repeated convs - 1 times
        first, rest = (eval(span, {"nn": nn}) for span in _spans(q) if span.startswith("nn.Conv2d("))  # noqa: S307
        count = lambda m: sum(p.numel() for p in m.parameters())
        assert count(first) + (q.value("convs") - 1) * count(rest) == q.answer, q.prompt
        return None
    for span in _spans(q):
        if span.startswith("nn.Conv2d("):
            module = eval(span, {"nn": nn})  # noqa: S307 (our own generated code)
            if q.kind == "channel_conv_output_count":  # the numbers in the output volume
                i = q.value("i")
                assert module(torch.zeros(1, q.value("c_in"), i, i)).numel() == q.answer, span
            elif q.kind == "channel_conv_cell":  # the layer with the shown filter and bias, on the shown windows
                grids = [torch.tensor(m.array, dtype=torch.float32) for m in q.matrices]
                with torch.no_grad():
                    module.weight.copy_(torch.stack(grids[1::2])[None])
                    module.bias.fill_(q.value("b"))
                    assert module(torch.stack(grids[0::2])[None]).item() == pytest.approx(q.answer), span
            else:
                assert sum(p.numel() for p in module.parameters()) == q.answer, span
        elif span.startswith("nn.MaxPool2d("):
            module = eval(span, {"nn": nn})  # noqa: S307
            i = q.value("i")
            assert module(torch.zeros(1, 1, i, i)).shape[-1] == q.answer == pool_output_size(
                i, q.value("k"), q.value("s"), q.value("p"), 1, q.value("ceil_mode")), span
        elif span.startswith("Y = F."):
            (matrix,) = [m for m in q.matrices if m.title.startswith("X")] or q.matrices[:1]
            scope = {"F": F, "X": torch.tensor(matrix.array)}
            exec(span, scope)  # noqa: S102
            r, c = map(int, re.search(r"\$Y\[(\d+), (\d+)\]\$", q.prompt).groups())
            assert scope["Y"][r, c].item() == pytest.approx(q.answer), span
        elif span.startswith("padding="):
            value = eval(span.split("=", 1)[1])  # noqa: S307
            i, k, d = q.value("i"), q.value("k"), q.value("d")
            with warnings.catch_warnings():  # torch warns that an even kernel with 'same' copies the input
                warnings.simplefilter("ignore", UserWarning)
                y = F.conv1d(torch.zeros(1, 1, i), torch.zeros(1, 1, k), padding=value, dilation=d)
            assert y.shape[-1] == q.answer, span
        elif span.startswith("padding_mode="):
            nn.Conv2d(1, 1, 3, padding=1, padding_mode=eval(span.split("=", 1)[1]))  # noqa: S307 (accepted)
        elif span in ("output_padding", "ceil_mode=True", "ceil_mode=False"):
            continue  # argument names, checked by the calls above and in the transposed tests
        else:
            assert re.fullmatch(r"(F\.|nn\.)?\w+", span) and _torch_name(span), f"unknown code in a question: {span}"


def test_every_question_s_code_runs_in_torch():
    kinds = set()
    for q in _questions():
        check_question_code(q)
        kinds.add(q.kind)
    assert kinds == set(KINDS)


def test_full_padding_question_writes_the_number():
    """PyTorch rejects padding='full': the question writes d(k - 1) as a number, and that number runs."""
    for seed in range(12):
        q = generate("padding_output_size", seed, {"padding": "full"})
        assert "padding='full'" not in q.prompt
        (before, _), = resolve_padding("full", (q.value("k"),), q.value("d"))
        assert f"`padding={before}`" in q.prompt
        check_question_code(q)
    with pytest.raises(RuntimeError, match="Invalid padding string"):
        F.conv1d(torch.zeros(1, 1, 5), torch.zeros(1, 1, 3), padding="full")


def test_lesson_text_names_only_what_torch_has():
    """Code in the lessons' prose: every F.name / nn.Name exists, and padding strings are ones PyTorch accepts."""
    for lesson in load_lessons():
        text = "\n".join(lesson.sections.values())
        for span in re.findall(r"`([^`]+)`", text):
            for name in re.findall(r"\b((?:F|nn)\.\w+)", span):
                assert _torch_name(name), (lesson.slug, span)
            for value in re.findall(r"padding='(\w+)'", span):
                assert value in ("valid", "same"), (lesson.slug, span)
            for value in re.findall(r"padding_mode='(\w+)'", span):
                nn.Conv2d(1, 1, 3, padding=1, padding_mode=value)
            for value in re.findall(r"mode='(\w+)'", span.split("padding_mode")[0]):
                F.pad(torch.zeros(1, 1, 3, 3), (1, 1, 1, 1), mode=value)
