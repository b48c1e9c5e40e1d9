"""Home: what ConvLab teaches, and a link to every lesson."""
import streamlit as st

from engine.lessons import page_path

from pages.shell.lesson_page import lessons

st.title("ConvLab")
st.markdown(
    "Learn convolutional neural networks by moving sliders until the idea clicks. Every lesson "
    "computes each operation step by step with every number visible, checked against PyTorch, "
    "and shows the PyTorch code for what is on screen. Instructors: turn on **demo mode** in the "
    "sidebar (or add `?demo=1` to a link) to project a lesson; every view has its own link."
)
st.subheader("Lessons")
for lesson in lessons():
    with st.container(border=True):
        st.page_link(page_path(lesson.page), label=f"**{lesson.order}. {lesson.title}**", icon=lesson.icon)
        st.caption(lesson.summary)
