"""Technique inventories of the two schemes and plain-language explanations for reports."""

from __future__ import annotations

# SemEval-2020 Task 11 (PTC), technique-classification labels as the corpus spells them.
PTC_TECHNIQUES: dict[str, str] = {
    "Loaded_Language": "Words or phrases with strong emotional weight, used to sway the reader "
    "rather than inform (e.g. 'barbaric', 'disastrous').",
    "Name_Calling,Labeling": "Attaching a label the audience fears, hates or admires to a "
    "person or group instead of arguing (e.g. 'traitors', 'regime').",
    "Repetition": "Repeating the same word, phrase or message so that it sticks.",
    "Exaggeration,Minimisation": "Making something look much bigger, better or worse than it "
    "is, or downplaying it.",
    "Doubt": "Questioning the credibility of someone or something without evidence.",
    "Appeal_to_fear-prejudice": "Building support by stoking fear or prejudice about an "
    "alternative or a group.",
    "Flag-Waving": "Playing on patriotism or group identity to justify an idea or action.",
    "Causal_Oversimplification": "Pinning a complex issue on a single cause.",
    "Slogans": "A short, striking phrase that stands in for an argument.",
    "Appeal_to_Authority": "Claiming something is true because an authority or expert says "
    "so, without other support.",
    "Black-and-White_Fallacy": "Presenting two options as the only ones possible.",
    "Thought-terminating_Cliches": "A stock phrase that discourages further thought "
    "('it is what it is').",
    "Whataboutism,Straw_Men,Red_Herring": "Deflecting: accusing the opponent of hypocrisy, "
    "attacking a distorted version of their position, or changing the subject.",
    "Bandwagon,Reductio_ad_hitlerum": "Urging people to join because 'everyone does', or "
    "rejecting an idea because a hated group holds it.",
}

# SemEval-2023 Task 3 subtask 3: the 23 techniques (paragraph level).
SEMEVAL2023_TECHNIQUES: tuple[str, ...] = (
    "Appeal_to_Authority",
    "Appeal_to_Fear-Prejudice",
    "Appeal_to_Hypocrisy",
    "Appeal_to_Popularity",
    "Appeal_to_Time",
    "Appeal_to_Values",
    "Causal_Oversimplification",
    "Consequential_Oversimplification",
    "Conversation_Killer",
    "Doubt",
    "Exaggeration-Minimisation",
    "False_Dilemma-No_Choice",
    "Flag_Waving",
    "Guilt_by_Association",
    "Loaded_Language",
    "Name_Calling-Labeling",
    "Obfuscation-Vagueness-Confusion",
    "Questioning_the_Reputation",
    "Red_Herring",
    "Repetition",
    "Slogans",
    "Straw_Man",
    "Whataboutism",
)

# SemEval-2023 corpus folder -> ISO 639-1 code used by the language stage.
SEMEVAL2023_LANGUAGES: dict[str, str] = {
    "en": "en",
    "fr": "fr",
    "ge": "de",
    "it": "it",
    "po": "pl",
    "ru": "ru",
}
