"""Widgets of the editor, one per module (the suggestion panel, split by idea, one package), each
with its ``.tcss`` beside it."""
