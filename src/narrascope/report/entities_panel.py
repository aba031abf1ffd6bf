"""Report panels for the entities layer: one row per entity, not one per mention.

A 600-word article has dozens of entity mentions, most of them repeats ("Ukrainian" 9 times);
a reader wants the cast list: each name once, its type, how often it occurs and where first.
Names are grouped by type and normalised form (spacing, a trailing possessive, case), so
"Ukraine's" counts as "Ukraine", a lone surname joins the full name and Russian names are
grouped across their cases (``narrascope.names``). One name tagged with several types (the small English model
calls "Donbass" a place, an organisation and a person in one article) stays one row, shown
with its most frequent type and the others. Numbers and dates (CARDINAL, DATE, ...) are not
actors; they are counted, not listed (the claims table reads them). Article text only enters through ``html.escape`` (HTML) or
``quote`` (Markdown).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html import escape

from narrascope.document import Document, Span
from narrascope.names import display_name, group_by_name, name_key
from narrascope.report.markdown import quote

MAX_GROUPS = 200
# spaCy's value types: entities of the schema, but not names of anyone or anything.
VALUE_TYPES = frozenset({"CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT", "DATE", "TIME"})


@dataclass
class EntityGroup:
    name: str  # the first mention's text, as written (possessive dropped)
    mentions: list[Span] = field(default_factory=list)

    @property
    def types(self) -> list[str]:
        """The mentions' types, most frequent first (ties: the first seen)."""
        counts = Counter(span.label for span in self.mentions)
        return [label for label, _ in counts.most_common()]

    def type_text(self) -> str:
        main, *others = self.types
        return main + (f" (also {', '.join(others)})" if others else "")


def named_mentions(doc: Document) -> list[Span]:
    return [s for s in doc.layers["entities"].spans if s.label not in VALUE_TYPES]


def entity_groups(doc: Document) -> list[EntityGroup]:
    """Named entities grouped by normalised name, most mentioned first, then by first offset."""
    language = doc.meta.language
    mentions = sorted(named_mentions(doc), key=lambda s: s.start)
    grouped = group_by_name(mentions, doc.span_text, language)
    groups = []
    for key, spans in grouped.items():
        # The row shows the fullest form: a mention with the group's own key ("Andrei
        # Marochko", not the surname that joined it), the first such.
        titled = next(s for s in spans if name_key(doc.span_text(s), language) == key)
        groups.append(
            EntityGroup(display_name(doc.span_text(titled)), sorted(spans, key=lambda s: s.start))
        )
    return sorted(groups, key=lambda g: (-len(g.mentions), g.mentions[0].start))


def _summary(doc: Document, groups: list[EntityGroup]) -> str:
    mentions = sum(len(g.mentions) for g in groups)
    values = len(doc.layers["entities"].spans) - mentions
    text = f"{len(groups)} named entities in {mentions} mentions"
    if values:
        text += f", plus {values} {'number or date' if values == 1 else 'numbers and dates'}"
    return text + ". Types come from the named-entity recogniser and can be wrong."


def _offsets(group: EntityGroup, limit: int = 5) -> str:
    shown = [f"{s.start}:{s.end}" for s in group.mentions[:limit]]
    more = len(group.mentions) - limit
    return ", ".join(shown) + (f" (+{more})" if more > 0 else "")


def entities_markdown(doc: Document) -> str:
    groups = entity_groups(doc)
    if not groups:
        return ""
    lines = [
        "## Entities",
        "",
        _summary(doc, groups),
        "",
        "| entity | type | mentions | offsets |",
        "|---|---|---|---|",
    ]
    for group in groups[:MAX_GROUPS]:
        lines.append(
            f"| {quote(group.name)} | {group.type_text()} | {len(group.mentions)} | {_offsets(group)} |"
        )
    if len(groups) > MAX_GROUPS:
        lines.append(f"\n{len(groups) - MAX_GROUPS} more in the JSON.")
    return "\n".join(lines) + "\n"


def entities_html(doc: Document) -> str:
    groups = entity_groups(doc)
    if not groups:
        return "<p>No named entities found.</p>"
    rows = []
    for group in groups[:MAX_GROUPS]:
        first = group.mentions[0]
        rows.append(
            f'<tr class="span-row" data-id="entities:{escape(first.id)}">'
            f"<td>{escape(group.name)}</td><td>{escape(group.type_text())}</td>"
            f"<td>{len(group.mentions)}</td><td>{escape(_offsets(group))}</td></tr>"
        )
    more = (
        f"<p>{len(groups) - MAX_GROUPS} more in the JSON.</p>" if len(groups) > MAX_GROUPS else ""
    )
    return (
        f"<p>{escape(_summary(doc, groups))} Click a row to jump to the first mention.</p>"
        "<table><thead><tr><th>entity</th><th>type</th><th>mentions</th><th>offsets</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>{more}"
    )
