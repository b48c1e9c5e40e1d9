"""Self-check questions: every kind's answer against PyTorch (or scipy), over many seeds; answer checking; schema."""
from __future__ import annotations

import re
import warnings
from fractions import Fraction

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import convolve2d

from engine.figures.style import fmt
from engine.lessons import LessonError, load_lesson, load_lessons
from engine.lessons.questions import KINDS, TYPE_A_NUMBER, Question, QuestionSpec, check, generate, parse_answer

SEEDS = range(60)


def _t(a):
    return torch.tensor(np.asarray(a, dtype=np.float64))


def _conv1d_length(i, k, **kwargs):
    if kwargs.get("padding") == "same":
        warnings.filterwarnings("ignore", "Using padding='same'", UserWarning)  # torch's note on even kernels
    return F.conv1d(torch.zeros(1, 1, i), torch.zeros(1, 1, k), **kwargs).shape[-1]


# --- one oracle per kind: the answer, computed independently from the question's given values -----------------

def oracle_conv_output_size(q):
    v = dict(q.given)
    return _conv1d_length(v["i"], v["k"], stride=v["s"], padding=v["p"], dilation=v["d"])


def oracle_padding_output_size(q):
    v = dict(q.given)
    padding = v["d"] * (v["k"] - 1) if v["padding"] == "full" else v["padding"]  # torch has no 'full'
    return _conv1d_length(v["i"], v["k"], padding=padding, dilation=v["d"])


def oracle_stride_same_output(q):
    v = dict(q.given)
    length = [None] + [_conv1d_length(j, v["k"], stride=v["s"], padding=v["p"]) if j + 2 * v["p"] >= v["k"] else 0
                       for j in range(1, v["i"] + 3 * v["s"])]
    assert length[v["i"]] == v["o"]
    return max(j for j in range(1, len(length)) if length[j] == v["o"])


def oracle_dilated_kernel_size(q):
    """The shortest input a dilated kernel fits in (one output)."""
    k, d = q.value("k"), q.value("d")
    length = 1
    while True:
        try:
            _conv1d_length(length, k, dilation=d)
            return length
        except RuntimeError:
            length += 1


def oracle_receptive_field(q):
    """Autograd: the input cells output 0 of the last layer depends on (ones weights: no cancellation)."""
    stack = q.value("layers")
    convs = [torch.nn.Conv1d(1, 1, k, stride=s, dilation=d, bias=False) for k, s, d in stack]
    for conv in convs:
        torch.nn.init.ones_(conv.weight)
    x = torch.ones(1, 1, 8 * sum(d * (k - 1) + 1 for k, _, d in stack) * max(s for _, s, _ in stack) ** len(stack),
                   requires_grad=True)
    y = x
    for conv in convs:
        y = conv(y)
    y[0, 0, 0].backward()
    seen = torch.nonzero(x.grad[0, 0]).flatten()
    return int(seen.max() - seen.min() + 1)


def oracle_transposed_output_size(q):
    v = dict(q.given)
    return F.conv_transpose1d(torch.zeros(1, 1, v["i"]), torch.zeros(1, 1, v["k"]), stride=v["s"], padding=v["p"],
                              output_padding=v["output_padding"], dilation=v["d"]).shape[-1]


def oracle_conv_parameter_count(q):
    v = dict(q.given)
    layer = torch.nn.Conv2d(v["c_in"], v["c_out"], v["k"], bias=v["bias"], groups=v["groups"])
    return sum(p.numel() for p in layer.parameters())


def oracle_pool_output_size(q):
    v = dict(q.given)
    return F.max_pool1d(torch.zeros(1, 1, v["i"]), v["k"], v["s"], v["p"], ceil_mode=v["ceil_mode"]).shape[-1]


def _grids(q):
    return [m.array for m in q.matrices]


def oracle_correlation_cell(q):
    (x, kernel), v = _grids(q), dict(q.given)
    y = F.conv2d(_t(x)[None, None], _t(kernel)[None, None], stride=v["s"], padding=v["p"])[0, 0]
    return float(y[v["r"], v["c"]])


def oracle_convolution_cell(q):
    """scipy's convolve2d is a true convolution (no flip done by hand); stride by slicing its outputs."""
    (x, kernel), v = _grids(q), dict(q.given)
    s, p = v["s"], v["p"]
    y = convolve2d(np.pad(x, p), kernel, mode="valid")[::s, ::s]
    return float(y[v["r"], v["c"]])


def _padded_input(q):
    grid, p = q.matrices[0].array, q.value("p")
    return grid[p:grid.shape[0] - p, p:grid.shape[1] - p]


def oracle_padded_cell(q):
    v = dict(q.given)
    mode = "constant" if v["mode"] == "zeros" else v["mode"]
    padded = F.pad(_t(_padded_input(q))[None, None], (v["p"],) * 4, mode=mode)[0, 0]
    return float(padded[v["r"], v["c"]])


def oracle_pool_cell(q):
    (x,), v = _grids(q), dict(q.given)
    pool = F.max_pool2d if v["op"] == "max" else F.avg_pool2d
    return float(pool(_t(x)[None, None], v["k"], v["s"])[0, 0, v["r"], v["c"]])


def oracle_se_parameter_count(q):
    v = dict(q.given)
    layers = [torch.nn.Linear(v["C"], v["C"] // v["reduction"]), torch.nn.Linear(v["C"] // v["reduction"], v["C"])]
    return sum(p.numel() for layer in layers for p in layer.parameters())


def oracle_se_added_flops(q):
    from torch.utils.flop_counter import FlopCounterMode
    v = dict(q.given)
    fc1, fc2 = torch.nn.Linear(v["C"], v["C"] // v["reduction"]), torch.nn.Linear(v["C"] // v["reduction"], v["C"])
    with FlopCounterMode(display=False) as counter:
        fc2(fc1(torch.zeros(1, v["C"])))
    return counter.get_total_flops() // 2 + 2 * v["H"] * v["H"] * v["C"]  # FC MACs + squeeze adds + scale mults


def oracle_vgg_block_parameters(q):
    v = dict(q.given)
    convs = [torch.nn.Conv2d(v["c_in"] if i == 0 else v["c_out"], v["c_out"], 3, padding=1) for i in range(v["convs"])]
    return sum(p.numel() for conv in convs for p in conv.parameters())


def oracle_conv_multiply_adds(q):
    from torch.utils.flop_counter import FlopCounterMode
    v = dict(q.given)
    conv = torch.nn.Conv2d(v["c_in"], v["c_out"], v["k"], v["s"], v["k"] // 2, bias=False)
    with FlopCounterMode(display=False) as counter:
        conv(torch.zeros(1, v["c_in"], v["h"], v["h"]))
    return counter.get_total_flops() // 2


def oracle_channel_conv_output_count(q):
    v = dict(q.given)
    y = F.conv2d(torch.zeros(1, v["c_in"], v["i"], v["i"]), torch.zeros(v["c_out"], v["c_in"], v["k"], v["k"]),
                 stride=v["s"], padding=v["p"])
    return y.numel()


def oracle_channel_conv_cell(q):
    """The shown windows (one per channel) and filter slices as a C_in-channel input and one filter."""
    grids = _grids(q)
    window, taps = np.stack(grids[0::2]), np.stack(grids[1::2])
    return float(F.conv2d(_t(window)[None], _t(taps)[None], _t([q.value("b")]))[0, 0, 0, 0])


def oracle_layer_parameter_count(q):
    """torch's Linear and Conv2d (on the meta device: no memory); the locally connected layer as torch's unfold
    lays it out: one (C_out, C_in k k) weight matrix and C_out biases per window."""
    v = dict(q.given)
    h, c_in, c_out = v["h"], v["c_in"], v["c_out"]
    if v["layer"] == "fully connected":
        layer = torch.nn.Linear(h * h * c_in, h * h * c_out, device="meta")
        return sum(p.numel() for p in layer.parameters())
    if v["layer"] == "convolution":
        return sum(p.numel() for p in torch.nn.Conv2d(c_in, c_out, v["k"]).parameters())
    columns = F.unfold(torch.zeros(1, c_in, h, h), v["k"], padding=(v["k"] - 1) // 2)  # (1, C_in k k, windows)
    return columns.shape[2] * (c_out * columns.shape[1] + c_out)


def _torch_macs(module, x):
    from torch.utils.flop_counter import FlopCounterMode
    with FlopCounterMode(display=False) as counter:
        module(x)
    return counter.get_total_flops() // 2


def oracle_depthwise_output_channels(q):
    v = dict(q.given)
    layer = torch.nn.Conv2d(v["c_in"], v["m"] * v["c_in"], v["k"], groups=v["c_in"])
    return layer(torch.zeros(1, v["c_in"], 32, 32)).shape[1]


def oracle_grouped_conv_macs(q):
    v = dict(q.given)
    layer = torch.nn.Conv2d(v["c_in"], v["c_out"], v["k"], padding=v["k"] // 2, groups=v["groups"], bias=False)
    return _torch_macs(layer, torch.zeros(1, v["c_in"], v["h"], v["h"]))


def oracle_separable_macs(q):
    v = dict(q.given)
    layer = torch.nn.Sequential(torch.nn.Conv2d(v["c_in"], v["c_in"], v["k"], padding="same", groups=v["c_in"], bias=False),
                                torch.nn.Conv2d(v["c_in"], v["c_out"], 1, bias=False))
    return _torch_macs(layer, torch.zeros(1, v["c_in"], v["h"], v["h"]))


ORACLES = {name[len("oracle_"):]: f for name, f in dict(globals()).items() if name.startswith("oracle_")}


def test_every_kind_has_an_oracle():
    assert set(ORACLES) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_answers_match_pytorch(kind):
    for seed in SEEDS:
        q = generate(kind, seed)
        assert q.kind == kind and q.seed == seed
        expected = ORACLES[kind](q)
        assert abs(q.answer - expected) <= 1e-6 * max(1.0, abs(expected)), (seed, q.given, q.answer, expected)
        assert isinstance(q.answer, int) == float(expected).is_integer(), (seed, q.answer)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_same_seed_same_question_and_seeds_vary(kind):
    questions = [generate(kind, seed) for seed in range(30)]
    assert questions == [generate(kind, seed) for seed in range(30)]
    assert len({(q.prompt, q.matrices) for q in questions}) >= 10
    rng_question = generate(kind, np.random.default_rng(5))
    assert rng_question.seed is None and rng_question.prompt == generate(kind, 5).prompt


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_text_is_markdown_and_latex_safe_and_states_the_answer(kind):
    for seed in SEEDS:
        q = generate(kind, seed)
        for text in (q.prompt, q.explanation):
            assert text.count("$") % 2 == 0, text
            assert text.count("{") == text.count("}"), text
            assert not re.search(r"nan|None|np\.|array\(|\.0\b", text), text
            assert "<" not in text and "](" not in text
        assert f"= {fmt(q.answer)}" in q.explanation, (q.explanation, q.answer)
        for name, value in q.given:
            assert _stated(name, value, q), (name, value, q.prompt)


ALIASES = {"k": "kernel_size", "s": "stride", "p": "padding", "c_in": "in_channels", "c_out": "out_channels"}


def _stated(name, value, q):
    """The prompt states a drawn value: as a symbol ($k = 3$), as a PyTorch argument (kernel_size=3) or in words."""
    prompt = q.prompt
    if name in ("r", "c"):
        return f"Y[{q.value('r')}, {q.value('c')}]" in prompt or f"row {q.value('r')}, column {q.value('c')}" in prompt
    if name == "convs":
        return f"{value} convolutions" in prompt
    if name == "layers":
        return all(f"| {n} | {k} | {s} | {d} |" in prompt for n, (k, s, d) in enumerate(value, 1))
    if (name, value) in (("d", 1), ("groups", 1)) or q.kind.endswith("_cell") and (name, value) in (("s", 1), ("p", 0)):
        return True  # the defaults, left unsaid
    if q.kind in ("correlation_cell", "convolution_cell") and name == "k":
        return q.matrices[1].array.shape == (value, value)  # the kernel shown
    name = {"reduction": "r"}.get(name, name)
    forms = [f"${name} = {value}$", f"$H = W = {value}$", f"{ALIASES.get(name, name)}={value}", f"{name}='{value}'", f"`{name}` $= {value}$",
             f"{value}_pool2d", f"padding='{value}'", f"'{value}' padding", f"**{value}**"]
    if name in ("c_in", "c_out"):
        forms.append(f"$C_{{{name[2:]}}} = {value}$")
    return any(form in prompt for form in forms)


def test_cell_questions_are_not_degenerate():
    for seed in SEEDS:
        corr, conv = generate("correlation_cell", seed), generate("convolution_cell", seed)
        for q in (corr, conv):
            x, kernel = _grids(q)
            assert not np.array_equal(kernel, np.flip(kernel)), "a kernel symmetric under the flip"
            assert kernel.shape[0] <= min(x.shape) + 2 * q.value("p"), "the window must fit"
            assert oracle_correlation_cell(q) != oracle_convolution_cell(q), "the flip must change this cell"
            assert np.array_equal(x, np.round(x)) and np.array_equal(kernel, np.round(kernel))
        pad = generate("padded_cell", seed)
        r, c, p = pad.value("r"), pad.value("c"), pad.value("p")
        x = _padded_input(pad)
        assert not (p <= r < x.shape[0] + p and p <= c < x.shape[1] + p), "the asked cell is in the padding"
        assert pad.matrices[0].mark == (r, c)
        modes = [m for m in ("reflect", "replicate", "circular")
                 if m != pad.value("mode") and (m != "reflect" or p < min(x.shape))]
        others = {float(F.pad(_t(x)[None, None], (p,) * 4, mode=m)[0, 0, r, c]) for m in modes}
        assert others - {pad.answer}, "the padding mode must matter for this cell"
        pool = generate("pool_cell", seed)
        k, s = pool.value("k"), pool.value("s")
        window = _grids(pool)[0][pool.value("r") * s:][:k, pool.value("c") * s:][:, :k]
        assert len(np.unique(window)) > 1


def test_size_questions_are_not_degenerate():
    for seed in SEEDS:
        q = generate("stride_same_output", seed)
        assert q.answer != q.value("i")
        q = generate("pool_output_size", seed)
        if q.value("ceil_mode"):  # ceil and floor must differ before PyTorch's last-window rule
            assert (q.value("i") + 2 * q.value("p") - q.value("k")) % q.value("s")
        assert q.value("p") <= q.value("k") // 2
        q = generate("conv_output_size", seed)
        assert q.value("p") < q.value("d") * (q.value("k") - 1) + 1
        assert len(generate("receptive_field", seed).value("layers")) >= 2


def test_params_narrow_the_draws():
    for seed in range(20):
        q = generate("conv_output_size", seed, {"s": [2, 3], "d": 2, "p": 0})
        assert q.value("s") in (2, 3) and q.value("d") == 2 and q.value("p") == 0
        q = generate("padded_cell", seed, {"mode": ["circular"]})
        assert q.value("mode") == "circular"
        q = generate("pool_cell", seed, {"op": "avg"})
        assert q.value("op") == "avg" and q.prompt.count("avg_pool2d") == 1
    with pytest.raises(ValueError, match="no parameter"):
        generate("conv_output_size", 0, {"q": 1})
    with pytest.raises(ValueError, match="'k'"):
        generate("conv_output_size", 0, {"k": [5, 2]})
    with pytest.raises(ValueError, match="'mode'"):
        generate("padded_cell", 0, {"mode": "mirror"})
    with pytest.raises(ValueError, match="unknown question kind 'nope'"):
        generate("nope", 0)
    with pytest.raises(ValueError, match="no sensible question"):
        generate("conv_output_size", 0, {"i": 1, "k": 11, "p": 0})


def test_question_is_frozen():
    q = generate("dilated_kernel_size", 0)
    with pytest.raises(AttributeError):
        q.answer = 0


# --- checking typed answers ------------------------------------------------------------------------------------

def spellings(answer):
    """Ways a student may type the right answer."""
    if isinstance(answer, int):
        out = [str(answer), f" {answer} ", f"{answer}.0", f"{2 * answer}/2", f"o = {answer}"]
        if abs(answer) >= 1000:
            out += [f"{answer:,}", f"{answer:,}".replace(",", " ")]
        return out
    fraction = Fraction(answer).limit_denominator(100)
    return [repr(answer), f"{answer:.2f}", f"{fraction.numerator}/{fraction.denominator}",
            f"{answer:.3f}".replace(".", ",")]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_check_accepts_the_answer_and_rejects_others_with_the_explanation(kind):
    for seed in range(25):
        q = generate(kind, seed)
        for text in spellings(q.answer):
            correct, feedback = check(q, text)
            assert correct, (text, q.answer)
            assert q.explanation in feedback and "Correct" in feedback
        for wrong in (q.answer + 1, q.answer - 1, -q.answer if q.answer else 7):
            correct, feedback = check(q, fmt(wrong))
            assert not correct, (wrong, q.answer)
            assert q.explanation in feedback and fmt(q.answer) in feedback


def test_garbage_gets_a_friendly_message():
    q = generate("conv_output_size", 3)
    for text in ["", "   ", "abc", "four", "4 5", "1/0", "nan", "inf", "-inf", "1e400", "4..2", "<b>4</b>",
                 "[4](http://x)", "$4$", "4" * 200, None, "1/2/3", "--4"]:
        assert check(q, text) == (False, TYPE_A_NUMBER), text


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=50))
def test_check_never_raises(text):
    correct, feedback = check(generate("pool_cell", 1, {"op": "avg"}), text)
    assert isinstance(correct, bool) and isinstance(feedback, str) and feedback


@pytest.mark.parametrize("text,value", [
    ("4", 4), (" 4 ", 4), ("4.0", 4), ("+4", 4), ("-3", -3), ("−3", -3), ("- 3", -3), ("1/2", 0.5), ("-9/4", -2.25),
    ("1 / 4", 0.25), ("2 1/4", 2.25), ("2,5", 2.5), ("1,792", 1792), ("1 792", 1792), ("12,345,678", 12345678),
    (".5", 0.5), ("5.", 5), ("1e3", 1000), ("o = 4", 4), ("4 cells", 4), ("Y[0, 1] = -2", -2), ("0.25/0.5", 0.5),
])
def test_parse_answer_spellings(text, value):
    assert parse_answer(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "x", "3 4", "1/0", "2 1/0", "1,2,3", "nan", "inf", "12345678901234567890",
                                  "4 5 cells", "1.2.3", "/2", "2/"])
def test_parse_answer_refuses(text):
    assert parse_answer(text) is None


# --- lessons: the `questions:` front matter ---------------------------------------------------------------------

WITH_QUESTIONS = {"cross_correlation", "padding", "strides", "dilation", "transposed_convolution"}


def test_lessons_list_a_few_questions_that_generate():
    lessons = load_lessons()
    assert WITH_QUESTIONS <= {l.slug for l in lessons}
    for lesson in lessons:
        assert (2 if lesson.slug in WITH_QUESTIONS else 0) <= len(lesson.questions) <= 4, lesson.slug
        for spec in lesson.questions:
            assert isinstance(spec, QuestionSpec) and spec.kind in KINDS
            for seed in range(10):
                assert isinstance(generate(spec.kind, seed, spec.params), Question)


LESSON = """---
title: T
order: 1
icon: ":material/flip:"
page: {slug}
key_prefix: tq
summary: S
{questions}
---
## Idea
i
## Try it
t
## What to notice
w
## Summary
s
"""


def _lesson(tmp_path, questions, slug="demo_lesson"):
    path = tmp_path / f"{slug}.md"
    path.write_text(LESSON.format(slug=slug, questions=questions), encoding="utf-8")
    return path


def test_schema_reads_questions(tmp_path):
    lesson = load_lesson(_lesson(tmp_path, "questions:\n  - {kind: conv_output_size, params: {s: [2, 3]}}\n"
                                           "  - {kind: padded_cell}"))
    assert lesson.questions == (QuestionSpec("conv_output_size", {"s": [2, 3]}), QuestionSpec("padded_cell", {}))
    assert load_lesson(_lesson(tmp_path, "")).questions == ()


@pytest.mark.parametrize("questions,match", [
    ("questions:\n  - {kind: output_size_of_doom}", r"demo_lesson\.md.*'output_size_of_doom'"),
    ("questions:\n  - {kind: conv_output_size, params: {q: 2}}", r"demo_lesson\.md.*'q'"),
    ("questions:\n  - {kind: conv_output_size, params: {k: [0, 3]}}", r"demo_lesson\.md.*'k'"),
    ("questions:\n  - {kind: padded_cell, params: {mode: mirror}}", r"demo_lesson\.md.*'mode'"),
    ("questions:\n  - {kind: conv_output_size, params: {i: 1, k: 11}}", r"demo_lesson\.md.*no sensible question"),
    ("questions:\n  - {params: {k: 3}}", r"demo_lesson\.md: question 1 needs a 'kind'"),
    ("questions:\n  - conv_output_size", r"demo_lesson\.md: question 1 needs a 'kind'"),
    ("questions:\n  - {kind: conv_output_size, k: 3}", r"demo_lesson\.md: question 1 .*'params'"),
    ("questions:\n  - {kind: conv_output_size, params: [3]}", r"demo_lesson\.md: question 1 .*'params'"),
    ("questions: {kind: conv_output_size}", r"demo_lesson\.md: 'questions' must be a list"),
])
def test_schema_rejects_bad_questions(tmp_path, questions, match):
    with pytest.raises(LessonError, match=match):
        load_lesson(_lesson(tmp_path, questions))

