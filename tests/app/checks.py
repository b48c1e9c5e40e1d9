"""Assertions and readers shared by the AppTest tests."""
import html
import json
import re

from engine.figures.step_patches import unpack


def assert_clean(at):
    """No exception and no error message on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def assert_link_note(at, query):
    """A malformed link value: no exception, a note naming the key, and no markup from the link on the page."""
    assert not at.exception, [e.value for e in at.exception]
    (key,) = query
    notes = "".join(w.value for w in at.warning)
    assert f"`{key}`" in notes
    assert "<" not in notes.replace("`", "")


# ---- the browser-side stepper (pages/shell/stepper): what the server hands to the browser ----------

def stepper(at, key):
    """The data stepper `key` sends to the browser: label, n, start (the step), packed views (see step_patches)."""
    found = [e for e in at.get("bidi_component") if e.proto.id.endswith(f"-{key}_ui")]
    assert len(found) == 1, f"{len(found)} steppers {key!r} on the page"
    return json.loads(found[0].proto.json)


def step_view(at, key, n=None):
    """The HTML the browser draws for step n of stepper `key` (default: the step on screen)."""
    data = stepper(at, key)
    assert "base" in data, f"stepper {key!r} sent no views this run ({data.get('views')!r})"
    return unpack(data, data["start"] if n is None else n)


def go_to_step(at, key, n):
    """Move stepper `key` to step n from the server, as a preset or demo step does, and rerun."""
    at.session_state[key] = n
    return at.run()


_EQ = re.compile(r'<p class="cl-eq">(.*?)</p>', re.S)
_LABEL = re.compile(r'class="cl-step" aria-label="(.*?)"')


def step_equation(at, key, n=None):
    """The sum written above step n's grids (`<p class="cl-eq">`, unescaped; default: the step on screen)."""
    found = _EQ.findall(step_view(at, key, n))
    assert len(found) == 1, f"{len(found)} equations in the view of {key!r}"
    return html.unescape(found[0])


def step_label(at, key, n=None):
    """The text alternative of step n's grids (the `aria-label` of `class="cl-step"`, unescaped)."""
    found = _LABEL.findall(step_view(at, key, n))
    assert len(found) == 1, f"{len(found)} step grids in the view of {key!r}"
    return html.unescape(found[0])


def step_sum(at, key, n=None):
    """A convolution step's sum as written above its grids, checked against the grids' text alternative."""
    text = step_equation(at, key, n)
    assert step_label(at, key, n) == text
    return text


def step_of(at, key):
    """The step the server chose for stepper `key`, checked against the URL (`?key=n`, absent at 0)."""
    start = stepper(at, key)["start"]
    assert at.query_params.get(key) == (str(start) if start else None), dict(at.query_params)
    return start


def assert_values(at, values):
    """Every widget at its value (Session State) and every stepper at its step (`xc_step`, `tc_cstep`: the
    stepper takes its key out of Session State, so read the step it chose, and check the URL agrees)."""
    for key, value in values.items():
        if key.endswith("step"):
            assert step_of(at, key) == value, key
        else:
            assert at.session_state[key] == value, key
