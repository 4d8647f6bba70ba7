"""Synthetic prose: a small grammar per language that writes plausible sentences.

Each language has noun phrases with the right article and agreement (German case endings,
French/Spanish/Italian contractions and elision, Finnish genitive objects and postpositions),
sentence templates in the language's word order, localized number formatting and Zipf-weighted
word choice, so that language identification, KenLM perplexity and fastText classifiers trained
downstream see something close to real text, and can tell it from the gibberish pages
(`gibberish`) planted in the CommonCrawl sample.

Languages: en de fr es it fi. English also has `web_paragraph` (shop/forum pages) and
`narrative_paragraph` (novels) for the CommonCrawl, C4, books and StackExchange samples.
"""

from __future__ import annotations

import random
import re
from bisect import bisect_right
from collections.abc import Callable, Sequence

from pipeline.sample import lexicon

NameFn = Callable[[random.Random], str]

LANGUAGES = ("en", "de", "fr", "es", "it", "fi")
VOWELS = "aeiouàâäéèêëîïôöùûühAEIOUÀÂÉÈÊÎÔÖÙÛÜH"


class Zipf:
    """Draws items with probability proportional to 1 / rank**exponent."""

    __slots__ = ("items", "cumulative", "total")

    def __init__(self, items: Sequence, exponent: float = 1.0) -> None:
        self.items = list(items)
        running, self.cumulative = 0.0, []
        for rank in range(1, len(self.items) + 1):
            running += 1.0 / rank**exponent
            self.cumulative.append(running)
        self.total = running

    def pick(self, rng: random.Random):
        return self.items[bisect_right(self.cumulative, rng.random() * self.total)]


def parse_template(template: str) -> list[tuple[str, str]]:
    """Split "In {Y}, {S} {V}." into (literal, slot) pairs; the last slot is ''."""
    parts = re.split(r"\{(\w+)\}", template)
    return [(parts[i], parts[i + 1] if i + 1 < len(parts) else "") for i in range(0, len(parts), 2)]


def fill_template(
    rng: random.Random,
    literal_slots: list[tuple[str, str]],
    slots: dict[str, Zipf],
    generated: dict[str, Callable[[random.Random], str]],
) -> str:
    """A parsed template filled in: a `generated` slot by its function, any other by a Zipf
    draw from `slots`; the sentence capitalised."""
    out = []
    for literal, slot in literal_slots:
        out.append(literal)
        if slot in generated:
            out.append(generated[slot](rng))
        elif slot:
            out.append(slots[slot].pick(rng))
    return capitalize("".join(out))


def group_digits(value: int, separator: str) -> str:
    """4500 -> '4,500' with the language's thousands separator."""
    return f"{value:,}".replace(",", separator)


def capitalize(text: str) -> str:
    """Upper-case the first letter, leaving wiki markup such as [[ or ''' in front intact."""
    for i, char in enumerate(text):
        if char.isalpha():
            return text[:i] + char.upper() + text[i + 1 :]
    return text


class Grammar:
    """Sentences for one language. Subclasses build the noun phrases; this class fills templates.

    Slots: S subject, O object, P prepositional phrase, V verb, A adverb, C connector,
    Y year, N number, U unit, R predicate agreeing with the subject.
    """

    templates: tuple[str, ...] = ()
    thousands = ","
    kind_first = False  # "Burg Falkenstein" (True) or "Morvane River" (False)

    def __init__(self, lexicon_data: dict) -> None:
        self.lex = lexicon_data
        self.verbs = Zipf(lexicon_data["verbs"])
        self.adverbs = Zipf(lexicon_data["adverbs"])
        self.connectors = Zipf(lexicon_data["connectors"])
        self.prepositions = Zipf(lexicon_data["prepositions"])
        self.units = Zipf(lexicon_data["units"])
        self.syllables = Zipf(lexicon_data["syllables"], exponent=0.6)
        self.kinds = Zipf(lexicon_data["kinds"], exponent=0.6)
        self.parsed = [parse_template(t) for t in self.templates]

    # -- proper names ------------------------------------------------------------------------
    def proper_name(self, rng: random.Random) -> str:
        count = 2 if rng.random() < 0.7 else 3
        return "".join(self.syllables.pick(rng) for _ in range(count)).capitalize()

    def place_title(self, rng: random.Random) -> str:
        """An article title such as 'Morvane River' or 'Château de Belmont'."""
        name = self.proper_name(rng)
        if rng.random() < 0.35:
            return name
        kind = self.kinds.pick(rng)
        return f"{kind} {name}" if self.kind_first else f"{name} {kind}"

    # -- phrases (overridden per language) ---------------------------------------------------
    def subject(self, rng: random.Random, name_fn: NameFn | None) -> tuple[str, str]:
        raise NotImplementedError

    def object(self, rng: random.Random, name_fn: NameFn | None) -> str:
        raise NotImplementedError

    def phrase(self, rng: random.Random, name_fn: NameFn | None) -> str:
        raise NotImplementedError

    def predicate(self, rng: random.Random, gender: str) -> str:
        return Zipf(self.lex["predicates"]).pick(rng)

    def name(self, rng: random.Random, name_fn: NameFn | None) -> str:
        return name_fn(rng) if name_fn is not None else self.proper_name(rng)

    def number(self, rng: random.Random) -> str:
        magnitude = rng.choice((2, 3, 3, 4, 4, 5))
        return group_digits(rng.randrange(10 ** (magnitude - 1), 10**magnitude), self.thousands)

    # -- sentences ---------------------------------------------------------------------------
    def sentence(self, rng: random.Random, name_fn: NameFn | None = None) -> str:
        template = self.parsed[rng.randrange(len(self.parsed))]
        out, gender = [], "m"
        for literal, slot in template:
            out.append(literal)
            if not slot:
                continue
            if slot == "S":
                text, gender = self.subject(rng, name_fn)
                out.append(text)
            elif slot == "O":
                out.append(self.object(rng, name_fn))
            elif slot == "P":
                out.append(self.phrase(rng, name_fn))
            elif slot == "V":
                out.append(self.verbs.pick(rng))
            elif slot == "A":
                out.append(self.adverbs.pick(rng))
            elif slot == "C":
                out.append(self.connectors.pick(rng))
            elif slot == "Y":
                out.append(str(rng.randrange(1150, 2021)))
            elif slot == "N":
                out.append(self.number(rng))
            elif slot == "U":
                out.append(self.units.pick(rng))
            elif slot == "R":
                out.append(self.predicate(rng, gender))
        return capitalize("".join(out))

    def paragraph(self, rng: random.Random, sentences: int, name_fn: NameFn | None = None) -> str:
        return " ".join(self.sentence(rng, name_fn) for _ in range(sentences))


class English(Grammar):
    templates = (
        "{S} {V} {O} {P}.",
        "In {Y}, {S} {V} {O}.",
        "{C}, {S} {A} {V} {O} and {V} {O}.",
        "{S} {V} about {N} {U} {P}.",
        "{S}, which {V} {O}, was {R} until {Y}.",
        "{S} {A} {V} {O} {P} in {Y}.",
        "{S} was {R} {P}.",
    )

    def __init__(self) -> None:
        super().__init__(lexicon.EN)
        self.nouns = Zipf(self.lex["nouns"])
        self.adjectives = Zipf(self.lex["adjectives"])
        self.predicates = Zipf(self.lex["predicates"])

    def noun_phrase(self, rng: random.Random, article: str = "the") -> str:
        noun = self.nouns.pick(rng)
        if rng.random() < 0.45:
            noun = f"{self.adjectives.pick(rng)} {noun}"
        if article == "a" and noun[0] in "aeiou":
            article = "an"
        return f"{article} {noun}"

    def subject(self, rng, name_fn):
        if rng.random() < 0.3:
            return self.name(rng, name_fn), "m"
        return self.noun_phrase(rng), "m"

    def object(self, rng, name_fn):
        if rng.random() < 0.15:
            return self.name(rng, name_fn)
        return self.noun_phrase(rng, "a" if rng.random() < 0.3 else "the")

    def phrase(self, rng, name_fn):
        preposition = self.prepositions.pick(rng)
        if rng.random() < 0.25:
            return f"{preposition} {self.name(rng, name_fn)}"
        return f"{preposition} {self.noun_phrase(rng)}"

    def predicate(self, rng, gender):
        return self.predicates.pick(rng)


class German(Grammar):
    thousands = "."
    kind_first = True
    templates = (
        "{S} {V} {O} {P}.",
        "Im Jahr {Y} {V} {S} {O}.",
        "{C} {V} {S} {A} {O} {P}.",
        "{S} {V} etwa {N} {U} {P}.",
        "{S} war bis {Y} {R}.",
        "{S} {V} {O}, und {S} {V} {O} {P}.",
        "{S} {V} {A} {O}.",
    )
    ARTICLES = {
        "nom": {"m": "der", "f": "die", "n": "das"},
        "acc": {"m": "den", "f": "die", "n": "das"},
        "dat": {"m": "dem", "f": "der", "n": "dem"},
    }
    ENDINGS = {
        "nom": {"m": "e", "f": "e", "n": "e"},
        "acc": {"m": "en", "f": "e", "n": "e"},
        "dat": {"m": "en", "f": "en", "n": "en"},
    }
    CONTRACTIONS = {
        ("in", "dem"): "im",
        ("an", "dem"): "am",
        ("bei", "dem"): "beim",
        ("von", "dem"): "vom",
        ("zu", "dem"): "zum",
        ("zu", "der"): "zur",
    }

    def __init__(self) -> None:
        super().__init__(lexicon.DE)
        self.nouns = Zipf([entry.split(" ", 1) for entry in self.lex["nouns"]])
        self.adjectives = Zipf(self.lex["adjectives"])
        self.predicates = Zipf(self.lex["predicates"])

    def noun_phrase(self, rng: random.Random, case: str) -> tuple[str, str, str]:
        """(article, rest, gender) so a preposition can contract with the article."""
        gender, noun = self.nouns.pick(rng)
        if rng.random() < 0.45:
            noun = f"{self.adjectives.pick(rng)}{self.ENDINGS[case][gender]} {noun}"
        return self.ARTICLES[case][gender], noun, gender

    def subject(self, rng, name_fn):
        if rng.random() < 0.3:
            return self.name(rng, name_fn), "m"
        article, rest, gender = self.noun_phrase(rng, "nom")
        return f"{article} {rest}", gender

    def object(self, rng, name_fn):
        if rng.random() < 0.15:
            return self.name(rng, name_fn)
        article, rest, _ = self.noun_phrase(rng, "acc")
        return f"{article} {rest}"

    def phrase(self, rng, name_fn):
        preposition = self.prepositions.pick(rng)
        if rng.random() < 0.25:
            return f"{preposition} {self.name(rng, name_fn)}"
        article, rest, _ = self.noun_phrase(rng, "dat")
        merged = self.CONTRACTIONS.get((preposition, article))
        return f"{merged} {rest}" if merged else f"{preposition} {article} {rest}"

    def predicate(self, rng, gender):
        return self.predicates.pick(rng)


class Romance(Grammar):
    """French, Spanish and Italian: article + noun + agreeing adjective, contracted prepositions."""

    elides_de = False  # French writes d'Ostrelle, not de Ostrelle
    kind_first = True

    def __init__(self, lexicon_data: dict) -> None:
        super().__init__(lexicon_data)
        self.nouns = Zipf([entry.split(" ", 1) for entry in self.lex["nouns"]])
        self.adjectives = Zipf([entry.split("/") for entry in self.lex["adjectives"]])
        self.predicates = Zipf([entry.split("/") for entry in self.lex["predicates"]])

    def article(self, gender: str, noun: str) -> str:
        raise NotImplementedError

    def join(self, article: str, noun: str) -> str:
        return f"{article}{noun}" if article.endswith("'") else f"{article} {noun}"

    def contract(self, preposition: str, article: str) -> str | None:
        """The fused preposition+article, or None when they stay apart."""
        return None

    def noun_phrase(self, rng: random.Random) -> tuple[str, str, str]:
        gender, noun = self.nouns.pick(rng)
        article = self.article(gender, noun)
        if rng.random() < 0.45:
            masculine, feminine = self.adjectives.pick(rng)
            noun = f"{noun} {masculine if gender == 'm' else feminine}"
        return article, noun, gender

    def subject(self, rng, name_fn):
        if rng.random() < 0.3:
            return self.name(rng, name_fn), "m"
        article, noun, gender = self.noun_phrase(rng)
        return self.join(article, noun), gender

    def object(self, rng, name_fn):
        if rng.random() < 0.15:
            return self.name(rng, name_fn)
        article, noun, _ = self.noun_phrase(rng)
        return self.join(article, noun)

    def phrase(self, rng, name_fn):
        preposition = self.prepositions.pick(rng)
        if rng.random() < 0.25:
            name = self.name(rng, name_fn)
            elides = self.elides_de and (preposition == "de" or preposition.endswith(" de"))
            if elides and name.lstrip("[")[:1] in VOWELS:
                return f"{preposition[:-2]}d'{name}"
            return f"{preposition} {name}"
        article, noun, _ = self.noun_phrase(rng)
        head, _, last = preposition.rpartition(" ")
        merged = self.contract(last, article)
        if merged is None:
            return f"{preposition} {self.join(article, noun)}"
        return f"{head + ' ' if head else ''}{self.join(merged, noun)}"

    def predicate(self, rng, gender):
        masculine, feminine = self.predicates.pick(rng)
        return masculine if gender == "m" else feminine


class French(Romance):
    elides_de = True
    thousands = " "
    templates = (
        "{S} {V} {O} {P}.",
        "En {Y}, {S} {V} {O}.",
        "{C}, {S} {V} {A} {O} et {V} {O}.",
        "{S} {V} environ {N} {U} {P}.",
        "{S} resta {R} jusqu'en {Y}.",
        "{S} {V} {O} {P} en {Y}.",
        "{S} était {R} {P}.",
    )

    def __init__(self) -> None:
        super().__init__(lexicon.FR)

    def article(self, gender, noun):
        if noun[0] in VOWELS:
            return "l'"
        return "le" if gender == "m" else "la"

    def contract(self, preposition, article):
        if article == "le" and preposition in ("de", "à"):
            return "du" if preposition == "de" else "au"
        if preposition in ("de", "à"):
            return f"{preposition} {article}"
        return None


class Spanish(Romance):
    thousands = "."
    templates = (
        "{S} {V} {O} {P}.",
        "En {Y}, {S} {V} {O}.",
        "{C}, {S} {A} {V} {O} y {V} {O}.",
        "{S} {V} unos {N} {U} {P}.",
        "{S} permaneció {R} hasta {Y}.",
        "{S} {V} {O} {P} en {Y}.",
        "{S} era {R} {P}.",
    )

    def __init__(self) -> None:
        super().__init__(lexicon.ES)

    def article(self, gender, noun):
        return "el" if gender == "m" else "la"

    def contract(self, preposition, article):
        if article == "el" and preposition in ("de", "a"):
            return "del" if preposition == "de" else "al"
        if preposition in ("de", "a"):
            return f"{preposition} {article}"
        return None


class Italian(Romance):
    thousands = "."
    templates = (
        "{S} {V} {O} {P}.",
        "Nel {Y} {S} {V} {O}.",
        "{C}, {S} {V} {A} {O} e {V} {O}.",
        "{S} {V} circa {N} {U} {P}.",
        "{S} rimase {R} fino al {Y}.",
        "{S} {V} {O} {P} nel {Y}.",
        "{S} era {R} {P}.",
    )
    FUSED_PREPOSITION = {"di": "de", "a": "a", "da": "da", "in": "ne", "su": "su"}
    FUSED_ARTICLE = {"il": "l", "lo": "llo", "la": "lla", "l'": "ll'"}

    def __init__(self) -> None:
        super().__init__(lexicon.IT)

    def article(self, gender, noun):
        if noun[0] in "aeiouàèéìòù":
            return "l'"
        if gender == "f":
            return "la"
        s_impura = noun[0] == "s" and noun[1] not in "aeiou"
        if noun[0] == "z" or noun[:2] in ("gn", "ps") or s_impura:
            return "lo"
        return "il"

    def contract(self, preposition, article):
        if preposition not in self.FUSED_PREPOSITION:
            return None
        return self.FUSED_PREPOSITION[preposition] + self.FUSED_ARTICLE[article]


class Finnish(Grammar):
    thousands = " "
    templates = (
        "{S} {V} {O} {P}.",
        "Vuonna {Y} {S} {V} {O}.",
        "{C} {S} {A} {V} {O} ja {V} {O}.",
        "{S} {V} noin {N} {U} {P}.",
        "{S} oli {R} vuoteen {Y} asti.",
        "{S} {V} {O} {P} vuonna {Y}.",
        "{P} {S} {V} {O}.",
    )

    def __init__(self) -> None:
        super().__init__(lexicon.FI)
        self.nouns = Zipf([entry.split("/") for entry in self.lex["nouns"]])
        self.adjectives = Zipf([entry.split("/") for entry in self.lex["adjectives"]])
        self.predicates = Zipf(self.lex["predicates"])

    def place_title(self, rng):
        name = self.proper_name(rng)
        return name if rng.random() < 0.35 else f"{name}{self.kinds.pick(rng)}"

    def subject(self, rng, name_fn):
        if rng.random() < 0.3:
            return self.name(rng, name_fn), "m"
        nominative, _, _ = self.nouns.pick(rng)
        if rng.random() < 0.45:
            nominative = f"{self.adjectives.pick(rng)[0]} {nominative}"
        return nominative, "m"

    def object(self, rng, name_fn):
        if rng.random() < 0.15:
            return self.name(rng, name_fn)
        _, genitive, _ = self.nouns.pick(rng)
        if rng.random() < 0.45:
            genitive = f"{self.adjectives.pick(rng)[1]} {genitive}"
        return genitive

    def phrase(self, rng, name_fn):
        _, genitive, locative = self.nouns.pick(rng)
        if rng.random() < 0.4:
            return locative
        return f"{genitive} {self.prepositions.pick(rng)}"

    def predicate(self, rng, gender):
        return self.predicates.pick(rng)


GRAMMARS: dict[str, type[Grammar]] = {
    "en": English,
    "de": German,
    "fr": French,
    "es": Spanish,
    "it": Italian,
    "fi": Finnish,
}


def grammar(language: str) -> Grammar:
    """The sentence generator for a language code in LANGUAGES."""
    return GRAMMARS[language]()


# -- English genres beyond encyclopedic prose ---------------------------------------------------


class WebWriter:
    """Shop, review and forum sentences: the bulk of CommonCrawl and C4."""

    templates = (
        "I bought this {product} for my {person} and {opinion}.",
        "Our {product} is made from {material} and comes in {small} different colours.",
        "We have been serving customers in {city} since {year}, and we ship every order within "
        "{small} days.",
        "This {product} is {adjective} and {adjective}, which makes it perfect for {activity}.",
        "Has anyone here tried the new {product} from the store in {city}?",
        "Thanks for the quick reply, I will try that {time} and post an update.",
        "The {adjective} {product} costs about ${price} and {opinion}.",
        "If you are looking for a {adjective} {product}, read our guide before you buy.",
        "My {person} has used the same {product} for {small} years and {opinion}.",
        "Compare prices on {product} models from {small} brands and find the best deal.",
    )

    def __init__(self) -> None:
        lex = lexicon.WEB
        self.slots = {key: Zipf(values) for key, values in lex.items()}
        self.slots["adjective"] = self.slots.pop("adjectives")
        for plural, singular in (
            ("products", "product"),
            ("materials", "material"),
            ("persons", "person"),
            ("opinions", "opinion"),
            ("activities", "activity"),
            ("cities", "city"),
            ("times", "time"),
            ("users", "user"),
        ):
            self.slots[singular] = self.slots.pop(plural)
        self.parsed = [parse_template(t) for t in self.templates]

    def fill(self, rng: random.Random, literal_slots: list[tuple[str, str]]) -> str:
        return fill_template(rng, literal_slots, self.slots, {
            "small": lambda r: str(r.randrange(2, 12)),
            "year": lambda r: str(r.randrange(1975, 2020)),
            "price": lambda r: f"{r.randrange(9, 400)}.{r.randrange(100):02d}",
        })  # fmt: skip

    def sentence(self, rng: random.Random) -> str:
        return self.fill(rng, self.parsed[rng.randrange(len(self.parsed))])

    def paragraph(self, rng: random.Random, sentences: int) -> str:
        return " ".join(self.sentence(rng) for _ in range(sentences))

    def user(self, rng: random.Random) -> str:
        return self.slots["user"].pick(rng)

    def product(self, rng: random.Random) -> str:
        return self.slots["product"].pick(rng)


class ReportWriter:
    """Archive records and local-history reports: the pages Wikipedia cites. Their bylines,
    dates, record numbers and quoted sources set them apart from the rest of the crawl, as
    news and archive pages are set apart on the real web."""

    templates = (
        "According to the {record} held by the {institution}, the {noun} was {verb} in {year}.",
        "In the {record} of {year}, {number} {unit} are listed, against {number} in {year}.",
        "Researchers at the {institution} examined the {record} in {year} and found {finding}.",
        "A report published by the {institution} in {year} describes the {noun} as {predicate}.",
        '"The {record} shows {finding}," said {person}, {role} at the {institution}.',
        "The {noun} first appears in the {record} of {year}, where it is listed under {code}.",
        "Copies of the {record} are held at the {institution} under reference {reference}.",
    )

    def __init__(self) -> None:
        lex, english = lexicon.REPORT, lexicon.EN
        self.slots = {
            "record": Zipf(lex["records"]),
            "institution": Zipf(lex["institutions"]),
            "role": Zipf(lex["roles"]),
            "finding": Zipf(lex["findings"]),
            "month": Zipf(lex["months"]),
            "code": Zipf(lex["codes"]),
            "noun": Zipf(english["nouns"]),
            "verb": Zipf(english["verbs"]),
            "predicate": Zipf(english["predicates"]),
            "unit": Zipf(english["units"]),
        }
        self.person_names = Zipf(lexicon.NARRATIVE["names"])
        self.syllables = Zipf(english["syllables"])
        self.parsed = [parse_template(t) for t in self.templates]

    def person(self, rng: random.Random) -> str:
        surname = "".join(self.syllables.pick(rng) for _ in range(2)).capitalize()
        return f"{self.person_names.pick(rng)} {surname}"

    def reference(self, rng: random.Random) -> str:
        return f"{self.slots['code'].pick(rng)}/{rng.randrange(1700, 1950)}/{rng.randrange(1, 999)}"

    def fill(self, rng: random.Random, literal_slots: list[tuple[str, str]]) -> str:
        return fill_template(rng, literal_slots, self.slots, {
            "year": lambda r: str(r.randrange(1650, 1950)),
            "number": lambda r: str(r.randrange(12, 4000)),
            "person": self.person,
            "reference": self.reference,
        })  # fmt: skip

    def sentence(self, rng: random.Random) -> str:
        return self.fill(rng, self.parsed[rng.randrange(len(self.parsed))])

    def byline(self, rng: random.Random, publisher: str) -> str:
        day, month = rng.randrange(1, 29), self.slots["month"].pick(rng)
        return f"By {self.person(rng)} | {publisher} | Published {day} {month} {rng.randrange(1998, 2020)}"

    def sources_line(self, rng: random.Random) -> str:
        cited = [f"{self.slots['record'].pick(rng)} ({self.reference(rng)})" for _ in range(2)]
        return "Sources: " + "; ".join(cited) + "."


class NarrativeWriter:
    """Novel-like English prose with dialogue, for the books sample."""

    templates = (
        "{name} {walked} to the {place} and {looked} at the {object}.",
        '"{quote}," {said} {name}.',
        "The {noun} was {adjective}, and {pronoun} {felt} {emotion}.",
        "When {name} came into the {place}, the {object} was already gone.",
        "{pronoun} {looked} at {name} for a long time and said nothing.",
        "It was a {adjective} evening, and the {noun} had not stopped since noon.",
        '"{quote}?" {said} {name}, turning toward the {object}.',
        "{name} {felt} {emotion} as the {noun} grew {adjective} around the {place}.",
    )

    def __init__(self) -> None:
        lex = lexicon.NARRATIVE
        self.slots = {
            "name": Zipf(lex["names"]),
            "place": Zipf(lex["places"]),
            "object": Zipf(lex["objects"]),
            "walked": Zipf(lex["walked"]),
            "looked": Zipf(lex["looked"]),
            "felt": Zipf(lex["felt"]),
            "emotion": Zipf(lex["emotions"]),
            "adjective": Zipf(lex["adjectives"]),
            "quote": Zipf(lex["quotes"]),
            "said": Zipf(lex["said"]),
            "pronoun": Zipf(lex["pronouns"]),
            "noun": Zipf(lex["nouns"]),
        }
        self.parsed = [parse_template(t) for t in self.templates]

    def sentence(self, rng: random.Random) -> str:
        out = []
        for literal, slot in self.parsed[rng.randrange(len(self.parsed))]:
            out.append(literal)
            if slot:
                out.append(self.slots[slot].pick(rng))
        return capitalize("".join(out))

    def paragraph(self, rng: random.Random, sentences: int) -> str:
        return " ".join(self.sentence(rng) for _ in range(sentences))


def gibberish(rng: random.Random, characters: int) -> str:
    """Random letter strings with word and sentence shapes but no words: an LM's worst case."""
    letters = "etaoinshrdlucmfwypvbgkqjxz"
    words, length = [], 0
    while length < characters:
        word = "".join(rng.choice(letters) for _ in range(rng.randrange(2, 11)))
        if rng.random() < 0.08:
            word += rng.choice(".,;!?")
        words.append(word)
        length += len(word) + 1
    return capitalize(" ".join(words)) + "."
