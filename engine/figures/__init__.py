"""Plotly figures drawn from engine results and traces (pure: no Streamlit)."""
from engine.figures.animation import animation_spec, at_step, conv_animation
from engine.figures.classifier_figures import cost_share_figure, feature_maps_figure, top_classes_figure
from engine.figures.grid import grids_figure, images_figure
from engine.figures.pool_figures import pool_animation, pool_animation_spec, pool_equation, pool_step_html, unpool_html
from engine.figures.spec import SpecFigure
from engine.figures.step_view import step_html
from engine.figures.text import formula_latex, step_equation, step_equation_latex

__all__ = ["animation_spec", "at_step", "conv_animation", "grids_figure", "images_figure", "SpecFigure", "step_html",
           "formula_latex", "step_equation", "step_equation_latex",
           "pool_step_html", "pool_equation", "pool_animation", "pool_animation_spec", "unpool_html"]
