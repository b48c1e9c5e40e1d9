"""Plotly figures drawn from engine results and traces (pure: no Streamlit)."""
from engine.figures.animation import conv_animation
from engine.figures.grid import grids_figure, images_figure
from engine.figures.text import formula_latex, step_equation, step_equation_latex

__all__ = ["conv_animation", "grids_figure", "images_figure", "formula_latex", "step_equation",
           "step_equation_latex"]
