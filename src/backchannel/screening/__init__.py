"""Legal screening: designation lists, name matching, jurisdiction rules."""
