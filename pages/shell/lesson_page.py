"""The shell every lesson page shares: title and Idea, controls, presets, notes, stepper, sections."""
from __future__ import annotations

import functools
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from engine.lessons import load_lessons
from pages.shell import controls, demo_mode, viewport
from pages.shell.figures import LESSON_KEY, PHONE_STYLE
from pages.shell.stepper import stepper

# Wide step grids, matrices and formulas scroll inside their own box instead of widening the page (phones).
_PAGE_STYLE = """<style>
[data-testid="stMainBlockContainer"] .stHtml { overflow-x: auto; }
[data-testid="stMainBlockContainer"] .katex-display { overflow-x: auto; overflow-y: hidden; }
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] table { display: block; overflow-x: auto; }
.st-key-lesson_viewport { display: none; }
</style>""" + PHONE_STYLE  # a constant; hide_css adds selectors made only from validated names


@functools.cache  # process-wide like st.cache_resource, and callable at start-up (serve.py) with no script run
def lessons():
    """Every lesson, validated, in order (read-only, shared by all sessions)."""
    return tuple(load_lessons())


def lesson(slug):
    return next(l for l in lessons() if l.slug == slug)


class LessonPage:
    """Top to bottom: header, controls, work, figures, sections; notes appear under the title."""

    def __init__(self, slug):
        self.lesson = lesson(slug)
        self.demo = demo_mode.is_on()
        self.font_size = 20 if self.demo else 15  # figure text: projector-sized in demo mode
        self.notes = controls.pending_notes()  # unusable URL values, reported under the title by finish()
        controls.start_page()
        demo_mode.check_link(self.notes)
        st.session_state[LESSON_KEY] = slug
        st.html(_PAGE_STYLE + controls.hide_css(controls.hidden(self.notes)))
        viewport.watch()  # before any figure: a phone's report reruns the page with its layout
        st.title(self.lesson.title)
        if self.demo:
            demo_mode.script_bar(self)
        self._notes_box = st.container()
        with st.container(key="lesson_idea"):
            st.markdown(self.lesson.sections["Idea"])

    @contextmanager
    def controls(self):
        """The controls, folded away in demo mode, headed by the lesson's "Try it" line (`hide=controls`)."""
        with st.container(key="lesson_controls"):
            with st.expander("Controls", expanded=not self.demo, icon=":material/tune:") as box:
                st.caption(self.lesson.sections["Try it"])
                yield box

    def key(self, key):
        """`key` if it carries the lesson's prefix (lessons/<slug>.md `key_prefix`); ValueError otherwise."""
        if not self.lesson.owns_key(key):
            raise ValueError(f"widget key {key!r} of lesson {self.lesson.slug!r} must start with "
                             f"{self.lesson.key_prefix + '_'!r} (its key_prefix)")
        return key

    @staticmethod
    def preset_key(name):
        """The widget key of the button of preset `name`."""
        return f"preset_{name}"

    def preset_clicked(self):
        """Whether this run comes from a click on one of the lesson's preset buttons."""
        return any(st.session_state.get(self.preset_key(p.name)) for p in self.lesson.presets)

    @property
    def demo_step(self):
        """The demo script step on screen (1..n; 0 before the script starts or outside demo mode)."""
        return demo_mode.current_step(self.lesson)

    @contextmanager
    def stop_on_error(self):
        """The one guard for unusable input: a ValueError shows its message, the closing sections, and stops."""
        try:
            yield
        except ValueError as err:
            st.error(f"{err}", icon=":material/error:")
            self.finish()
            st.stop()

    def presets(self, label="Examples"):
        """A row of buttons, one a preset from the lesson file; a click sets its widget values (`hide=presets`)."""
        with st.container(key="lesson_presets"):
            st.caption(label)
            with st.container(horizontal=True):
                for preset in self.lesson.presets:
                    st.button(preset.label, key=self.preset_key(preset.name), on_click=controls.set_values,
                              args=(preset.values,))

    def choice(self, label, options, key, **kwargs):
        return controls.choice(label, options, self.key(key), self.notes, **kwargs)

    def int_slider(self, label, lo, hi, key, **kwargs):
        return controls.int_slider(label, lo, hi, self.key(key), self.notes, **kwargs)

    def matrix(self, label, key, default, **kwargs):
        values, error = controls.matrix(label, self.key(key), default, self.notes, **kwargs)
        if error:
            st.error(error, icon=":material/error:")
        return values

    def stepper(self, n_steps, key, label="Step", shortcuts=True, *, views):
        """◀ Previous, a step slider, Next ▶ (Left / Right keys when `shortcuts`); returns the step.

        views: (build, *args) giving each step's HTML, drawn in the browser without a rerun (see
        pages/shell/stepper). In demo mode these are the animation frames within a script step (Page Down /
        Page Up walk the script). `hide=<key>` hides the row of controls; the view and the keys stay.
        """
        return stepper(self.key(key), n_steps, self.notes, views, label, shortcuts)

    def _other_lesson_title(self, key):
        """The title of the other lesson whose key_prefix `key` carries (a link's stray value), else None."""
        return next((l.title for l in lessons() if l is not self.lesson and l.owns_key(key)), None)

    @contextmanager
    def folded(self, label, key, icon=None):
        """An expander whose content is built only while it is open: yields whether it is (its state is kept
        under `key`; opening or closing it reruns the fragment or page it is in)."""
        box = st.expander(label, icon=icon, key=self.key(key), on_change="rerun")
        with box:
            yield bool(box.open)

    def section(self, name):
        st.markdown(self.lesson.sections[name])

    def finish(self):
        """Closing sections, the self-check questions, and the note about unusable link values (under the title)."""
        from pages.shell.self_check import self_check  # here: finish() is the one part of this file it needs

        controls.drop_foreign(self.notes, self._other_lesson_title)
        controls.show_notes(self.notes, self._notes_box)
        st.subheader("What to notice")
        self.section("What to notice")
        st.subheader("Summary")
        self.section("Summary")
        self_check(self.lesson)

    @contextmanager
    def stop_on_error_in_fragment(self):
        """stop_on_error() for sections in a fragment. The message, the closing sections and the stop belong to
        a full run: on a rerun of the fragment alone, an error (or the first rerun after one) reruns the page."""
        alone = bool(get_script_run_ctx().fragment_ids_this_run)  # Streamlit's run context: a fragment-only rerun
        if st.session_state.pop("_convlab_stopped_on_error", False) and alone:
            st.rerun(scope="app")  # the closing sections were drawn inside the fragment: draw them in place again
        with self.stop_on_error():
            try:
                yield
            except ValueError:
                if alone:
                    st.rerun(scope="app")
                st.session_state["_convlab_stopped_on_error"] = True
                raise
