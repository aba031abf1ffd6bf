"""Word lists shared by the sourcing rules and the claims stage.

Everything here is hand-written. The outlet list names news agencies, broadcasters and papers
that commonly appear as sources in news about Russia, Ukraine and international politics; it
is written from general knowledge (the VoynaSlov account lists in ../shared have no licence, so
nothing is copied from them). Keys are lower-cased; values are the outlet's usual spelling.
"""

from __future__ import annotations

# Verbs that frame reported content (shared with the claims stage's "reporting frame").
REPORTING_LEMMAS = frozenset(
    {
        "say", "report", "claim", "state", "note", "add", "tell", "assert", "announce",
        "reveal", "suggest", "believe", "indicate", "show", "confirm", "deny", "insist",
        "allege", "argue", "warn", "write", "describe", "uncover", "find", "highlight",
        "acknowledge", "emphasize", "emphasise", "explain", "stress", "point", "accuse",
        "admit", "cite", "disclose", "declare", "estimate", "maintain", "observe", "remark",
        "testify", "think", "know", "learn", "discover", "conclude", "predict", "inform",
        "quote", "record", "document",
    }
)  # fmt: skip

# Verbs that are attribution cues when they govern content (a clause, a quote, a colon, an
# "as" description, or for the speech verbs an object). Cognition verbs ("think", "know")
# need a clause: "knew the area" is no attribution.
SPEECH_VERBS = frozenset(
    {
        "say", "tell", "report", "claim", "state", "note", "add", "assert", "announce",
        "reveal", "confirm", "deny", "insist", "allege", "argue", "warn", "write", "describe",
        "highlight", "acknowledge", "emphasize", "emphasise", "explain", "stress", "accuse",
        "admit", "disclose", "declare", "maintain", "remark", "testify", "tweet", "post",
        "publish", "reiterate", "repeat", "mention", "comment", "predict", "estimate",
        "present", "frame", "portray", "characterize", "characterise", "label", "call",
        "brand", "dismiss", "condemn", "criticize", "criticise", "concede", "contend",
        "complain", "boast", "promise", "vow", "pledge", "threaten", "urge", "ask", "reply",
        "respond", "answer", "recount", "recall", "inform", "quote", "signal",
        "underline", "underscore", "uncover",
    }
)  # fmt: skip
COGNITION_VERBS = frozenset(
    {
        "suggest", "believe", "indicate", "show", "think", "know", "find", "conclude",
        "discover", "learn", "observe", "point", "assess", "expect", "fear", "hope",
        "doubt", "suspect", "understand", "feel", "agree", "demonstrate", "prove",
        "confirm", "establish", "determine",
    }
)  # fmt: skip
CUE_VERBS = SPEECH_VERBS | COGNITION_VERBS
# Verbs whose object is content ("denied the claims", "highlighted the rising number").
OBJECT_CONTENT_VERBS = frozenset(
    {
        "announce", "reveal", "confirm", "deny", "allege", "highlight", "acknowledge",
        "emphasize", "emphasise", "stress", "admit", "disclose", "declare", "report",
        "claim", "predict", "estimate", "uncover", "underline", "underscore", "mention",
        "recount", "signal", "demonstrate", "show", "indicate", "suggest",
    }
)  # fmt: skip
# Verbs whose "as" phrase is the content: "described by X as a testament to ...".
AS_VERBS = frozenset(
    {"describe", "present", "frame", "portray", "characterize", "characterise", "label",
     "call", "brand", "dismiss", "see", "view", "regard", "cast", "paint", "depict"}
)  # fmt: skip
# "the said agreement", "as said": these words are attributions only with content.
AGENTLESS_ADVERBS = frozenset(
    {"reportedly", "allegedly", "purportedly", "supposedly", "reputedly", "ostensibly"}
)
# Nouns that carry an attribution when a source is attached ("statements made by X").
NOMINAL_CUES = frozenset(
    {
        "statement", "claim", "remark", "comment", "assertion", "allegation", "announcement",
        "testimony", "warning", "accusation", "denial", "admission", "assessment",
        "interview", "message", "tweet", "post", "speech", "address", "briefing",
        "insistence", "quote", "declaration", "report", "estimate", "prediction",
        "suggestion", "revelation", "insinuation", "narrative", "rhetoric", "pledge",
        "appeal", "plea", "argument",
    }
)  # fmt: skip
# "citing X", "quoting X": the speaker relies on X.
CITING_LEMMAS = frozenset({"cite", "quote"})
# Acl verbs of a source noun: "intelligence shared with R by M" (M is the origin, R the
# channel) versus "documents seen by Reuters" (the documents are the origin, Reuters the channel).
SHARE_VERBS = frozenset({"share", "give", "provide", "pass", "leak", "hand", "send", "supply"})
OBTAIN_VERBS = frozenset({"see", "obtain", "review", "acquire", "examine", "receive"})
# "a report published by ISW": the agent wrote it and is the source.
AUTHOR_VERBS = frozenset(
    {"publish", "release", "issue", "write", "compile", "prepare", "produce", "make",
     "author", "deliver", "post"}
)  # fmt: skip

# --- source typing -------------------------------------------------------------------------

OUTLETS: dict[str, str] = {
    name.lower(): name
    for name in (
        "RIA Novosti", "TASS", "ITAR-TASS", "Interfax", "Sputnik", "RT", "Russia Today",
        "Izvestia", "Kommersant", "Vedomosti", "RBC", "Gazeta.ru", "Lenta.ru", "Rossiyskaya Gazeta",
        "Komsomolskaya Pravda", "Moskovsky Komsomolets", "Pravda", "Zvezda", "Channel One",
        "Rossiya 1", "NTV", "Life", "Readovka", "Ukraina.ru", "InoSMI", "Regnum", "Fontanka",
        "Meduza", "Novaya Gazeta", "TV Rain", "Dozhd", "Mediazona", "The Insider", "iStories",
        "Important Stories", "Echo of Moscow", "Radio Liberty", "Radio Free Europe",
        "RFE/RL", "Current Time", "Ukrinform", "UNIAN", "Ukrainska Pravda", "Kyiv Independent",
        "Kyiv Post", "Hromadske", "Suspilne", "Reuters", "Associated Press", "AP", "AFP",
        "Agence France-Presse", "Bloomberg", "BBC", "BBC News", "CNN", "Fox News", "NBC",
        "NBC News", "CBS", "CBS News", "ABC News", "MSNBC", "NPR", "PBS", "Al Jazeera",
        "Deutsche Welle", "DW", "Euronews", "France 24", "The New York Times",
        "New York Times", "The Washington Post", "Washington Post", "The Wall Street Journal",
        "Wall Street Journal", "The Guardian", "Guardian", "The Times", "The Telegraph",
        "Financial Times", "The Economist", "Politico", "Axios", "The Hill", "Breitbart",
        "HuffPost", "Huffington Post", "USA Today", "Los Angeles Times", "Newsweek", "Time",
        "The Atlantic", "Der Spiegel", "Spiegel", "Bild", "Le Monde", "El País", "Xinhua",
        "Anadolu", "Yonhap", "Kyodo", "EFE", "ANSA", "dpa", "PAP", "Western Journalism",
    )
}  # fmt: skip
# Spellings in running text that the lexicon should map ("Ria Novosti", "Itar-Tass").
OUTLET_WORDS = frozenset(
    {
        "news", "times", "post", "journal", "gazette", "gazeta", "agency", "press", "tv",
        "radio", "broadcasting", "herald", "tribune", "telegraph", "daily", "weekly",
        "magazine", "media", "channel", "network", "newspaper", "broadcaster", "wire",
        "novosti", "pravda", "television",
    }
)  # fmt: skip
OUTLET_NOUNS = frozenset(
    {"newspaper", "outlet", "broadcaster", "channel", "tabloid", "daily", "weekly",
     "magazine", "paper", "agency", "media", "press", "network", "website", "blog"}
)  # fmt: skip
# People who speak for an outlet: "TASS journalists", "a Reuters correspondent".
STAFF_NOUNS = frozenset(
    {"journalist", "reporter", "correspondent", "editor", "staff", "crew", "team", "columnist",
     "anchor", "host", "writer"}
)  # fmt: skip
# Titles that make a named person a named official, and unnamed officials an official body.
OFFICIAL_TITLES = frozenset(
    {
        "president", "minister", "spokesman", "spokeswoman", "spokesperson", "governor",
        "mayor", "senator", "ambassador", "secretary", "chancellor", "premier", "official",
        "deputy", "chairman", "chairwoman", "chair", "head", "chief", "lawmaker", "mp",
        "congressman", "congresswoman", "representative", "prosecutor", "general", "commander",
        "admiral", "colonel", "major", "lieutenant", "captain", "sergeant", "king", "queen",
        "prince", "emir", "sheikh", "director", "commissioner", "envoy", "diplomat", "consul",
        "attorney", "judge", "speaker", "leader", "councillor", "councilor", "administrator",
        "officer", "press secretary", "adviser", "advisor", "aide", "attaché", "prime",
    }
)  # fmt: skip
# Groups and bodies of government: "officials", "the ministry", "the Kremlin".
OFFICIAL_BODY_NOUNS = frozenset(
    {
        "official", "authority", "government", "ministry", "administration", "kremlin",
        "military", "army", "police", "department", "commission", "council", "parliament",
        "office", "embassy", "prosecutor", "pentagon", "command", "headquarters", "cabinet",
        "regime", "state", "duma", "senate", "congress", "court", "service", "force",
        "spokesman", "spokeswoman", "spokesperson", "diplomat", "leadership", "staff",
        "committee", "agency", "mod",
    }
)  # fmt: skip
# Words in an organisation's name that mark it as a body of state.
OFFICIAL_ORG_WORDS = frozenset(
    {
        "ministry", "department", "government", "kremlin", "council", "parliament", "army",
        "forces", "police", "service", "committee", "office", "commission", "duma", "pentagon",
        "white house", "state department", "navy", "guard", "command", "security", "defence",
        "defense", "interior", "senate", "congress", "court", "prosecutor", "administration",
        "fsb", "sbu", "gur", "mod", "nato", "un", "united nations", "european commission",
        "cabinet", "embassy",
    }
)  # fmt: skip
# Unnamed human sources.
ANONYMOUS_NOUNS = frozenset(
    {"source", "insider", "person", "people", "individual", "someone", "whistleblower",
     "informant", "contact", "witness", "resident", "eyewitness", "observer", "expert",
     "analyst", "specialist", "activist", "soldier", "officer", "member"}
)  # fmt: skip
# Words that describe how a source is hidden, not whom it belongs to.
ANONYMITY_QUALIFIERS = frozenset(
    {
        "confidential", "anonymous", "unnamed", "unidentified", "internal", "informed",
        "reliable", "trusted", "well-placed", "senior", "high-ranking", "several", "some",
        "many", "multiple", "two", "three", "four", "a", "an", "the", "one", "private",
        "secret", "knowledgeable", "credible", "certain", "various", "other", "these",
        "those", "own", "insider", "independent", "familiar", "close", "top",
    }
)  # fmt: skip
# Documents and data as sources.
DOCUMENT_NOUNS = frozenset(
    {
        "document", "documents", "intelligence", "data", "file", "record", "memo",
        "memorandum", "cable", "paper", "report", "study", "survey", "poll", "analysis",
        "footage", "image", "imagery", "video", "photo", "photograph", "statistic", "figure",
        "leak", "email", "letter", "transcript", "dossier", "assessment", "filing",
        "recording", "evidence", "map", "log", "register", "census", "research", "audit",
        "review", "investigation", "agreement", "treaty", "law", "decree", "resolution",
        "contract", "statement", "communique", "constitution", "bill", "regulation",
        "directive", "guideline", "manual", "minutes", "indictment", "lawsuit", "suit",
        "complaint", "ruling", "verdict", "order", "note", "post", "tweet", "website",
    }
)  # fmt: skip
# Pronouns that can stand for a source, and whether they point to one person.
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
GROUP_PRONOUNS = frozenset({"they", "them"})
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})
# Role nouns grouped so that "the expert" can stand for "military analyst X".
ROLE_CLASSES: dict[str, str] = {
    **dict.fromkeys(
        ("expert", "analyst", "specialist", "researcher", "scholar", "professor", "economist",
         "scientist", "commentator", "observer", "historian", "academic", "pundit",
         "blogger", "journalist", "correspondent", "reporter", "writer", "author"),
        "expert",
    ),
    **dict.fromkeys(
        ("official", "minister", "spokesman", "spokeswoman", "spokesperson", "president",
         "governor", "mayor", "ambassador", "secretary", "diplomat", "envoy", "leader",
         "chancellor", "premier", "senator", "lawmaker", "politician", "head", "chief"),
        "official",
    ),
    **dict.fromkeys(
        ("commander", "general", "officer", "soldier", "colonel", "major", "admiral",
         "serviceman", "fighter", "veteran", "sergeant", "lieutenant", "captain"),
        "military",
    ),
}  # fmt: skip
# Other nouns for people and groups that speak: a subject of "reveal", "show" or "suggest" must
# be a plausible source ("internal sources suggest"), not an event ("the incident underscores").
HUMAN_NOUNS = frozenset(
    {
        "critic", "supporter", "voter", "candidate", "party", "group", "organization",
        "organisation", "company", "firm", "union", "rebel", "militant", "protester",
        "family", "doctor", "lawyer", "campaign", "team", "spokesperson", "representative",
        "politician", "leader", "member", "citizen", "local", "villager", "victim", "survivor",
        "commentator", "journalist", "reporter", "blogger", "scientist", "researcher",
        "investigator", "inspector", "monitor", "mission", "delegation", "side", "opposition",
        "kremlin", "moscow", "kyiv", "washington", "beijing", "man", "woman", "mother",
        "father", "neighbor", "neighbour", "friend", "colleague", "ally", "partner", "adviser",
        "advisor", "aide", "staffer", "employee", "worker", "student", "teacher", "official",
        "pollster", "poll", "watchdog", "ngo", "charity", "bank", "ministry", "newspaper",
    }
)  # fmt: skip
SOURCE_NOUNS = (
    HUMAN_NOUNS
    | ANONYMOUS_NOUNS
    | OFFICIAL_BODY_NOUNS
    | OFFICIAL_TITLES
    | OUTLET_NOUNS
    | STAFF_NOUNS
    | DOCUMENT_NOUNS
    | frozenset(ROLE_CLASSES)
)
NOT_SOURCE_PRONOUNS = frozenset({"it", "this", "that", "which", "there", "what", "these", "those"})
# Verbs of saying proper: any subject of these speaks ("the businessman said", "it added");
# the other cue verbs need a subject that can be a source ("the incident underscores" is not).
SAY_VERBS = frozenset(
    {
        "say", "tell", "add", "write", "state", "claim", "report", "announce", "insist",
        "argue", "warn", "note", "explain", "declare", "assert", "allege", "deny", "confirm",
        "admit", "acknowledge", "reply", "respond", "ask", "tweet", "post", "comment",
        "remark", "testify", "complain", "boast", "promise", "vow", "reiterate", "repeat",
        "mention", "stress", "emphasize", "emphasise", "predict", "concede", "contend",
    }
)  # fmt: skip
