"""Redaction that fails closed: what a redacted output may show of a case, and the check
that refuses to write one that still names someone it must not.

``Disclosure`` decides, from the rules in ``data/rules/redaction.yaml``, which actors are
masked and how every text and record id of a case is shown in a redacted output;
``leaks`` reads a finished output back and raises ``RedactionLeakError`` if a sensitive
form is still in it. Pure: no I/O beyond reading the packaged rules.
"""

from backchannel.redaction.disclosure import WITHHELD, Disclosure, MaskedActor
from backchannel.redaction.leaks import check_output, ensure_redacted, find_leaks, pieces_of
from backchannel.redaction.rules import RedactionRules, load_redaction_rules

__all__ = [
    "WITHHELD",
    "Disclosure",
    "MaskedActor",
    "RedactionRules",
    "check_output",
    "ensure_redacted",
    "find_leaks",
    "load_redaction_rules",
    "pieces_of",
]
