"""Lesson: train a small CNN and an MLP on the digits, pixels in place and shuffled, and compare them live."""
import streamlit as st

from pages.shell.lesson_page import LessonPage
from pages.train_cnn_mlp.views import (DIGIT_VIEWS, comparison, describe_networks, mlp_weights, requested,
                                       shuffled_digits, train_buttons, train_requested)

page = LessonPage("train_cnn_mlp")
runs = requested()  # what a Train button asked for: while it trains, the settings are locked
with page.controls():
    page.presets()
    left, right = st.columns(2)
    with left:
        epochs = page.int_slider("Epochs (passes over the training digits)", 1, 15, "tr_epochs", default=8,
                                 disabled=bool(runs))
    with right:
        seed = page.int_slider("Seed (initial weights and order of the mini-batches)", 0, 9, "tr_seed",
                               disabled=bool(runs))
    view = page.choice("Digits shown", list(DIGIT_VIEWS), "tr_view")

st.subheader("What shuffled pixels look like")
shuffled_digits(page, view)

st.subheader("Train: a CNN and an MLP, on original and on shuffled pixels")
describe_networks()
placeholders = train_buttons(epochs, seed, runs)

st.subheader("The comparison")
comparison(page, epochs, seed)

st.subheader("What the MLP's first layer learned")
mlp_weights(page, epochs, seed)
page.finish()
train_requested(page, placeholders, runs, epochs, seed)  # last: the whole page is on screen while it trains
