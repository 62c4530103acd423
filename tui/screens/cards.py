"""The board: the scenes as index cards (number, heading, synopsis, length, AI share) in act
and sequence columns taken from the script's sections.

Arrows choose a card; Shift+arrows move it (up/down in its column, left/right into the next
act or sequence), which moves the scene's lines in the script as one undo step; Enter goes to
the scene; Escape goes back to the script. The board is drawn from the editor's own parse.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import HorizontalScroll, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from engine.fountain.cards import Card, Column
from engine.fountain.outline import eighths_text
from ..keymap import CARDS, bindings

Board = Callable[[], list[Column]]  # the columns as the script is now
Move = Callable[[list[Column], Card, int, int], bool]  # (board, card, column, position) -> whether it moved


class CardWidget(Static):
    def __init__(self, card: Card) -> None:
        super().__init__(classes="card")
        self.card = card

    def render(self) -> Text:
        card = self.card
        out = Text()
        out.append(f"{card.number} ", style="bold")
        out.append(card.heading + "\n", style="bold")
        if card.synopsis:
            out.append(card.synopsis + "\n", style="italic" if not card.synopsis.startswith("… ") else "dim")
        out.append(f"{eighths_text(card.eighths) if card.eighths else '0'} pg", style="dim")
        if card.ai_share is not None:
            out.append(f" · AI {card.ai_share:.0%}", style="dim")
        return out


class CardsScreen(ModalScreen[int | None]):
    """Dismissed with the line of the scene to go to (Enter), or None."""

    CSS_PATH = "cards.tcss"
    BINDINGS = bindings(CARDS)

    def __init__(self, board: Board, move: Move, at_line: int = 0) -> None:
        super().__init__()
        self.board = board
        self.move = move
        self.columns = board()
        self.col, self.row = self._locate(at_line)

    def _locate(self, line: int) -> tuple[int, int]:
        best = (0, 0)
        for c, column in enumerate(self.columns):
            for r, card in enumerate(column.cards):
                if card.start <= line:
                    best = (c, r)
        return best

    def compose(self) -> ComposeResult:
        with Vertical(id="cards-dialog"):
            yield Static("Cards", id="cards-title")
            yield HorizontalScroll(id="cards-board")
            yield Footer(compact=True)

    async def on_mount(self) -> None:
        await self._draw()

    async def _draw(self) -> None:
        board = self.query_one("#cards-board", HorizontalScroll)
        await board.remove_children()
        if not any(column.cards for column in self.columns):
            await board.mount(Static("No scenes yet: a scene heading (INT. / EXT.) starts one.", classes="empty"))
            return
        for c, column in enumerate(self.columns):
            cards = [CardWidget(card) for card in column.cards]
            for r, widget in enumerate(cards):
                widget.set_class((c, r) == (self.col, self.row), "-selected")
            title = Static(Text(column.title or "(before the first act)", style="bold"), classes="column-title")
            scroll = VerticalScroll(*cards, classes="column-cards")
            await board.mount(Vertical(title, scroll, classes="column"))
        self.call_after_refresh(self._show_selected)

    def _show_selected(self) -> None:
        for widget in self.query(".card.-selected"):
            widget.scroll_visible(animate=False)

    @property
    def selected(self) -> Card | None:
        if not self.columns or not self.columns[self.col].cards:
            return None
        return self.columns[self.col].cards[self.row]

    async def action_select(self, dc: int, dr: int) -> None:
        if not self.columns:
            return
        col = max(0, min(len(self.columns) - 1, self.col + dc))
        count = len(self.columns[col].cards)
        row = max(0, min(count - 1, (self.row if dc else self.row + dr))) if count else 0
        if (col, row) != (self.col, self.row):
            self.col, self.row = col, row
            for c, column in enumerate(self.query(".column")):
                for r, widget in enumerate(column.query(CardWidget)):
                    widget.set_class((c, r) == (col, row), "-selected")
            self._show_selected()

    async def action_move(self, dc: int, dr: int) -> None:
        card = self.selected
        if card is None:
            return
        col = self.col + dc
        if not 0 <= col < len(self.columns):
            return
        others = len(self.columns[col].cards) - (1 if col == self.col else 0)
        position = self.row + dr if dc == 0 else min(self.row, others)
        if dc == 0 and not 0 <= position <= others:
            return
        if not self.move(self.columns, card, col, position):
            return
        self.columns = self.board()
        self.col = col
        self.row = min(position, max(0, len(self.columns[col].cards) - 1)) if col < len(self.columns) else 0
        if col >= len(self.columns):
            self.col, self.row = len(self.columns) - 1, 0
        await self._draw()

    def action_open_scene(self) -> None:
        card = self.selected
        self.dismiss(card.start if card is not None else None)

    def action_close(self) -> None:
        self.dismiss(None)
