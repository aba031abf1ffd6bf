"""Check-worthiness: does a sentence contain a factual claim worth checking?

``model`` holds the features and the classifier, ``data`` the corpus readers, ``commands`` the
``narrascope train/evaluate checkworthiness`` commands. The stage lives in
``narrascope.stages.checkworthiness``.
"""
