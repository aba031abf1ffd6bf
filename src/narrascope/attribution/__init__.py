"""Attribution: who says what, of which kind, through which chain (the sourcing stage).

rules.py finds candidates with dependency rules and tagger.py with a CRF trained on PolNeAR;
sourcetypes.py types and resolves sources, build.py chains them and profile.py summarises them for
the ``attributions`` layer (stage: narrascope.stages.attributions). polnear.py, scoring.py and
commands.py read, score and train against the PolNeAR corpus.
"""
