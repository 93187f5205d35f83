"""Logical forms, the predicate registry and type checking: the layer under ``nle.parsing`` and ``nle.matching``.

:mod:`nle.logic.forms` (the tree, JSON and its readable text syntax), :mod:`nle.logic.registry` (every predicate,
variable and literal class, as data), :mod:`nle.logic.check` (type checking) and :mod:`nle.logic.normal`
(a canonical form, for comparing two forms up to commutativity and argument order).
"""
