"""Reading rule files: one YAML loader that keeps line numbers, one condition dialect.

``yaml_source`` reads a YAML file into data while keeping its node tree, so that every
problem found later, by a pydantic model or by a cross-rule check, names the file, the
path inside it and the line. ``clauses`` is the one way rule files write a condition:
``{fact: NAME, <one test>}``. Pure: no database, web or terminal.
"""
