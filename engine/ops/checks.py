"""Argument checks every op shares, and the engine's size budget (as torch keeps `_pair` in
`nn/modules/utils.py`). Each check raises ValueError with a message a student can act on.

The budget: no array an op allocates holds more than MAX_ELEMENTS numbers (2**24, 128 MiB of
float64), no op does more than MAX_WORK multiply-adds (about a second of numpy), and no step trace
records more than MAX_TRACE_STEPS steps. Anything larger is refused before it is allocated or
computed, so no call can stall the server or exhaust its memory.

    >>> positive(2, 2, "stride")
    (2, 2)
    >>> kernel_span((3, 3), (1, 2))
    (3, 5)
"""
from __future__ import annotations

import math

import numpy as np

MAX_ELEMENTS = 1 << 24    # numbers in any one array an op allocates (128 MiB of float64)
MAX_WORK = 1 << 28        # multiply-adds (or comparisons) in one op
MAX_TRACE_STEPS = 4096    # steps in one trace (a 64 x 64 output), each kept for a figure
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")  # nn.Conv2d's padding_mode


def whole_number(value):
    """value as an int if it is a whole number (an int or an integral finite float, not a bool), else None."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    return None


def per_axis(value, n, name):
    """An int (or any single value) -> an n-tuple; a sequence must have n entries."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (str, bytes)) or np.isscalar(value) or value is None:
        return (value,) * n
    try:
        value = tuple(value)
    except TypeError:  # not a sequence: one value, which the caller's check refuses
        return (value,) * n
    if len(value) != n:
        raise ValueError(f"{name} needs {n} value(s), one per spatial axis; got {len(value)}.")
    return value


def at_least(value, n, name, lo):
    """value (one number, or one per axis) as an n-tuple of ints from lo to MAX_ELEMENTS (no size, stride,
    padding or dilation can be longer than the longest array the engine makes)."""
    values = tuple(whole_number(v) for v in per_axis(value, n, name))
    if any(v is None or v < lo for v in values):
        raise ValueError(f"{name} must be a whole number of at least {lo}, got {show_value(value)}.")
    if any(v > MAX_ELEMENTS for v in values):
        raise ValueError(f"{name} {show_value(value)} is more than the engine's limit of {MAX_ELEMENTS:,} cells.")
    return values


def positive(value, nd, name):
    """stride, dilation, kernel_size: one whole number >= 1, or one per axis -> nd-tuple of ints."""
    return at_least(value, nd, name, 1)


def positive_int(value, name):
    """groups, channels, a size: one whole number >= 1 -> int (positive() for a single value)."""
    return at_least(value, 1, name, 1)[0]


def non_negative(value, nd, name):
    """padding, output_padding: one whole number >= 0, or one per axis -> nd-tuple of ints."""
    return at_least(value, nd, name, 0)


def check_shape(shape, name, what="input_shape", axes=(1, 2)):
    """A shape of 1 or 2 axes (`axes`; None: any number; an int is one axis) -> tuple of ints >= 1
    holding at most MAX_ELEMENTS cells."""
    shape = (shape,) if np.ndim(shape) == 0 else tuple(shape)
    if axes is not None and len(shape) not in axes:
        raise ValueError(f"{name} works on a 1D or 2D input: its {what} has 1 or 2 sizes, (L,) or (H, W); "
                         f"got {len(shape)}.")
    shape = positive(shape, len(shape), what)
    check_elements(shape, name, what)
    return shape


def kernel_span(kernel_size, dilation):
    """Cells a dilated kernel covers per axis: d(k - 1) + 1 (= k + (k - 1)(d - 1))."""
    return tuple(d * (k - 1) + 1 for k, d in zip(kernel_size, dilation))


def check_fits(padded, kernel_size, dilation, advice=None):
    """The kernel's span per axis; ValueError if it is larger than the padded input on any axis.

    The default advice names dilation only when it is above 1 (a page without a dilation control has d = 1).
    """
    span = kernel_span(kernel_size, dilation)
    if advice is None:
        advice = f"use a smaller kernel{' or dilation' if any(d > 1 for d in dilation) else ''}, or more padding"
    if any(e > size for e, size in zip(span, padded)):
        raise ValueError(f"The kernel covers {' x '.join(map(str, span))} cells but the padded input is only "
                         f"{' x '.join(map(str, padded))}: {advice}.")
    return span


def check_padding_mode(padding_mode):
    """nn.Conv2d's padding modes; 'constant' is F.pad's name, not a layer's."""
    if not isinstance(padding_mode, str) or padding_mode not in PADDING_MODES:
        raise ValueError(f"Unknown padding_mode {show_value(padding_mode)}: use {', '.join(PADDING_MODES)}.")


def check_numbers(input, name, what="input"):
    """input as a numpy array of real numbers (bool, int or float; NaN and inf allowed), else ValueError."""
    try:
        x = np.asarray(input)
    except (ValueError, TypeError) as error:  # ragged nested lists
        raise ValueError(f"{name}'s {what} must be a rectangular array of numbers.") from error
    if x.dtype != bool and not np.issubdtype(x.dtype, np.integer) and not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"{name} needs numbers (bool, int or float) in its {what}, got an array of {x.dtype}.")
    return x


def trace_arrays(input, kernel, name):
    """A single-channel trace's input and kernel as float arrays: both 1D or both 2D, neither empty."""
    x, w = check_numbers(input, name).astype(float), check_numbers(kernel, name, "kernel").astype(float)
    if x.ndim not in (1, 2) or w.ndim != x.ndim:
        raise ValueError(f"A trace needs a 1D or 2D input and a kernel of the same rank; got {x.shape} and {w.shape}.")
    if 0 in x.shape or 0 in w.shape:
        raise ValueError(f"A trace needs at least one cell in the input and in the kernel; got {x.shape} and "
                         f"{w.shape}.")
    return x, w


def trace_bias(bias, name):
    """A single-channel trace's bias as a float: one real number, or None (conv2d's default) for 0."""
    if bias is None:
        return 0.0
    b = check_numbers(bias, name, "bias")
    if b.size != 1:
        raise ValueError(f"{name} traces one channel: its bias is one number, got shape {b.shape}.")
    return float(b.ravel()[0])


def check_elements(shape, name, what="array"):
    """ValueError if an array of this shape would hold more than MAX_ELEMENTS numbers."""
    count = math.prod(int(n) for n in shape)
    if count > MAX_ELEMENTS:
        raise ValueError(f"{name}'s {what} would hold {' x '.join(map(str, shape))} = {count:,} numbers; "
                         f"the engine's limit is {MAX_ELEMENTS:,}: use a smaller input, kernel or padding.")


def check_work(count, name):
    """ValueError if an op would do more than MAX_WORK multiply-adds (count: their number)."""
    if count > MAX_WORK:
        raise ValueError(f"{name} would do {count:,} multiply-adds; the engine's limit is {MAX_WORK:,}: "
                         "use a smaller input, kernel or number of channels.")


def check_steps(count, name, per_step=0):
    """ValueError if a trace of `count` steps is longer than MAX_TRACE_STEPS, or if the arrays it keeps
    (`per_step` numbers a step) would hold more than MAX_ELEMENTS numbers in all."""
    if count > MAX_TRACE_STEPS:
        raise ValueError(f"{name} would record {count:,} steps; a trace holds at most {MAX_TRACE_STEPS:,}: "
                         "use a smaller input or a larger stride.")
    if count * per_step > MAX_ELEMENTS:
        raise ValueError(f"{name} would keep {count * per_step:,} numbers over its {count:,} steps; the engine's "
                         f"limit is {MAX_ELEMENTS:,}: use a smaller input or kernel.")


def step_index(n, count):
    """A step number for a trace of `count` steps, clamped to 0 .. count - 1; ValueError if not whole."""
    i = whole_number(n)
    if i is None:
        raise ValueError(f"A step number must be a whole number, got {show_value(n)}.")
    return min(max(i, 0), count - 1)


def show_value(value, limit=40):
    """A short text of a value for a message (a hostile value can be long)."""
    text = repr(value) if isinstance(value, (str, bytes)) else str(value)
    return text if len(text) <= limit else text[:limit] + "..."


def check_flag(value, name):
    """ceil_mode, flip, return_indices, count_include_pad: a real bool (Python's or numpy's) -> bool.

    Read by truthiness, ceil_mode="False" would round up and flip="no" would flip; torch refuses a string
    there, and so does the engine:

    >>> check_flag(True, "ceil_mode"), check_flag(np.False_, "flip")
    (True, False)
    >>> check_flag("False", "ceil_mode")
    Traceback (most recent call last):
    ...
    ValueError: ceil_mode must be True or False, got the str 'False'.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ValueError(f"{name} must be True or False, got the {type(value).__name__} {str(value)[:20]!r}.")
