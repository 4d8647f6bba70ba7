"""Deterministic synthetic multilingual documents for tokenizer tests and benchmarks.

Words follow a Zipf law over syllable-built vocabularies (Latin, German, Cyrillic, Greek,
Arabic, Han), with digits, punctuation, emoji, indented code, runs of spaces, tabs and
blank lines, so tokenizers meet every boundary case real corpora have.
"""

from __future__ import annotations

import itertools
import random

_LATIN = ["ka", "to", "ri", "men", "sa", "lo", "ve", "ti", "on", "ar", "el", "qu", "is", "un", "de"]
_GERMAN = ["über", "straß", "schön", "grü", "mäß", "ung", "keit", "lich"]
_CYRILLIC = ["при", "вет", "мир", "ско", "ро", "да", "ния", "тель"]
_GREEK = ["κα", "λη", "μέ", "ρα", "φι", "λος", "τη"]
_ARABIC = ["مر", "حبا", "سلا", "م", "عل", "يكم", "كتا", "ب"]
_HAN = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴份"
_EMOJI = ["😀", "🦙", "👍🏽", "🇫🇷", "❤️", "👨‍👩‍👧"]
_PUNCT = [",", ".", ";", ":", "!", "?", "—", "(", ")", '"', "'", "…", "«", "»", "-"]


def _vocabulary(rng: random.Random, syllables: list[str], size: int) -> list[str]:
    """`size` distinct words of 1-4 syllables, longer once the short combinations run out."""
    words: set[str] = set()
    longest, attempts = 4, 0
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(1, longest))))
        attempts += 1
        if attempts % (4 * size) == 0:
            longest += 1
    ranked = sorted(words)
    rng.shuffle(ranked)  # Zipf rank independent of spelling
    return ranked


class TextGenerator:
    """Builds documents from seeded vocabularies; the same seed gives the same documents."""

    def __init__(self, seed: int = 0, vocabulary: int = 3000, vocabulary_seed: int = 0) -> None:
        # Words come from vocabulary_seed, documents from seed: generators with different
        # seeds write different documents in the same language.
        rng = random.Random(vocabulary_seed)
        self._rng = random.Random(seed)
        self._languages = {
            "latin": _vocabulary(rng, _LATIN, vocabulary),
            "german": _vocabulary(rng, _LATIN + _GERMAN, vocabulary // 3),
            "cyrillic": _vocabulary(rng, _CYRILLIC, vocabulary // 3),
            "greek": _vocabulary(rng, _GREEK, vocabulary // 5),
            "arabic": _vocabulary(rng, _ARABIC, vocabulary // 5),
        }
        # Zipf weights, cumulated once (choices() would re-sum them on every draw).
        self._cumulative = {
            name: list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(words))))
            for name, words in self._languages.items()
        }

    def _word(self, language: str) -> str:
        rng = self._rng
        word = rng.choices(self._languages[language], cum_weights=self._cumulative[language])[0]
        return word.capitalize() if rng.random() < 0.1 else word

    def _token(self, language: str) -> str:
        rng = self._rng
        roll = rng.random()
        if roll < 0.04:
            return str(
                rng.choice([rng.randint(0, 99), rng.randint(1800, 2030), rng.random() * 1000])
            )[:8]
        if roll < 0.05:
            return rng.choice(_EMOJI)
        if roll < 0.07:
            return "".join(rng.choice(_HAN) for _ in range(rng.randint(2, 12)))
        word = self._word(language)
        if rng.random() < 0.12:
            word += rng.choice(_PUNCT)
        return word

    def _paragraph(self) -> str:
        rng = self._rng
        language = rng.choices(list(self._languages), [10, 2, 2, 1, 1])[0]
        words = [self._token(language) for _ in range(rng.randint(5, 120))]
        return " ".join(words)

    def _code(self) -> str:
        rng = self._rng
        lines = []
        for depth in [rng.randint(0, 3) for _ in range(rng.randint(2, 10))]:
            name = self._word("latin")
            lines.append(
                " " * (4 * depth) + f"{name}_{rng.randint(0, 9)} = f({name}, {rng.randint(0, 999)})"
            )
        return "\n".join(lines)

    def document(self, paragraphs: int | None = None) -> str:
        rng = self._rng
        parts = []
        for _ in range(paragraphs if paragraphs is not None else rng.randint(1, 12)):
            roll = rng.random()
            if roll < 0.1:
                parts.append(self._code())
            elif roll < 0.13:
                parts.append("\t" + self._paragraph() + "  ")
            elif roll < 0.15:
                parts.append("   " + "".join(rng.choice(_HAN) for _ in range(rng.randint(20, 200))))
            else:
                parts.append(self._paragraph())
        separator = rng.choice(["\n", "\n\n", "\n\n\n"])
        return separator.join(parts)

    def documents(self, count: int) -> list[str]:
        return [self.document() for _ in range(count)]


def synthetic_documents(count: int, seed: int = 0) -> list[str]:
    """`count` synthetic documents (about 2-3 KB each on average)."""
    return TextGenerator(seed).documents(count)
