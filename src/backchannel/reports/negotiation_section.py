"""What the brief and the dashboard show of the negotiation, full or redacted.

Built from the strategy's ``NegotiationView`` (the ``negotiation`` key of the assessment),
which a redacted output first passes through ``redaction.negotiation.withheld_negotiation``.
The section words the negotiation's parts (our role and the mandate in one line; what we
ask, can offer and already agree on, what they ask, the case's red lines with who set
them) so that page 1 of the brief and the dashboard say them alike, and every empty part
says so plainly rather than leaving a blank: a reader must be able to tell "nothing
agreed" from "not shown". In a redacted section a withheld text is counted, not shown.
Page 1 prints the first entry of each of its parts, cut short when long, since it must
stay one page whatever the case holds; the annex and the dashboard give every entry.

The view itself rides along for the detail (annex tables, the dashboard's summaries).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from backchannel.dialogue.negotiation import LineView, MandateView, NegotiationView
from backchannel.redaction import WITHHELD
from backchannel.redaction.negotiation import withheld_negotiation

#: How many entries of a part page 1 lists before it refers to the annex for the rest.
PAGE_ONE_ITEMS = 1
#: How many characters of an entry page 1 prints; a longer one is cut at a word and
#: marked, and stands whole in the annex. Page 1 must stay one page whatever was written.
PAGE_ONE_CHARS = 100
#: How many characters of who set a red line page 1 prints, cut the same way.
PAGE_ONE_SETTER_CHARS = 40
#: The parts page 1 prints, in order. What they ask is left to the annex and the
#: dashboard: page 1 is full with the decision and what we can bring to the table.
PAGE_ONE_PARTS = ("we_ask", "we_offer", "we_agree", "red_lines")


class Part(BaseModel):
    """One headed part of what page 1 says of the negotiation."""

    model_config = ConfigDict(frozen=True)

    key: str
    heading: str
    #: The texts shown, in the order recorded.
    items: list[str]
    #: The first texts as page 1 prints them, long ones cut short and marked.
    page_one: list[str]
    #: How many texts are recorded but withheld in this version.
    withheld: int
    #: What the part says when nothing is recorded.
    empty: str

    @property
    def sentence(self) -> str:
        """What page 1 says of the part: its first entries, how many more the annex holds
        and how many are withheld, or that none is recorded."""
        if not self.recorded:
            return self.empty
        said = []
        if self.page_one:
            more = f" ({self.more} more in annex A.8)" if self.more else ""
            said.append("; ".join(self.page_one) + more)
        if self.withheld:
            said.append(f"{self.withheld} recorded, withheld in this version")
        text = "; ".join(said)
        return text if text.endswith((".", "!", "?", "\u2026")) else text + "."

    @property
    def more(self) -> int:
        """How many shown texts page 1 leaves to the annex."""
        return len(self.items) - len(self.page_one)

    @property
    def recorded(self) -> int:
        """How many entries the case records for this part, shown or withheld."""
        return len(self.items) + self.withheld


class NegotiationSection(BaseModel):
    """The negotiation as the brief and the dashboard show it."""

    model_config = ConfigDict(frozen=True)

    redacted: bool
    #: Our role in words ("humanitarian agency"), or None when not recorded.
    role: str | None
    #: "in force", "lapsed" or "none on record".
    mandate_status: str
    #: The mandate in one sentence: who gave it, when, and until when.
    mandate: str
    #: Our role and the mandate in one line, as page 1 opens the negotiation.
    standing: str
    #: What we ask, what we can offer, where we already agree, what they ask.
    parts: list[Part]
    #: The case's red lines, each with who set it.
    red_lines: Part
    #: The case's bottom lines, each with who set it.
    bottom_lines: Part
    view: NegotiationView
    #: What a withheld text reads as in ``view``.
    marker: str = WITHHELD

    @property
    def page_one_parts(self) -> list[Part]:
        """The parts page 1 of the brief prints (``PAGE_ONE_PARTS``)."""
        return [self.part(key) for key in PAGE_ONE_PARTS]

    def part(self, key: str) -> Part:
        """The part of page 1 named ``key`` (``we_ask``, ``we_offer``, ``we_agree``,
        ``they_ask``, ``red_lines`` or ``bottom_lines``)."""
        for part in (*self.parts, self.red_lines, self.bottom_lines):
            if part.key == key:
                return part
        raise KeyError(key)

    @property
    def broken(self) -> int:
        """How many commitments read as violated on the day."""
        return sum(
            c.status == "violated" for group in self.view.compliance for c in group.commitments
        )

    @property
    def commitments(self) -> int:
        """How many commitments the case records."""
        return sum(len(group.commitments) for group in self.view.compliance)


def build_negotiation_section(view: NegotiationView, *, redacted: bool) -> NegotiationSection:
    """The section from the strategy's negotiation; ``redacted`` withholds every text of it
    first (a view already withheld stays as it is)."""
    shown = withheld_negotiation(view) if redacted else view
    page = shown.page_one
    role = shown.our_role.replace("_", " ") if shown.our_role else None
    mandate = _mandate_sentence(shown.mandate)
    return NegotiationSection(
        redacted=redacted,
        role=role,
        mandate_status=_mandate_status(shown.mandate),
        mandate=mandate,
        standing=f"Our role: {role or 'not recorded'}. {mandate}",
        parts=[
            _part("we_ask", "What we ask", page.we_ask, "No position of ours is recorded."),
            _part("we_offer", "What we can offer", page.we_offer, "No offer of ours is recorded."),
            _part(
                "we_agree",
                "Where we already agree",
                page.we_agree,
                "Nothing agreed is recorded yet.",
            ),
            _part("they_ask", "What they ask", page.they_ask, "No position of theirs is recorded."),
        ],
        red_lines=_lines_part(
            "red_lines",
            "Red lines of this case",
            shown.red_lines,
            "The case records no red lines of its own.",
        ),
        bottom_lines=_lines_part(
            "bottom_lines", "Bottom lines", shown.bottom_lines, "The case records no bottom lines."
        ),
        view=shown,
    )


def _part(
    key: str, heading: str, texts: list[str], empty: str, short: list[str] | None = None
) -> Part:
    """A part of page 1 from its texts (``WITHHELD`` ones counted); ``short`` gives page 1's
    own wording of the shown texts when it is not their clipped form."""
    items = [text for text in texts if text != WITHHELD]
    return Part(
        key=key,
        heading=heading,
        items=items,
        page_one=(short or [_clipped(text) for text in items])[:PAGE_ONE_ITEMS],
        withheld=len(texts) - len(items),
        empty=empty,
    )


def _clipped(text: str, most: int = PAGE_ONE_CHARS) -> str:
    """``text`` cut at the last word that fits in ``most`` characters, with an ellipsis."""
    if len(text) <= most:
        return text
    head = text[: most - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return head + "\u2026"


def _lines_part(key: str, heading: str, lines: list[LineView], empty: str) -> Part:
    """The case's red or bottom lines, each with who set it; a line whose text is withheld
    is withheld whole."""
    shown = [line for line in lines if line.text != WITHHELD]
    return _part(
        key,
        heading,
        [WITHHELD if line.text == WITHHELD else _set_by(line.text, line.set_by) for line in lines],
        empty,
        short=[
            _set_by(_clipped(line.text), _clipped(line.set_by, PAGE_ONE_SETTER_CHARS))
            for line in shown
        ],
    )


def _set_by(text: str, setter: str) -> str:
    return text if setter == WITHHELD else f"{text} (set by {setter})"


def _mandate_status(mandate: MandateView | None) -> str:
    if mandate is None:
        return "none on record"
    return "in force" if mandate.in_force else "lapsed"


def _mandate_sentence(mandate: MandateView | None) -> str:
    """Who gave the mandate, when, and whether it is in force; the mandator is left out
    when withheld."""
    if mandate is None:
        return "No mandate on record."
    by = "" if mandate.mandator == WITHHELD else f" by {mandate.mandator}"
    given = f"Mandate given{by} on {mandate.date}"
    if mandate.in_force:
        until = f"until {mandate.valid_until}" if mandate.valid_until else "with no end date"
        return f"{given}, in force {until}."
    if mandate.valid_until:
        return f"{given}, lapsed after {mandate.valid_until}."
    return f"{given}, not in force."
