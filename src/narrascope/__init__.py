"""narrascope: who claims what, on whose word, with which persuasion techniques, for which narrative."""

__version__ = "0.1.0"
