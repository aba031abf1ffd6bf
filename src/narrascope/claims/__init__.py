"""Structured claims: who did what to whom, how many, where, when, hedged or negated, on whose word.

``extract`` turns one parsed English sentence into a claim record, ``quantities``, ``places``,
``times`` and ``hedges`` find those parts, ``grouping`` links claims that say the same thing,
``attribution`` joins claims to the sourcing stage's layer when it ran.
"""
