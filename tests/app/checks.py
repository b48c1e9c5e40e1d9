"""Assertions shared by the AppTest tests."""


def assert_clean(at):
    """No exception and no error message on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
