"""Attributions marked by layout rather than by a verb (English news conventions).

- ``dash``: a quotation, a dash, a name: ``“We need law and order.” ― Sonya Herridge``
  (testimonials, epigraphs, quoted posts). The dash is the cue.
- ``colon``: a short name and a colon opening a paragraph: headlines (``Paul Ryan: FBI
  Decision 'Defies Explanation'``) and transcripts (``PENCE: Well, look, ...``). The colon is
  the cue and the rest of the paragraph the content. Also a named speaker, a colon and a
  quotation inside a paragraph (``Rep. Trey Gowdy (R-S.C.): "..."``): the quotation is the
  content.

The verb rules (:mod:`narrascope.attribution.rules`) cannot see these: there is no verb, and
spaCy parses a headline's "Name:" as a fragment. PolNeAR annotates both forms (on its train
split 196 colon and 11 dash cues; on dev 21 and 24).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from narrascope.attribution.lexicon import CUE_VERBS, SOURCE_NOUNS

Offsets = tuple[int, int]

SPACE = " \t\r\u00a0\u2009\u202f"  # carriage returns too: texts with Windows line ends
DASHES = "―—–"
CLOSING_QUOTES = '”"’»'
OPENING_QUOTES = '“”"«‘'
# A name after the dash: capitalised words (initials, hyphens, apostrophes, accents), with
# the lowercase particles of names between them ("Ludwig van Beethoven").
_NAME_WORD = r"[^\W\d_][\w.'’-]*"
_PARTICLE = r"(?:de|da|del|della|der|di|du|la|le|van|von|y|bin|al|el)"
_NAME = re.compile(
    rf"(?:{_NAME_WORD})(?:[ \u00a0](?:{_PARTICLE}[ \u00a0])?{_NAME_WORD}){{0,5}}",
)
# Labels that open a paragraph with a colon but name no one.
NOT_SPEAKERS = frozenset(
    {
        "note", "editor's note", "editor’s note", "editors note", "update", "updated",
        "correction", "clarification", "photo", "photos", "video", "watch", "read",
        "read more", "related", "see also", "transcript", "partial transcript",
        "full transcript", "caption", "credit", "image", "images", "warning", "breaking",
        "breaking news", "exclusive", "live", "opinion", "analysis", "advertisement",
        "listen", "subscribe", "share", "follow", "tags", "topics", "filed under", "posted",
        "published", "by", "contact", "email", "location", "date", "time", "summary",
        "background", "highlights", "more", "also", "bonus", "disclaimer", "disclosure",
        "full disclosure", "ps", "p.s", "tl;dr", "trigger warning", "spoiler", "fact check",
        "q", "a", "question", "answer", "source", "via", "h/t", "hat tip", "byline",
        "dateline",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    }
)  # fmt: skip
# Lowercase words a speaker label may hold between capitalised ones ("Secretary of State").
LABEL_LINKS = frozenset({"of", "and", "the", "for", "de", "van", "von", "on", "at", "&"})
MAX_LABEL_WORDS = 6
# A colon's content needs this many words: "Kasich: Now or never" sums up a strategy.
MIN_CONTENT_WORDS = 4
SPEAKER_ENTITIES = frozenset({"PERSON", "ORG", "NORP"})
# A name in one of these roles before "...: “quote”" is spoken to or about, not speaking.
ADDRESSEE_DEPS = frozenset({"dobj", "pobj", "dative", "iobj", "agent", "obj"})
TITLES = frozenset(
    {"mr", "mrs", "ms", "dr", "sen", "rep", "gov", "gen", "lt", "col", "president", "senator",
     "governor", "secretary", "minister", "spokesman", "spokeswoman", "mayor", "judge"}
)  # fmt: skip


def layout_attributions(spacy_doc: Any) -> Iterator[tuple[str, Offsets, Offsets, Offsets]]:
    """(form, source, cue, content) of every dash and colon attribution in the parsed text."""
    text = spacy_doc.text
    paragraphs = list(_paragraphs(text))
    ctx = _Text(spacy_doc, text, _transcript_speakers(text, paragraphs), _named_words(spacy_doc))
    for paragraph in paragraphs:
        found = _dash(text, *paragraph)
        if found is None:
            found = _colon(ctx, *paragraph)
        if found is not None:
            yield found
        taken = found[2][0] if found is not None else None
        yield from _speaker_colon_quotes(ctx, *paragraph, taken)


def _paragraphs(text: str) -> Iterator[Offsets]:
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            yield start, end
        start = end + 1


def _strip(text: str, start: int, end: int, chars: str = SPACE) -> Offsets:
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def _dash(text: str, start: int, end: int) -> tuple[str, Offsets, Offsets, Offsets] | None:
    """A paragraph that is a quotation followed by a dash and a name."""
    start, end = _strip(text, start, end)
    if start >= end or text[start] not in OPENING_QUOTES:
        return None
    for dash in (i for i in range(start + 2, end) if text[i] in DASHES):
        quote_end = _strip(text, start, dash)[1]
        if text[quote_end - 1] not in CLOSING_QUOTES:
            continue
        name_start = _strip(text, dash + 1, end)[0]
        name = _NAME.match(text, name_start, end)
        if name is None or not all(
            w[0].isupper() or re.fullmatch(_PARTICLE, w) for w in name.group().split()
        ):
            return None
        name_end = name.end()
        rest = text[name_end:end].strip(SPACE)
        if rest and not rest.startswith(","):
            return None  # the dash goes on with a sentence, not a name
        if rest:  # "― Sonya Herridge, a teacher in Houston": the source with its description
            name_end = end
        if text[name_end - 1] == "." and not _is_initial(text, name_start, name_end):
            name_end -= 1  # "― Karen Bobadilla." ends the paragraph, not the name
        return "dash", (name_start, name_end), (dash, dash + 1), (start, quote_end)
    return None


def _is_initial(text: str, start: int, end: int) -> bool:
    """Whether the name's last word is an initial ("Julie A.")."""
    last = text[start:end].split()[-1]
    return len(last) == 2 and last[0].isupper()


def _colon(ctx: _Text, start: int, end: int) -> tuple[str, Offsets, Offsets, Offsets] | None:
    """A paragraph opened by a speaker's name and a colon (a headline or a transcript)."""
    text = ctx.text
    start, end = _strip(text, start, end)
    if start < end and text[start] in '"“':
        start += 1  # transcripts quote each speaker's paragraph: "PENCE: Well, ...
    colon = text.find(":", start, min(end, start + 80))
    if colon <= start:
        return None
    label = _strip(text, start, colon)
    content = _strip(text, colon + 1, end)
    if content[0] == colon + 1 or content[0] >= content[1]:
        return None  # "10:30", or nothing after the colon
    if not _speaker_label(ctx, *label):
        return None
    # a transcript's speaker asks questions in their own words; a headline's question is the
    # outlet's, whoever it names
    if not _claim_like(text, *content, questions=text[slice(*label)] in ctx.speakers):
        return None
    content_end = content[1] - (text[content[1] - 1] == "." and not _quoted(text, *content))
    return "colon", label, (colon, colon + 1), (content[0], content_end)


def _speaker_colon_quotes(
    ctx: _Text, start: int, end: int, taken: int | None
) -> Iterator[tuple[str, Offsets, Offsets, Offsets]]:
    """A named speaker, a colon and a quotation anywhere in a paragraph: ``Rep. Trey Gowdy
    (R-S.C.): "I have not heard anyone cite that figure"``, ``... surprise Republican
    pollster Daron Shaw: “Historically, ...”``. ``taken``: a colon already read as opening
    the paragraph."""
    text = ctx.text
    for match in _COLON_QUOTE.finditer(text, start, end):
        colon = match.start()
        if colon == taken:
            continue
        quote = (match.end(), _quotation_end(text, match.end(), end))
        source = _name_before(ctx, colon)
        if source is not None and _claim_like(text, *quote):
            yield "colon", source, (colon, colon + 1), quote


_COLON_QUOTE = re.compile(rf":[{SPACE}]*(?=[“\"])")


def _quotation_end(text: str, start: int, end: int) -> int:
    """End of the quotation opening at ``start`` (its closing mark), or of the paragraph
    (multi-paragraph quotations leave it open)."""
    close = "”" if text[start] == "“" else '"'
    found = text.find(close, start + 1, end)
    return found + 1 if found >= 0 else _strip(text, start, end)[1]


def _name_before(ctx: _Text, colon: int) -> Offsets | None:
    """The source phrase ending right before ``colon`` when it ends in a person's or an
    organisation's name, a parenthesis after the name allowed ("Trey Gowdy (R-S.C.)"):
    the noun phrase of the name with its title or role ("Republican pollster Daron Shaw")."""
    doc = ctx.doc
    span = doc.char_span(colon, colon + 1, alignment_mode="expand")
    if span is None or span.start == 0:
        return None
    name = doc[span.start - 1]
    # a closing parenthesis before the colon, its own token or one with it ("):")
    closing = span[0] if span[0].text.startswith(")") else name if name.text == ")" else None
    if closing is not None:
        window = doc[max(0, closing.i - 8) : closing.i]
        opening = next((t for t in reversed(window) if t.text == "("), None)
        if opening is None or opening.i == 0:
            return None
        name = doc[opening.i - 1]
    if name.ent_type_ not in ("PERSON", "ORG"):
        return None
    if name.dep_ in ADDRESSEE_DEPS:
        return None  # "Ryan told Trump: ...", "asked CNN: ...": whom the speaker addressed
    near = _same_sentence_before(doc, name.i, 4)
    if any(t.pos_ == "VERB" and t.lemma_.lower() in CUE_VERBS for t in near):
        return None  # "Said Ellis: ...", "Ellis said:": a verb of saying is the cue there
    first = name.left_edge.i
    if len(_same_sentence_before(doc, name.i, name.i - first)) < name.i - first:
        first = name.i  # the phrase starts in an earlier sentence: a parse slip
    phrase = doc[first : name.i + 1]
    if len(phrase) > 8 or any(
        t.pos_ in ("VERB", "AUX") or (t.is_punct and t.text != ".") for t in phrase
    ):
        # the name alone: the phrase before it runs into the sentence ("surprise ... Shaw")
        first = name.i
        while first > 0 and doc[first].ent_iob_ == "I":
            first -= 1
    return _strip(ctx.text, doc[first].idx, colon)


def _same_sentence_before(doc: Any, i: int, n: int) -> Any:
    """Up to ``n`` tokens before token ``i``, within its sentence (``Token.sent`` walks the
    text from its start on every call: too slow for a long transcript)."""
    first = i
    while first > 0 and i - first < n and not doc[first].is_sent_start:
        first -= 1
    return doc[first:i]


def _quoted(text: str, start: int, end: int) -> bool:
    return text[start] in OPENING_QUOTES


def _speaker_label(ctx: _Text, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` names a speaker: a few capitalised words whose last one the
    text names elsewhere as a person, organisation or group ("Sanders", "PENCE" where the
    story has "Pence"), one of a transcript's speakers, or a short source noun ("Poll",
    "Insiders"); never a layout label ("Editor's note", "Source") or a headline's own words
    ("Trump Addresses Munich Attack").

    spaCy's entities inside the label itself are no guide: the small model tags most
    title-case headline words as an organisation."""
    label = ctx.text[start:end]
    words = label.split()
    if not words or len(words) > MAX_LABEL_WORDS or label.lower().rstrip(".") in NOT_SPEAKERS:
        return False
    if any(ch.isdigit() for ch in label) or not words[0][0].isupper():
        return False
    if not all(w[0].isupper() or w in LABEL_LINKS for w in words):
        return False
    span = ctx.doc.char_span(start, end, alignment_mode="expand")
    if span is None or any(
        t.ent_type_ in ("DATE", "TIME") or t.pos_ in ("VERB", "AUX") for t in span
    ):
        return False  # a date, or a headline's verb ("The Gap Goes On", "Big Win For")
    head = span[-1]
    if label in ctx.speakers or _named_elsewhere(ctx, head.lower_, span):
        return True
    return (
        len(span) <= 3
        and head.lemma_.lower() in SOURCE_NOUNS
        and all(t.pos_ in ("PROPN", "NOUN", "ADJ", "PUNCT") for t in span)
    )


def _transcript_speakers(text: str, paragraphs: list[Offsets]) -> frozenset[str]:
    """Labels in capitals (up to three words) that open paragraphs with a colon, where the
    label's last word opens at least two, as speakers do in a transcript ("WALLACE: ...",
    later "WALLACE: ..." again; "JAKE TAPPER: ...", later "TAPPER: ...")."""
    labels = [
        m.group(1)
        for start, end in paragraphs
        if (m := _CAPITALS_LABEL.match(text, start, end)) is not None
    ]
    surnames = Counter(label.split()[-1] for label in labels)
    return frozenset(label for label in labels if surnames[label.split()[-1]] >= 2)


_CAPITALS_LABEL = re.compile(rf"[{SPACE}\"“]*([A-Z][A-Z.'’-]*(?: [A-Z][A-Z.'’-]*){{0,2}}):")


@dataclass(frozen=True)
class _Text:
    """The parsed text and what it says about possible speakers, gathered once per text
    (``Doc.text`` joins every token on each call)."""

    doc: Any  # the spaCy Doc
    text: str
    speakers: frozenset[str]  # a transcript's labels in capitals (``_transcript_speakers``)
    named: dict[str, list[int]]  # lowercase word -> offsets where spaCy tags it as a name


def _named_words(spacy_doc: Any) -> dict[str, list[int]]:
    """Where each word is part of a person, organisation or group in ordinary case
    (capitals are a transcript's labels, which spaCy rarely tags)."""
    named: dict[str, list[int]] = {}
    for token in spacy_doc:
        if token.ent_type_ in SPEAKER_ENTITIES and not token.is_upper:
            named.setdefault(token.lower_, []).append(token.idx)
    return named


def _named_elsewhere(ctx: _Text, word: str, label: Any) -> bool:
    """Whether the text names ``word`` (lowercase) outside the label's paragraph."""
    text = ctx.text
    para_start = text.rfind("\n", 0, label.start_char) + 1
    para_end = text.find("\n", label.end_char)
    para_end = len(text) if para_end < 0 else para_end
    return any(not para_start <= at < para_end for at in ctx.named.get(word, ()))


def _claim_like(text: str, start: int, end: int, questions: bool = False) -> bool:
    """Content worth attributing: a few words, and not a question unless ``questions`` ("Ted
    Cruz: Constitutional conservative or career politician?" asks, it reports no one's words)."""
    piece = text[start:end].strip()
    if len(piece.split()) < MIN_CONTENT_WORDS:
        return False
    return questions or not piece.rstrip("”\"’'").endswith("?")
