"""The template policy: what the cleaned text shows of each template, by name.

Three outcomes, as a reader of the page would have it:
- **render** (`Render`): the template *is* text (`{{convert|5|km}}`, `{{As of|2013}}`,
  `{{hlist|a|b}}`, `{{mdash}}`, `{{lang|fr|texte}}`, `{{chem|H|2|O}}`, `{{coord|...}}`):
  a renderer of its family (template_numbers.py, template_renderers.py) writes it, or
  writes nothing for a template that only lays out what follows (`{{div col}}`);
- **keep a parameter** (`KeepParameter`): a wrapper whose text is one of its parameters
  (`{{nowrap|text}}`, `{{abbr|text|meaning}}`, `{{sort|key|text}}`);
- **drop** (`Drop`): infoboxes, navigation (navboxes, hatnotes, sister-project boxes),
  citations and footnotes, maintenance tags, pictures and charts (by `DROP_PATTERNS`).
A template in none of these is unknown: dropped too, and counted per name by the cleaner
(`templates.unknown.<name>`), so a user sees what a dump's long tail loses.

Names are compared as MediaWiki resolves them, ignoring case (MediaWiki folds only the
first letter; two names that differ further in case are, in practice, one template and
its redirect), with spaces and underscores alike and without a `Template:`/`subst:`
prefix. Redirects are listed by hand beside their target (`cvt` -> `convert`). A parser
function or magic word (`{{formatnum:1234}}`, `{{DEFAULTSORT:...}}`) is looked up by its
name with the colon, its first argument the text after the colon (see `split_name`).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from pipeline.sources.wikipedia import template_numbers as numbers
from pipeline.sources.wikipedia import template_renderers as r
from pipeline.sources.wikipedia.template_renderers import Render as Renderer


@dataclass(frozen=True)
class Render:
    render: Renderer
    family: str


@dataclass(frozen=True)
class KeepParameter:
    names: tuple[str, ...]  # the first of these parameters that has text ("1": the first)


@dataclass(frozen=True)
class Drop:
    family: str


Policy = Render | KeepParameter | Drop
UNKNOWN = Drop("unknown")


def _family(family: str, renderers: dict[str, Renderer]) -> dict[str, Render]:
    """Each name of a family's table as a Render of that family ("a|b": two names)."""
    return {
        name: Render(render, family)
        for names, render in renderers.items()
        for name in names.split("|")
    }


RENDER: dict[str, Render] = {
    **_family("numbers", {
        "convert|cvt|convert/2": numbers.convert,
        "e|e-notation|x10": numbers.times_ten,
        "val": numbers.value,
        "frac|fraction|sfrac|sfract|frac2": numbers.fraction,
    }),
    **_family("dates", {
        "birth date|death date|birth date and age|start date|end date|start date and age|"
        "end date and age|dts|date|film date|release date|start-date|birth-date": r.date,
        "death date and age|death-date and age": r.death_date_and_age,
        "as of|asof": r.as_of,
        "oldstyledate|old style date": r.old_style_date,
        "marriage": r.marriage,
        "circa|c.|ca.": r.prefixed("c. ", r.joined("–")),
        "floruit|fl.": r.prefixed("fl. ", r.joined("–")),
        "reign|r.": r.prefixed("r. ", r.joined("–")),
        "birth year and age|death year and age|birth-year and age": r.joined("", True),
    }),
    **_family("lists", {
        "hlist|flatlist|flat list|horizontal list|cslist|comma separated entries": r.joined(" · "),
        "ubl|unbulleted list|ubil|plainlist|plain list|vunblist|bulleted list|blist|"
        "bulleted|columns-list|columns list|col-list|collist|div col|div-col|colbegin|"
        "multicol": r.joined("\n", skip_numbers=True),
        "ordered list|ol": r.ordered_list,
        # layout that holds nothing itself: the list after it stays
        "div col end|div-col-end|end div col|colend|col-end|col-begin|col-break|col-2|"
        "col-3|col-4|col-5|endflatlist|endplainlist|end flatlist|end plainlist|"
        "multicol-break|multicol-end|clear|clr|-|break|nowrap begin|nowrap end|"
        "refbegin|refend|toc right|toc left|toclimit|compact toc|spaces|pad": r.constant(""),
    }),
    **_family("dashes", {
        "ndash|en dash|endash|–": r.constant("–"),
        "mdash|em dash|emdash|—|mdashb": r.constant("—"),
        "snd|spaced ndash|spnd|sndash|spaced en dash|spacedendash|snds": r.constant(" – "),
        "spaced mdash|spmdash|spaced em dash": r.constant(" — "),
        "nbsp|space|thinsp|thin space|hair space": r.constant("\xa0"),
        "zwsp|wbr|shy": r.constant(""),
        "'|apostrophe": r.constant("'"),
        "'s|`s": r.constant("'s"),
        "\"|-\"": r.constant('"'),
        "!|pipe|!!": r.constant("|"),
        "=": r.constant("="),
        "dot|middot|·|,": r.constant("·"),
        "bull|bullet|•": r.constant("•"),
        "×|times": r.constant("×"),
        "−|minus": r.constant("−"),
        "°|degree|deg": r.constant("°"),
        "pi|π": r.constant("π"),
        "plusminus|±": r.constant("±"),
        "quote|blockquote|bquote|quotation|cquote|rquote|quote box|poem quote|gquote|"
        "centered pull quote|pull quote|quote frame|bq": r.quotation,
    }),
    **_family("language", {
        "lang|langx|lang-x|native name|script|lang-rtl|rtl-lang": r.language_text,
        "transl|transliteration|translit": r.last,
        "ill|interlanguage link|interlanguage link multi|ill2": r.interlanguage_link,
        "ipa|ipa2|ipa-all": r.joined(" "),
        "respell": r.respell,
        "nihongo|nihongo2|nihongo3": r.nihongo,
    }),
    **_family("chemistry", {
        "chem|chem2|chemf|chemical formula": r.chemical,
        "angbr|angle bracket|angbr ipa|angbr-ipa": r.wrapped("⟨", "⟩"),
        "vr|ipa link": r.joined(""),
        "sqrt|radic": r.prefixed("√", r.joined("")),
        "abs": r.wrapped("|", "|"),
        "keypress|key press": r.joined(" + "),
        "nuclide2|nuclide|simplenuclide|simplenuclide2": r.nuclide,
    }),
    **_family("coordinates", {"coord|coor|coor dms|coor dm|coor d": r.coordinates}),
    **_family("names", {
        "hms": r.ship("HMS"), "uss": r.ship("USS"), "sms": r.ship("SMS"),
        "hmas": r.ship("HMAS"), "hmcs": r.ship("HMCS"), "rms": r.ship("RMS"),
        "ss": r.ship("SS"), "ship": r.joined(" "),
        "flag|flagcountry|flagu|flag country": r.flag,
        "linktext|lt": r.joined(" "),
        "sortname": r.joined(" "),
        "formatnum:|lc:|uc:|lcfirst:|ucfirst:|padleft:|padright:": r.joined(""),
    }),
}  # fmt: skip

KEEP: dict[str, KeepParameter] = {
    **dict.fromkeys(
        ("nowrap|nobr|nobreak|no wrap|nobold|noitalic|small|smaller|big|larger|large|huge|"
         "midsize|sc|smallcaps|small caps|smallcap|serif|sans-serif|mono|monospace|code|kbd|"
         "samp|var|mvar|math|em|strong|abbr|tooltip|sic|not a typo|proper name|visible "
         "anchor|vanchor|sup|sub|lit|longitem|center|centre|nastaliq|abbrlink|nts|"
         "nowrap-text|bold|italic|i|b|u|underline|strikethrough|s|del|ins|noitalics|"
         "varserif|overline|nobreakspace|sc1|small-caps|allcaps|uppercase|lowercase|"
         "notatypo|as written|plain text|!mxt|mxt|xt|smallsup|tmath").split("|"),
        KeepParameter(("text", "1")),
    ),
    **dict.fromkeys(("sort", "sortkey", "color", "colour", "font color", "highlight",
                     "audio", "pslink", "sort list"), KeepParameter(("2", "text"))),
    **dict.fromkeys(("resize", "font size"), KeepParameter(("2", "1"))),
    **dict.fromkeys(("font",), KeepParameter(("text", "1"))),
}  # fmt: skip

# Drop, by family: glob patterns over names as template_key writes them.
DROP_PATTERNS: dict[str, tuple[str, ...]] = {
    "infobox": ("infobox*", "* infobox", "*box begin", "taxobox*", "speciesbox",
                "automatic taxobox", "subspeciesbox", "chembox*", "drugbox", "geobox*",
                "football kit", "election box*", "succession box", "s-*", "sidebar*",
                "* sidebar", "persondata", "short description", "displaytitle:",
                "defaultsort:", "italic title", "lowercase title", "coord missing",
                "infobox", "*sidebar", "year nav", "country data *"),
    "navigation": ("navbox*", "* navbox", "*navbox", "navboxes", "*topics", "* topic",
                   "portal*", "* portal", "authority control", "commons*", "wikiquote*",
                   "wiktionary*", "wikisource*", "wikibooks*", "wikispecies*", "wikinews*",
                   "wikiversity*", "wikivoyage*", "wikidata*", "sister project*",
                   "sister-inline", "library resources box", "*-stub", "stub", "dmoz",
                   "curlie", "official website", "official", "imdb *", "youtube",
                   "gutenberg*", "librivox*", "internet archive*", "main", "main article",
                   "main list", "main category", "see also", "see", "further",
                   "further information", "details", "details3", "about", "for", "for2",
                   "other uses*", "otheruses*", "redirect*", "distinguish*", "hatnote",
                   "selfref", "self reference", "broader", "disambiguation", "dablink",
                   "also", "elect", "technical reasons", "anchor", "anchors", "toc",
                   "spoken wikipedia*", "worldcat*", "twitter", "facebook", "find a grave",
                   "cantorion", "in our time", "dmoz*", "osmrelation*", "geographic location",
                   "wikiatlas", "wiki*", "wikt", "wikt-lang", "relevant", "see introduction",
                   "featured article", "good article", "featured list", "use * dates",
                   "use * english", "engvar*", "pp*", "*-protected", "protection padlock",
                   "top icon", "ws"),
    "citation": ("cite*", "vcite*", "citation", "harv*", "sfn*", "rp", "r", "efn*", "refn",
                 "reflist*", "notelist*", "ref label", "note label", "note", "#tag:",
                 "wayback*", "webarchive", "web archive", "dead link", "isbn", "oclc", "issn",
                 "doi", "google books", "cia world factbook*", "sep", "pwre", "eb1911*",
                 "catholic*", "bibleref*", "citeref", "lsj", "bdb", "ol author",
                 "inflation-fn", "inflation/fn", "jstor", "pmid", "pmc", "arxiv",
                 "bibcode", "lccn", "asin", "citation/*", "plainlink*", "url"),
    "maintenance": ("citation needed*", "cn", "fact", "clarify*", "when", "who", "whom",
                    "which", "by whom", "according to whom", "page needed", "pages needed",
                    "failed verification", "better source*", "unreliable source*", "dubious*",
                    "vague", "update*", "refimprove*", "more citations needed*",
                    "more footnotes*", "unreferenced*", "expand*", "inconsistent citations",
                    "copy edit*", "copyedit*", "cleanup*", "npov*", "pov*",
                    "original research*", "or", "relevance*", "citation style", "verify*",
                    "fix", "disputed*", "multiple issues", "primary sources", "self-published*",
                    "peacock*", "weasel*", "specify", "attribution needed", "year needed",
                    "date missing", "contradict*", "lead too*", "tone", "essay-like",
                    "globalize*", "split*", "merge*", "technical", "confusing", "context",
                    "citation needed span", "by whom?", "quantify", "examples", "nonspecific",
                    "dead end", "orphan", "underlinked", "overlinked", "not verified",
                    "unbalanced", "recentism", "tooltip needed", "ipa audio link",
                    "circular reference", "speculation", "as of?", "out of date",
                    "prose", "very long", "too long", "further reading cleanup", "bare urls",
                    "linkrot", "link rot", "cbignore", "bots", "nobots", "fv", "page?",
                    "превод от"),
    # the same families under the local names of the LLaMA languages' wikis (a sample)
    "local": ("internetquelle", "literatur", "normdaten", "navigationsleiste*", "coordinate",
              "hauptartikel", "siehe auch", "lien web", "article", "ouvrage", "portail*",
              "palette*", "article détaillé", "références", "cita*", "control de autoridades",
              "traducido ref", "ordenar:", "ficha de*", "referencias", "controllo di autorità",
              "portale*", "comuni della *", "divisione amministrativa", "note", "основна*", "уики*", "превод от",
              "шаблон:*", "източник*", "cytuj*", "kontrola autorytatywna", "szablon:*",
              "чтобы*", "источник*", "навигация*", "внешние ссылки", "ref-*"),
    "picture": ("multiple image", "double image", "triple image", "wide image", "image frame",
                "flagicon*", "flagdeco*", "flag icon", "bar *", "bartable", "bar percent",
                "chart*", "clade*", "legend*", "pie chart", "graph:*", "historical populations",
                "us census population", "location map*", "osm*", "commonscat*", "image*",
                "photo*", "panorama", "gallery", "audio*", "listen", "spoken*", "superimpose",
                "col-float*", "stack*", "timeline*", "weather box*", "climate chart",
                "fossil range", "geological range", "railgauge", "increase", "decrease",
                "steady", "sort under", "color box", "colour box", "legend2", "fb*", "yes",
                "no", "n/a", "dunno", "ya", "na", "hs", "nd", "party color*"),
}  # fmt: skip
_DROP_PATTERNS = tuple((family, p) for family, ps in DROP_PATTERNS.items() for p in ps)
_PREFIXES = ("template:", "subst:", "safesubst:", "msg:", "msgnw:")


def template_key(name: str) -> str:
    """The lookup form of a template name: `Template:Lang_fr ` -> "lang fr";
    `formatnum:1,234` -> "formatnum:1,234" (see split_name)."""
    key = " ".join(name.replace("_", " ").split()).lower()
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix) :].strip()
    return key


def split_name(key: str) -> tuple[str, str | None]:
    """A parser function or magic word as (name with its colon, the text after the colon):
    "formatnum:1,234" -> ("formatnum:", "1,234"); any other name as (key, None)."""
    head, colon, rest = key.partition(":")
    if not colon:
        return key, None
    return f"{head.strip()}:", rest.strip()


def template_policy(key: str) -> Policy:
    """The outcome of the template `key` (template_key, then split_name)."""
    found = RENDER.get(key) or KEEP.get(key)
    if found is not None:
        return found
    if key.startswith(("lang-", "lang ")):  # {{lang-fr|texte}}: the text
        return KeepParameter(("text", "1"))
    if key.startswith(("ipac-", "ipac ")):
        return Render(r.ipac, "language")
    if key.startswith(("ipa-", "ipa ")):
        return Render(r.ipa, "language")
    for family, pattern in _DROP_PATTERNS:
        if fnmatch.fnmatchcase(key, pattern):
            return Drop(family)
    return UNKNOWN


def apply_policy(policy: Policy, arguments: dict[str, str]) -> str | None:
    """The text a template shows, from its arguments by name (positional ones "1", "2"...,
    named ones lower-cased); None when it shows nothing (dropped, or not a known form)."""
    if isinstance(policy, Drop):
        return None
    if isinstance(policy, KeepParameter):
        return next((arguments[n] for n in policy.names if arguments.get(n)), None)
    numbered = sorted((int(k), v) for k, v in arguments.items() if k.isdigit())
    positional = [v for _, v in numbered]
    named = {k: v for k, v in arguments.items() if not k.isdigit()}
    return policy.render(positional, named)
