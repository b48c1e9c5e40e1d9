"""Streamlit building blocks shared by the lesson pages (the engine stays UI-free)."""
