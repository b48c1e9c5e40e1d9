"""Equations for a trace step, written out with the step's own numbers."""
from __future__ import annotations

from engine.figures.style import fmt
from engine.notation import sym

MAX_TERMS = 12  # longer sums are shortened with an ellipsis


def index_text(index):
    return ", ".join(str(i) for i in index)


def input_title(trace):
    """'Padded input X' when the trace pads the input, else 'Input X'."""
    return f"Padded input {sym('X')}" if any(any(pair) for pair in trace.pads) else f"Input {sym('X')}"


def _terms(step, times):
    pairs = [(fmt(w), fmt(x)) for w, x in zip(step.taps.ravel(), step.inputs.ravel())]
    terms = [f"{_paren(w)}{times}{_paren(x)}" for w, x in pairs]
    if len(terms) > MAX_TERMS:
        terms = terms[:MAX_TERMS // 2] + ["…" if times == "·" else r"\dots"] + terms[-MAX_TERMS // 2:]
    return terms


def _paren(s):
    return f"({s})" if s.startswith("-") else s


def step_equation(step, bias=0.0):
    """Plain text: 'y[0, 1] = 2·0 + 0·1 + 1·3 = 3'."""
    bias_term = f" + {_paren(fmt(bias))}" if bias else ""
    return f"{sym('y')}[{index_text(step.index)}] = {' + '.join(_terms(step, '·'))}{bias_term} = {fmt(step.value)}"


def step_equation_latex(step, bias=0.0):
    """The same sum as LaTeX for st.latex."""
    bias_term = f" + {_paren(fmt(bias))}" if bias else ""
    body = " + ".join(t.replace("…", r"\dots") for t in _terms(step, r" \cdot "))
    return rf"{sym('y')}_{{{index_text(step.index)}}} = {body}{bias_term} = {fmt(step.value)}"


def _index(out, tap, s, d):
    """'i + m', '2i + m', 'i + 2m' for output index `out`, tap `tap`, stride s, dilation d."""
    return f"{s if s != 1 else ''}{out} + {d if d != 1 else ''}{tap}"


def formula_latex(trace):
    """The defining sum with this trace's kernel size, stride, dilation (and bias) written in.

    Convolution is written as cross-correlation with the flipped kernel, as it is computed.
    """
    k, s, d = trace.kernel.shape, trace.stride, trace.dilation
    x, w, y = sym("X"), sym("K"), sym("Y")
    kernel = rf"\tilde {w}" if trace.flip else w
    bias = f" + {fmt(trace.bias)}" if trace.bias else ""
    if len(k) == 1:
        sum_ = rf"{y}(i) = \sum_{{m=0}}^{{{k[0] - 1}}} {kernel}(m)\, {x}({_index('i', 'm', s[0], d[0])}){bias}"
        flipped = rf"\tilde {w}(m) = {w}({k[0] - 1} - m)"
    else:
        sum_ = (rf"{y}(i, j) = \sum_{{m=0}}^{{{k[0] - 1}}}\sum_{{n=0}}^{{{k[1] - 1}}} {kernel}(m, n)\, "
                rf"{x}({_index('i', 'm', s[0], d[0])},\; {_index('j', 'n', s[1], d[1])}){bias}")
        flipped = rf"\tilde {w}(m, n) = {w}({k[0] - 1} - m,\; {k[1] - 1} - n)"
    sum_ += r"\qquad (" + ("i" if len(k) == 1 else "i, j") + r"\text{: the output cell})"
    if not trace.flip:
        return r"\text{cross-correlation: }" + sum_
    return (r"\begin{gathered}\text{convolution: }" + sum_
            + r"\\ \text{with the kernel flipped: }" + flipped + r"\end{gathered}")
