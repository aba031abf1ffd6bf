"""Attribution: who says what, of which kind, through which chain (the sourcing stage).

rules.py finds candidates, sourcetypes.py types and resolves sources, build.py chains them and
profile.py summarises them for the ``attributions`` layer (stage: narrascope.stages.attributions).
"""
