"""Scenewright's UI-free core: Fountain, models, generation, and the files a writer keeps.

Nothing under ``engine`` imports Textual; ``tests/test_engine_is_ui_free.py`` proves it.
"""

__version__ = "0.1.0"
