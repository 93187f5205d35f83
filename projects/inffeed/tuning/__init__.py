"""Influence tuning (Han & Tsvetkov, Findings of EMNLP 2021) on a controlled spurious-token setup.

Modules: ``spurious`` (plant the token at exact per-class rates), ``sample`` (built-in synthetic corpus), ``data``
(train / correlated / anti / clean splits), ``datamodule`` (``SpuriousDataModule``), ``model`` (bag-of-embeddings
classifier, gradient-reversal adversary), ``influence_loss`` (the differentiable influence-tuning objective),
``module`` (``InfluenceTuning``: the three methods as one LightningModule), ``evaluate``, ``config`` and ``train``
(``python -m projects.inffeed.tuning.train``, through ``nle.training.cli.NLECLI``).
"""
