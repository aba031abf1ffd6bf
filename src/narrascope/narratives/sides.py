"""Which side of the Ukraine war an actor belongs to, from a small multilingual gazetteer.

An actor's role depends on its side and on the story the article tells: in a "Discrediting
Ukraine" article the Ukrainian side is cast as the antagonist, in "Praise of Russia" Russia is
the protagonist. The name words alone do not carry that across names (Kyiv, Zelensky, AFU,
ВСУ, यूक्रेनी सेना are one side), so the framing model also sees the side, crossed with the
article's narratives and language.

The surface forms are the most frequent entity strings of the SemEval-2025 Task 10 training
annotations (en, ru, bg, pt, hi) plus the obvious variants of the same actors (inflections,
spellings, leaders and institutions). Each actor's side is assigned by world knowledge (its
country or alliance), never by the role it is annotated with.

An entry ending in ``*`` matches any word that starts with it; other entries match whole words
(a space inside an entry means consecutive words).
"""

from __future__ import annotations

import re
from functools import cache

SIDES = ("UA", "RU", "WEST", "RU_ALLY", "INDIA")

GAZETTEER: dict[str, tuple[str, ...]] = {
    "UA": (
        # en / pt (Latin script)
        "ukrain*",
        "kyiv*",
        "kiev*",
        "zelensk*",
        "zelenskyy",
        "kuleba",
        "yermak",
        "zaluzhn*",
        "syrsk*",
        "azov",
        "afu",
        "poroshenko",
        "ucrân*",
        "ucran*",
        "kharkiv",
        "odesa",
        "zelenski",
        "budanov",
        "klitschko",
        "shmyhal",
        "podolyak",
        "umerov",
        # ru / bg (Cyrillic)
        "украин*",
        "украйн*",
        "укронацист*",
        "укрофашист*",
        "укровоен*",
        "киев*",
        "зеленск*",
        "всу",
        "ермак*",
        "залужн*",
        "сырск*",
        "азов*",
        "кулеб*",
        "порошенк*",
        "буданов*",
        "кличко",
        "подоляк*",
        "бандер*",
        "харьков*",
        "одесс*",
        # hi
        "यूक्रेन*",
        "युक्रेन*",
        "कीव",
        "कीएव",
        "जेलेंस्की",
        "ज़ेलेंस्की",
        "जेलेन्स्की",
        "ज़ेलेन्स्की",
        "जेलेंस्की*",
        "ज़ेलेंस्की*",
        "खार्किव",
    ),
    "RU": (
        "russia*",
        "rússia*",
        "russo*",
        "russa*",
        "moscow",
        "moscovo",
        "moscou",
        "kremlin",
        "putin*",
        "lavrov",
        "peskov",
        "shoigu",
        "medvedev",
        "zakharova",
        "wagner",
        "prigozhin",
        "gerasimov",
        "fsb",
        "kadyrov",
        "riabkov",
        "ryabkov",
        "nebenzia",
        "soviet*",
        "soviétic*",
        "ussr",
        "urss",
        "belousov",
        "zajarova",
        "gladkov",
        "rosatom",
        "पेसकोव",
        "росси*",
        "русск*",
        "рф",
        "москв*",
        "кремл*",
        "путин*",
        "лавров*",
        "песков*",
        "шойгу",
        "медведев*",
        "захаров*",
        "вагнер*",
        "пригожин*",
        "герасимов*",
        "фсб",
        "кадыров*",
        "небензя",
        "рябков*",
        "белоусов*",
        "ссср",
        "русия*",
        "руск*",
        "руснац*",
        "москва",
        "кремъл*",
        "медведев",
        "съветск*",
        "रूस*",
        "मॉस्को",
        "मास्को",
        "क्रेमलिन",
        "पुतिन",
        "लावरोव",
        "पेस्कोव",
        "शोइगु",
    ),
    "WEST": (
        "nato",
        "otan",
        "us",
        "u s",
        "usa",
        "united states",
        "america*",
        "washington",
        "biden*",
        "trump*",
        "blinken",
        "pentagon",
        "white house",
        "cia",
        "eu",
        "european union",
        "european commission",
        "europe*",
        "brussels",
        "west",
        "western",
        "uk",
        "britain",
        "british",
        "london",
        "france",
        "french",
        "macron",
        "germany",
        "german*",
        "scholz",
        "berlin",
        "poland",
        "polish",
        "stoltenberg",
        "rutte",
        "von der leyen",
        "sunak",
        "boris johnson",
        "harris",
        "kamala harris",
        "nuland",
        "g7",
        "borrell",
        "kallas",
        "каллас",
        "урсула",
        "eua",
        "estados unidos",
        "americ*",
        "pentágono",
        "união europeia",
        "ue",
        "comissão europeia",
        "bruxelas",
        "ocidente",
        "ocidenta*",
        "reino unido",
        "britân*",
        "londres",
        "frança",
        "francês",
        "alemanha",
        "alemã*",
        "berlim",
        "polónia",
        "polônia",
        "atlântico norte",
        "нато",
        "сша",
        "америк*",
        "вашингтон*",
        "байден*",
        "трамп*",
        "блинкен*",
        "пентагон*",
        "белый дом",
        "цру",
        "евросоюз*",
        "ес",
        "европ*",
        "брюссел*",
        "запад*",
        "британ*",
        "великобритан*",
        "лондон*",
        "франци*",
        "макрон*",
        "германи*",
        "шольц*",
        "берлин*",
        "польш*",
        "столтенберг*",
        "нидерланд*",
        "дани*",
        "сащ",
        "съединените",
        "байдън*",
        "тръмп*",
        "брюксел*",
        "франция",
        "шолц*",
        "полша",
        "евросъюз*",
        "европейския*",
        "европейският*",
        "अमेरिका*",
        "नाटो",
        "पश्चिम*",
        "यूरोप*",
        "ब्रिटेन",
        "बाइडेन",
        "बाइडन",
        "ट्रंप",
        "व्हाइट हाउस",
        "जर्मनी",
        "फ्रांस",
        "पेंटागन",
        "हैरिस",
        "अमेरिक*",
        "नेटो",
        "पोलैंड",
        "europa",
        "européi*",
        "europeu*",
    ),
    # States that side with Russia in the war (China, North Korea, Iran, Belarus).
    "RU_ALLY": (
        "china",
        "chinese",
        "beijing",
        "xi jinping",
        "north korea*",
        "dprk",
        "kim jong*",
        "iran*",
        "belarus*",
        "lukashenko",
        "pyongyang",
        "pequim",
        "chin*",
        "coreia do norte",
        "irão",
        "bielorrússia",
        "китай*",
        "кнр",
        "пекин*",
        "си цзиньпин*",
        "кндр",
        "северн* коре*",
        "иран*",
        "белорус*",
        "беларус*",
        "лукашенк*",
        "ким чен*",
        "северна корея",
        "चीन*",
        "उत्तर कोरिया",
        "किम जोंग*",
        "ईरान",
        "बेलारूस",
        "शी जिनपिंग",
    ),
    # India: the home country of the Hindi articles, usually cast on its own terms.
    "INDIA": (
        "india*",
        "modi",
        "new delhi",
        "jaishankar",
        "índia",
        "индия",
        "индии",
        "моди",
        "भारत*",
        "मोदी",
        "नई दिल्ली",
        "जयशंकर",
        "नरेंद्र मोदी",
        "नरेन्द्र मोदी",
    ),
}

# Words of Latin, Cyrillic and Devanagari text (Devanagari vowel signs are not \w in re).
_TOKEN = re.compile(r"[\w\u0900-\u097f]+", re.UNICODE)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


@cache
def _entries() -> list[tuple[str, tuple[str, ...], bool]]:
    """(side, words, prefix match of the last word) for every gazetteer entry."""
    out = []
    for side, forms in GAZETTEER.items():
        for form in forms:
            prefix = form.endswith("*")
            out.append((side, tuple(_tokens(form.rstrip("*"))), prefix))
    return out


def _matches(words: list[str], entry: tuple[str, ...], prefix: bool) -> bool:
    n = len(entry)
    for i in range(len(words) - n + 1):
        head_ok = words[i : i + n - 1] == list(entry[:-1])
        last = words[i + n - 1]
        if head_ok and (last.startswith(entry[-1]) if prefix else last == entry[-1]):
            return True
    return False


@cache
def sides_of(name: str) -> tuple[str, ...]:
    """The sides a name belongs to (empty when the gazetteer does not know it).

    "Russian-backed Ukrainian separatists" names two sides; the model sees both.
    """
    words = _tokens(name)
    return tuple(
        side for side in SIDES if any(_matches(words, e, p) for s, e, p in _entries() if s == side)
    )
