"""Self-check questions: generate one of a kind from a seed, check a student's typed answer.

    q = generate("conv_output_size", seed=7, params={"s": [2, 3]})
    q.prompt       # 'A convolution has input size $i = 9$, ...'
    check(q, "4")  # (True, 'Correct: 4. $o = ...$')

Kinds (parameters a lesson may fix, `k: 3`, or range, `k: [2, 5]`, or list, `mode: [reflect, circular]`):
    conv_output_size        i, k, s, p, d
    padding_output_size     padding (valid | same | full), i, k, d
    stride_same_output      i, k, s, p        the largest input size with the same output size
    dilated_kernel_size     k, d
    receptive_field         layers, k, s, d   (each layer draws its own k, s, d)
    transposed_output_size  i, k, s, p, output_padding, d
    conv_parameter_count    c_in, c_out, k, bias, groups
    pool_output_size        i, k, s, p, ceil_mode
    correlation_cell        rows, cols, k, s, p
    convolution_cell        rows, cols, k, s, p
    padded_cell             rows, cols, p, mode (zeros | reflect | replicate | circular)
    pool_cell               rows, cols, k, s, op (max | avg)
    se_parameter_count      c, r
    se_added_flops          h, c, r
    channel_conv_output_count   c_in, c_out, i, k, s, p   numbers in a conv layer's output volume
    channel_conv_cell       c_in, k           one output cell summed over channels, plus the bias
    layer_parameter_count   layer (fully connected | locally connected | convolution), h, c_in, c_out, k
    depthwise_output_channels  c_in, m, k
    grouped_conv_macs       c_in, c_out, k, groups, h
    separable_macs          c_in, c_out, k, h
    vgg_block_parameters    c_in, c_out, convs   parameters of a VGG block of 3x3 convolutions
    conv_multiply_adds      h, c_in, c_out, k, s  multiply-adds of one convolution
New kinds register with `question_model.kind` in a question_*.py module imported below.
"""
from __future__ import annotations

from engine.figures.style import fmt
from engine.lessons import (question_cells, question_channels, question_groups, question_networks,  # noqa: F401
                            question_se, question_sizes)  # (they register their kinds)
from engine.lessons.question_answers import parse_answer
from engine.lessons.question_model import KINDS, Question, QuestionSpec, Shown

TYPE_A_NUMBER = "Type one number as your answer, for example 4, -2.5 or 1/2."
VALIDATION_SEEDS = range(3)  # a lesson's question spec must give a question for these seeds

__all__ = ["KINDS", "Question", "QuestionSpec", "Shown", "check", "generate", "parse_answer", "validate",
           "TYPE_A_NUMBER"]


def generate(kind, seed=None, params=None):
    """A question of `kind` drawn with `seed` (int or numpy Generator); ValueError for an unknown kind or param."""
    if kind not in KINDS:
        raise ValueError(f"unknown question kind {kind!r}; known kinds: {', '.join(sorted(KINDS))}")
    return KINDS[kind].generate(seed, params)


def validate(spec):
    """Check a QuestionSpec: the kind exists, its params are allowed and give questions. ValueError if not."""
    for seed in VALIDATION_SEEDS:
        generate(spec.kind, seed, spec.params)


def check(question, text):
    """(correct, feedback) for the typed `text`; feedback is Markdown that works the answer out.

    Text that is not one number gives (False, TYPE_A_NUMBER); nothing here raises.
    """
    value = parse_answer(text)
    if value is None:
        return False, TYPE_A_NUMBER
    readings = [value]
    if text.count(",") == 1 and "." not in text:  # '5,778': thousands, or a decimal comma
        readings.append(parse_answer(text.replace(",", ".")))
    answer = _number(question.answer)
    if any(v is not None and abs(v - question.answer) <= question.tolerance for v in readings):
        return True, f"**Correct: {answer}.**\n\n{question.explanation}"
    return False, f"**Not quite:** you typed {_number(value)}, the answer is {answer}.\n\n{question.explanation}"


def _number(value):
    """Whole numbers in full (a parameter count of 1234567 stays exact), others as the figures show them."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else fmt(value)
