"""Equations for a trace step, written out with the step's own numbers."""
from __future__ import annotations

from engine.figures.style import fmt

MAX_TERMS = 12  # longer sums are shortened with an ellipsis


def index_text(index):
    return ", ".join(str(i) for i in index)


def input_title(trace):
    """'Padded input X' when the trace pads the input, else 'Input X'."""
    return "Padded input X" if any(any(pair) for pair in trace.pads) else "Input X"


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
    return f"y[{index_text(step.index)}] = {' + '.join(_terms(step, '·'))}{bias_term} = {fmt(step.value)}"


def step_equation_latex(step, bias=0.0):
    """The same sum as LaTeX for st.latex."""
    bias_term = f" + {_paren(fmt(bias))}" if bias else ""
    body = " + ".join(t.replace("…", r"\dots") for t in _terms(step, r" \cdot "))
    return rf"y_{{{index_text(step.index)}}} = {body}{bias_term} = {fmt(step.value)}"


def formula_latex(nd, flip):
    """The defining sum for the current operation; convolution is written with the flipped kernel."""
    if nd == 1:
        sum_ = r"y(i) = b + \sum_{m} %s(m)\, x(i s + d\,m)"
        flipped = r"\tilde w(m) = w(k - 1 - m)"
        kernel = "w"
    else:
        sum_ = r"Y(i, j) = b + \sum_{m}\sum_{n} %s(m, n)\, X(i s + d\,m,\; j s + d\,n)"
        flipped = r"\tilde K(m, n) = K(k_h - 1 - m,\; k_w - 1 - n)"
        kernel = "K"
    if not flip:
        return r"\text{cross-correlation: }" + sum_ % kernel
    return (r"\begin{gathered}\text{convolution: }" + sum_ % (r"\tilde " + kernel)
            + r"\\ \text{with the kernel flipped: }" + flipped + r"\end{gathered}")
