"""Explanations into labelling rules: what needs both the parser (text -> form) and the matcher (form -> labels).

``nle.logic`` (forms, registry, type checking) lies under ``nle.parsing`` and ``nle.matching``; this package lies
above both: the consistency check of a parse on its own example (:mod:`nle.rules.build`, :mod:`nle.rules.selfcheck`),
BabbleLabble's filters (:mod:`nle.rules.filters`), building the rules a project uses (:func:`explanation_rules`)
and measuring parses against gold logical forms (:mod:`nle.rules.accuracy`).
"""
