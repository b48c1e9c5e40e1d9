"""Hello-world Streamlit page: the baseline of the browser benchmark and the e2e harness test.

A title, one slider and one line of text showing its value. `?boom=1` raises an uncaught exception,
so the harness test can prove that exceptions are detected.
"""

import streamlit as st

if st.query_params.get("boom") == "1":
    raise RuntimeError("boom requested by the harness test")

st.title("Hello, world")  # a title like a lesson's: the page-load benchmark waits for one
value = st.slider("Value", min_value=0, max_value=100, value=50, key="hello_value")
st.markdown(f"Value is **{value}**")
