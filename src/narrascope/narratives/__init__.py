"""Narratives and entity framing (SemEval-2025 Task 10 taxonomy).

``data`` reads the SemEval layout and the taxonomy, ``scoring`` holds the official measures,
``encoder`` the sentence encoder and text splitting, ``model`` the narrative classifier,
``framing`` the entity-role classifier, ``commands`` the ``narrascope train/evaluate narratives``
commands. The stages live in ``narrascope.stages.narratives`` and ``narrascope.stages.framing``.
"""
