"""Assertions shared by the AppTest tests."""


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
