"""Lesson: design a CNN for the digits as a list of layers, see every shape and cost, train it, export it."""
import streamlit as st

from pages.build_cnn.design import code, layer_text, layers_and_table, trainable
from pages.build_cnn.training import comparison, requested, train_button, train_requested
from pages.shell.lesson_page import LessonPage

page = LessonPage("build_cnn")
run = requested()  # what the Train button asked for: while it trains, the controls are locked
with page.controls():
    page.presets()
    source = layer_text(page, disabled=bool(run))
    left, right = st.columns(2)
    with left:
        epochs = page.int_slider("Epochs (passes over the training digits)", 1, 5, "bc_epochs", default=3,
                                 disabled=bool(run))
    with right:
        seed = page.int_slider("Seed (initial weights and order of the mini-batches)", 0, 9, "bc_seed",
                               disabled=bool(run))

st.subheader("Your network, layer by layer")
layers, report = layers_and_table(page, source)  # text that cannot be read, or a layer that breaks: stops here
code(layers)

st.subheader("Train it on the digits")
why_not = trainable(layers)
placeholders = None
if why_not:
    st.warning(f"Not trained. {why_not}", icon=":material/block:")
else:
    placeholders = train_button(layers, epochs, seed, run)
    st.subheader("Compared with ConvLab's digit net")
    comparison(layers, report, epochs, seed)
page.finish()
train_requested(page, placeholders, None if why_not else run)  # last: the whole page is on screen while it trains
