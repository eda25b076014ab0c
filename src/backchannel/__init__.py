"""backchannel: decision support for atrocity prevention through dialogue with armed groups."""

__version__ = "0.1.0"
