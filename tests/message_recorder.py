"""``Recorder``: every message a Textual app dispatches, for ``run_test(message_hook=Recorder())``."""

from __future__ import annotations


class Recorder:
    """Every message the app dispatches, once each (a bubbling message is dispatched at each
    level; the messages are kept alive here, so their ids are not reused)."""

    def __init__(self) -> None:
        self.messages: list = []
        self._seen: set[int] = set()

    def __call__(self, message) -> None:
        if id(message) not in self._seen:
            self._seen.add(id(message))
            self.messages.append(message)

    def of(self, cls) -> list:
        return [m for m in self.messages if isinstance(m, cls)]
