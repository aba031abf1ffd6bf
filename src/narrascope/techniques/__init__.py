"""Persuasion techniques: which spans of an article use which technique.

``data`` reads the PTC (SemEval-2020 Task 11) and SemEval-2023 Task 3 corpora, ``scoring``
holds the official measures, ``features`` and ``model`` the span tagger, the technique
classifier and the paragraph taggers, ``commands`` the ``narrascope train/evaluate
techniques`` commands. The stage lives in ``narrascope.stages.techniques``.
"""
