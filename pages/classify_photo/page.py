"""Lesson: a real ImageNet CNN (EfficientNet-Lite0) on a sample photo or the student's own upload."""
import streamlit as st

from engine.data.photos import SAMPLE_PHOTOS
from pages.classify_photo.views import (BLOCKS, analyse, block_view, chosen_photo, costs, feature_maps_view,
                                        photo_source, prediction, upload_box)
from pages.shell.lesson_page import LessonPage

page = LessonPage("classify_photo")


@st.fragment
def photo_and_network():
    """Everything a new photo or block redraws; as a fragment, the cost tables below are not sent again."""
    with page.controls():
        page.presets()
        label = page.choice("Sample photo", list(SAMPLE_PHOTOS), "cp_photo", default="Coffee")
        block = page.int_slider("Block whose feature maps are shown", 0, BLOCKS - 1, "cp_block", default=3)
        file = upload_box(page, label)

    photo = chosen_photo(label, file)  # an unreadable upload: a message, and the sample photo instead
    photo_source(photo)
    result, maps, shapes = analyse(photo.key, photo.rgb)

    st.subheader("What the network sees, and what it says")
    prediction(photo, result, page.font_size)

    st.subheader("Feature maps: what the filters respond to")
    feature_maps_view(photo.key, maps, shapes, block, page.font_size)

    st.subheader(f"Block {block}: an MBConv block vs a plain convolution")
    block_view(block)


photo_and_network()
st.subheader("Where the parameters and the multiply-adds go")
costs(page.font_size)
page.finish()
