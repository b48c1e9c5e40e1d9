"""Lessons are data: `lessons/<slug>.md` = YAML front matter + Markdown sections."""
from engine.lessons.schema import DemoStep, Lesson, LessonError, Preset, load_lesson, load_lessons, page_path

__all__ = ["DemoStep", "Lesson", "LessonError", "Preset", "load_lesson", "load_lessons", "page_path"]
