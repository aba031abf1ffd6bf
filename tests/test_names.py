"""Grouping entity mentions by name: English forms, Russian cases, lone surnames."""

from __future__ import annotations

from narrascope.names import group_by_name, name_key


def test_english_keys_drop_articles_possessives_and_case() -> None:
    assert name_key("Ukraine’s") == name_key("ukraine") == "ukraine"
    assert name_key("the  Kremlin") == "kremlin"
    assert name_key("Ukraine") != name_key("Ukrainian")


def test_russian_keys_join_the_cases_of_one_name() -> None:
    assert name_key("Евросоюза", "ru") == name_key("Евросоюзе", "ru")
    assert name_key("Путина", "ru") == name_key("Путин", "ru") == "путин"
    assert name_key("Москву", "ru") == "москва"
    assert name_key("Москву", "ru") != name_key("Киев", "ru")


def test_lone_surnames_join_the_one_full_name_they_end() -> None:
    texts = ["Andrei Marochko", "Marochko", "Ivan Petrov", "Olga Petrov", "Petrov", "Moscow"]
    groups = group_by_name(texts, str)
    assert groups["andrei marochko"] == ["Andrei Marochko", "Marochko"]
    assert groups["petrov"] == ["Petrov"]  # two full names end with it: left alone
    ru = group_by_name(["Николай Стариков", "Старикова"], str, "ru")
    assert list(ru.values()) == [["Николай Стариков", "Старикова"]]


def test_framing_actors_group_russian_cases_and_surnames() -> None:
    from narrascope.document import Document, Metadata
    from narrascope.stages.framing import group_actors

    text = "Николай Стариков ответил Евросоюзу. Старикова поддержали, а Евросоюз промолчал."
    doc = Document(text, meta=Metadata(source="t.txt", language="ru"))
    spans = [
        (text.index(w), text.index(w) + len(w))
        for w in ("Николай Стариков", "Евросоюзу", "Старикова", "Евросоюз ")
    ]
    actors = group_actors(doc, [(s, e - (text[e - 1] == " ")) for s, e in spans])
    assert [(a.name, len(a.mentions)) for a in actors] == [
        ("Николай Стариков", 2),
        ("Евросоюзу", 2),
    ]
