"""Report panels for the attributions layer: sourcing profile, sources table, chain diagram.

The chain diagram is plain HTML with inline styles (boxes and arrows), so the page stays
self-contained and needs no script. Every piece of article text goes through ``html.escape``
(HTML) or ``quote`` (Markdown): article text is untrusted input.
"""

from __future__ import annotations

from html import escape
from typing import Any

from narrascope.attribution.profile import BUCKETS
from narrascope.document import Document
from narrascope.report.markdown import quote

TYPE_COLORS = {
    "named_person": "#b5e48c",
    "named_official": "#90e0ef",
    "outlet": "#ffd166",
    "official_body": "#a0c4ff",
    "organization": "#cdb4db",
    "anonymous": "#ffadad",
    "documents": "#e9c46a",
    "unsourced": "#d8e2dc",
    "article": "#eeeeee",
}
BUCKET_COLORS = {
    "named": "#90e0ef",
    "anonymous": "#ffadad",
    "documents": "#e9c46a",
    "unsourced": "#d8e2dc",
    "unattributed": "#adb5bd",
}
CLAIM_CHARS = 160


def _data(doc: Document) -> dict[str, Any]:
    return doc.layers["attributions"].data


def _summary(profile: dict[str, Any]) -> str:
    basis = "check-worthy" if profile["basis"] == "checkworthiness" else ""
    parts = [f"{profile['counts'][b]} {b}" for b in BUCKETS if profile["counts"][b]]
    noun = "sentence" if profile["total"] == 1 else "sentences"
    return (
        f"{profile['total']} {basis + ' ' if basis else ''}{noun}: "
        + (", ".join(parts) or "none")
        + f" ({profile['attributed_share']:.0%} attributed)."
    )


def _claims_text(entry: dict[str, Any]) -> str:
    return " | ".join(_claim_items(entry))


def _claim_items(entry: dict[str, Any]) -> list[str]:
    items = [_claim_item(c) for c in entry["claims"]]
    items += [f"passed on: {_short(c['content'] or '')}" for c in entry["relayed"]]
    items += [
        f"as reported by {', '.join(c['via']) or 'another source'}: {_short(c['content'] or '')}"
        for c in entry["quoted"]
    ]
    return items


def _claim_item(claim: dict[str, Any]) -> str:
    """ "cue: content"; the content alone after a cue that is only punctuation (a headline's
    or a transcript's colon, the dash that signs a quotation)."""
    cue = _cue(claim)
    if not claim["content"]:
        return f"{cue} (no content)"
    if not any(ch.isalnum() for ch in cue):
        return _short(claim["content"])
    return f"{cue}: {_short(claim['content'])}"


def _cue(claim: dict[str, Any]) -> str:
    """The cue as written, marked when the text says the source did NOT say it."""
    cue = claim["cue"] or ""
    return f"{cue} (negated: the source is said not to)" if claim.get("negated") else cue


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= CLAIM_CHARS else flat[: CLAIM_CHARS - 1] + "…"


def _via(entry: dict[str, Any]) -> str:
    names: list[str] = []
    for claim in entry["claims"] + entry["quoted"]:
        for name in claim["via"]:
            if name not in names:
                names.append(name)
    return ", ".join(names)


def _chain_label(chain: dict[str, Any]) -> str:
    return " → ".join(node["name"] for node in chain["nodes"])


# --- HTML ----------------------------------------------------------------------------------


def attributions_html(doc: Document) -> str:
    data = _data(doc)
    profile = data.get("profile")
    if profile is None:
        return "<p>No sourcing profile.</p>"
    return (
        f"<p>{escape(_summary(profile))}</p>{_bar_html(profile)}"
        f"<h3>Sources</h3>{_sources_html(data.get('sources', []))}"
        f"<h3>Citation chains</h3>{_chains_html(data.get('chains', []))}"
    )


def _bar_html(profile: dict[str, Any]) -> str:
    if not profile["total"]:
        return ""
    cells = "".join(
        f'<span title="{escape(b)}: {profile["counts"][b]}" style="display:inline-block;'
        f"height:14px;width:{100 * profile['shares'][b]:.1f}%;"
        f'background:{BUCKET_COLORS[b]}"></span>'
        for b in BUCKETS
        if profile["counts"][b]
    )
    legend = " ".join(
        f'<span style="background:{BUCKET_COLORS[b]};padding:0 4px">{escape(b)} '
        f"{profile['shares'][b]:.0%}</span>"
        for b in BUCKETS
    )
    return (
        f'<div class="sourcing-bar" style="width:100%;display:flex;border:1px solid #999">'
        f"{cells}</div><p>{legend}</p>"
    )


def _sources_html(entries: list[dict[str, Any]]) -> str:
    if not entries:
        return "<p>No sources found.</p>"
    head = "".join(
        f"<th>{h}</th>"
        for h in ("source", "type", "role", "affiliation", "via", "said to have claimed")
    )
    rows = []
    for entry in entries:
        first = entry["mentions"][0]["span"] if entry["mentions"] else ""
        color = TYPE_COLORS.get(entry["source_type"] or "", "#fff")
        rows.append(
            f'<tr class="span-row" data-id="attributions:{escape(first)}">'
            f"<td><b>{escape(entry['name'])}</b></td>"
            f'<td><span style="background:{color};padding:0 4px">'
            f"{escape(entry['source_type'] or '')}</span></td>"
            f"<td>{escape(entry['role'] or '')}</td><td>{escape(entry['affiliation'] or '')}</td>"
            f"<td>{escape(_via(entry))}</td><td>{_claims_list(entry)}</td></tr>"
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _claims_list(entry: dict[str, Any]) -> str:
    items = "".join(f"<li>{escape(item)}</li>" for item in _claim_items(entry))
    return f'<ul style="margin:0;padding-left:1.1em">{items}</ul>'


def _chains_html(chains: list[dict[str, Any]]) -> str:
    if not chains:
        return "<p>No citation chains.</p>"
    items = []
    for chain in chains:
        nodes = []
        for node in chain["nodes"]:
            color = TYPE_COLORS.get(node["source_type"] or "", "#fff")
            nodes.append(
                f'<span class="chain-node" style="display:inline-block;border:1px solid #666;'
                f'border-radius:4px;padding:2px 6px;background:{color}" '
                f'title="{escape(node["source_type"] or "")}">{escape(node["name"])}</span>'
            )
        arrow = '<span class="chain-arrow" style="padding:0 6px">→</span>'
        inherited = chain["inherited"]
        note = f" ({inherited} with the channel named in another sentence)" if inherited else ""
        count = len(chain["relations"])
        items.append(
            f'<li class="chain">{arrow.join(nodes)} <small>{count} attribution'
            f"{'s' if count != 1 else ''}{escape(note)}</small></li>"
        )
    return f'<ul class="chains" style="list-style:none;padding:0">{"".join(items)}</ul>'


# --- Markdown ------------------------------------------------------------------------------


def attributions_markdown(doc: Document) -> str:
    data = _data(doc)
    profile = data.get("profile")
    out = ["## Sourcing", ""]
    if profile is None:
        return "\n".join([*out, "No sourcing profile.", ""])
    out += [_summary(profile), ""]
    out += ["| bucket | sentences | share |", "|---|---|---|"]
    out += [f"| {b} | {profile['counts'][b]} | {profile['shares'][b]:.0%} |" for b in BUCKETS]
    entries = data.get("sources", [])
    out += ["", "### Sources", ""]
    if entries:
        out += [
            "| source | type | role | affiliation | via | said to have claimed |",
            "|---|---|---|---|---|---|",
        ]
        for e in entries:
            cells = [e["name"], e["source_type"] or "", e["role"] or "", e["affiliation"] or ""]
            cells += [_via(e), _claims_text(e)]
            out.append("| " + " | ".join(quote(c, 400) for c in cells) + " |")
    else:
        out.append("No sources found.")
    out += ["", "### Citation chains", ""]
    out += [f"- {quote(_chain_label(c), 400)}" for c in data.get("chains", [])] or ["None."]
    return "\n".join(out) + "\n"
