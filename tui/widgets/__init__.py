"""Widgets of the reader: the article view, the annotation form and the annotation list."""
