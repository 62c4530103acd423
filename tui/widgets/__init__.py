"""Widgets of the editor, one per module, each with its ``.tcss`` beside it."""
