"""StackExchange sample: one extracted Posts.xml per site, rows as in the archive.org dumps.

Questions (PostTypeId 1) carry Title, Tags and AcceptedAnswerId; answers (PostTypeId 2) carry
ParentId and sometimes come after later questions. Bodies are escaped HTML with <p>, <code>,
<pre><code>, lists, links and entities (`&amp;` inside the HTML). Answer scores are chosen so
that sorting them as strings gives a different order than sorting them as numbers
(`answer_order` is the numeric order, highest first). Also planted: tag-wiki rows
(PostTypeId 4 and 5, not questions), an answer whose question does not exist, and one
malformed row in the middle of the first site's file with good rows after it. The first
question of each site also has a table answer whose cells wrap their text in <p>, as
Sphinx-made HTML does (a real-text finding: each cell came out on a line of its own); its
rows must read "cell | cell".
Ids are "stackexchange/<site>/<question id>" where <site> is the folder name without
".stackexchange.com".
"""

from __future__ import annotations

import os
import random
from xml.sax.saxutils import escape

from pipeline.sample import lexicon
from pipeline.sample.seeding import rng_for

SITES = {  # site -> questions per scale; astronomy is the small site
    "cooking": 25,
    "gardening": 20,
    "bicycles": 15,
    "astronomy": 3,
}
TOPICS = {
    "cooking": lexicon.words(
        "sourdough starter|cast iron pan|risotto|pie crust|brine|"
        "chicken stock|custard|pizza dough|chili|marinade|caramel"
    ),
    "gardening": lexicon.words(
        "tomato plants|lawn|compost heap|rose bush|seedlings|raised bed|"
        "hedge|orchid|potatoes|clay soil|apple tree"
    ),
    "bicycles": lexicon.words(
        "chain|rear derailleur|brake pads|tubeless tyre|front wheel|"
        "saddle|gear cable|bottom bracket|rear hub|steel frame"
    ),
    "astronomy": lexicon.words(
        "telescope|eyepiece|Orion nebula|Jupiter|lunar eclipse|"
        "star chart|equatorial mount|binoculars|Saturn"
    ),
}
SYMPTOMS = lexicon.words(
    "keeps failing after a few days|makes a strange noise|turns out uneven|looks worse every "
    "week|does not hold its shape|stops working in cold weather|gives different results"
)
ADVICE = lexicon.words(
    "Check the temperature before you start|Clean everything with warm water first|"
    "Replace the worn part instead of adjusting it|Give it at least two days to settle|"
    "Measure twice and write the numbers down|Start with half the amount and add more later|"
    "Ask at a local shop, they usually know the common problems"
)
ABSENT_MARKUP = [
    "<p>",
    "</p>",
    "<code>",
    "</code>",
    "<pre>",
    "&lt;",
    "&gt;",
    "&amp;",
    "&#xA;",
    "<li>",
    "<a href",
]
SCORE_SETS = ((10, 9, 2, -1), (25, 3, 100), (7, 12), (0, 11, -3, 1), (5,), (19, 2, 8))


def attribute(value: str) -> str:
    """Escape a value as the dumps do (quotes and newlines as character references)."""
    return escape(value, {'"': "&quot;", "\n": "&#xA;"})


def code_block(rng: random.Random, site: str) -> str:
    """A <pre><code> snippet whose text has < > & (escaped once in the HTML)."""
    threshold = rng.randrange(2, 60)
    # HTML quoted in code reads "<s>old</s>" once unescaped: text, not the tokenizer's BOS/EOS
    strike = "    old = '&lt;s&gt;old&lt;/s&gt;'\n" if threshold % 4 == 0 else ""
    return (
        "<pre><code>"
        f"def check(values, limit={threshold}):\n"
        f"    return [v for v in values if v &lt; limit and v &gt; 0 &amp;&amp; True]\n"
        f"{strike}"
        "</code></pre>"
    )


def code_text(html: str) -> str:
    """The code as a reader sees it after HTML unescaping."""
    inner = html.removeprefix("<pre><code>").removesuffix("</code></pre>")
    return inner.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def question(rng: random.Random, site: str) -> tuple[str, str, str, list[str]]:
    """(title, body html, tags, strings the cleaned text must contain)."""
    topic = rng.choice(TOPICS[site])
    if rng.random() < 0.3:
        title = f"Why is my {topic} still not right after {rng.randrange(2, 9)} weeks?"
    else:
        title = f"How do I fix a {topic} that {rng.choice(SYMPTOMS)}?"
    present = [title]
    paragraphs = [
        f"<p>I have had this {topic} for {rng.randrange(2, 15)} months and it "
        f"{rng.choice(SYMPTOMS)}. I tried salt &amp; pepper style quick fixes "
        f"but nothing helped.</p>"
    ]
    present.append("salt & pepper")
    if rng.random() < 0.5:
        block = code_block(rng, site)
        paragraphs.append(f"<p>I track it with a small script:</p>\n{block}")
        present.append(code_text(block).split("\n")[1].strip())
    paragraphs.append(
        f"<p>Is there a <strong>reliable</strong> way to stop this, or should I "
        f"replace the <code>{topic}</code>?</p>"
    )
    tags = "".join(f"<{t.replace(' ', '-')}>" for t in rng.sample(TOPICS[site], 2))
    return title, "\n".join(paragraphs) + "\n", tags, present


def answer(rng: random.Random, site: str) -> tuple[str, str]:
    """(body html, a sentence the cleaned text must contain)."""
    advice = rng.choice(ADVICE)
    topic = rng.choice(TOPICS[site])
    marker = f"{advice}, it worked for my {topic} after {rng.randrange(2, 40)} tries."
    form = rng.randrange(3)
    if form == 0:
        body = (
            f"<p>{marker}</p>\n<ul>\n<li>{rng.choice(ADVICE)}.</li>\n"
            f"<li>{rng.choice(ADVICE)}.</li>\n</ul>\n"
        )
    elif form == 1:
        body = (
            f"<p>{marker}</p>\n<blockquote>\n<p>{rng.choice(ADVICE)}.</p>\n</blockquote>\n"
            f'<p>See <a href="https://example.org/{site}/guide" rel="nofollow">this '
            f"guide</a> for details.</p>\n"
        )
    else:
        body = f"<p>{marker} Use <code>check(values)</code> to confirm.</p>\n"
    return body, marker


TABLE_SCORE = 1000  # above every other answer: first in the numeric order, no tie


def table_answer(rng: random.Random, site: str) -> tuple[str, list[str]]:
    """(body html of an answer with a table of <p>-wrapped cells, its rows as text)."""
    steps = [(rng.choice(TOPICS[site]), f"{rng.randrange(2, 48)} hours") for _ in range(2)]
    cells = "".join(
        f"<tr><td><p>{first}</p></td><td><p>{second}</p>\n</td></tr>\n" for first, second in steps
    )
    body = (
        "<p>Here is what I use:</p>\n<table>\n<thead><tr><th><p>Part</p></th><th><p>Time</p>"
        f"</th></tr></thead>\n<tbody>{cells}</tbody></table>\n"
    )
    return body, ["Part | Time"] + [f"{first} | {second}" for first, second in steps]


def post_row(fields: list[tuple[str, str]]) -> str:
    return "  <row " + " ".join(f'{name}="{attribute(value)}"' for name, value in fields) + " />\n"


def date(rng: random.Random, year: int) -> str:
    return (
        f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T"
        f"{rng.randrange(0, 24):02d}:{rng.randrange(0, 60):02d}:{rng.randrange(0, 60):02d}."
        f"{rng.randrange(0, 1000):03d}"
    )


def write_site(
    out_dir: str, site: str, count: int, rng: random.Random, malformed: bool, tables: random.Random
) -> dict:
    folder = os.path.join(out_dir, f"{site}.stackexchange.com")
    os.makedirs(folder, exist_ok=True)
    # plan posts in file order: answers may be deferred until after later questions
    plan: list[dict] = []
    deferred: list[dict] = []
    for index in range(count):
        title, body, tags, present = question(rng, site)
        q = {
            "type": 1,
            "title": title,
            "body": body,
            "tags": tags,
            "present": present,
            "answers": [],
            "index": index,
        }
        plan.append(q)
        plan.extend(deferred)
        deferred = []
        scores = list(rng.choice(SCORE_SETS)) if rng.random() < 0.85 else []
        rng.shuffle(scores)
        for score in scores:
            body, marker = answer(rng, site)
            a = {
                "type": 2,
                "parent": q,
                "body": body,
                "score": score,
                "marker": marker,
                "year": 1,
            }  # answered the year after the question
            q["answers"].append(a)
            (plan if rng.random() < 0.6 else deferred).append(a)
        if index == 0:
            body, rows = table_answer(tables, site)
            table = {"type": 2, "parent": q, "body": body, "score": TABLE_SCORE, "year": 1,
                     "marker": "Here is what I use:"}  # fmt: skip
            q["answers"].append(table)
            q["table_rows"] = rows
            plan.append(table)
        if index == 1:
            plan.append({"type": 5, "body": f"<p>Questions about {site} equipment.</p>\n"})
            plan.append({"type": 4, "body": f"<p>Use this tag for {site}.</p>\n"})
        if index == count // 2:
            plan.append({"type": 2, "orphan": True, "body": answer(rng, site)[0], "score": 4})
    plan.extend(deferred)
    if malformed:
        plan.insert(len(plan) // 2, {"type": "malformed"})
    truth = {
        "file": f"stackexchange/{site}.stackexchange.com/Posts.xml",
        "rows": 0,
        "questions": {},
        "orphan_answers": [],
        "tag_wiki_rows": [],
        "malformed_lines": [],
    }
    path = os.path.join(folder, "Posts.xml")
    next_id = rng.randrange(1, 20)
    for post in plan:  # ids first: a question names its accepted answer, written later
        post["id"] = next_id
        next_id += rng.randrange(1, 4)
    with open(path, "w", encoding="utf-8", newline="\r\n") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n')
        for line, post in enumerate(plan, start=3):
            if post["type"] == "malformed":
                out.write(
                    f'  <row Id="{post["id"]}" PostTypeId="2" ParentId="1" Score="1" '
                    f'Body="&lt;p&gt;an unescaped " quote breaks this row&lt;/p&gt;" />\n'
                )
                truth["malformed_lines"].append({"line": line, "id": post["id"]})
                continue
            question_index = post["parent"]["index"] if "parent" in post else post.get("index", 0)
            year = 2012 + question_index % 10 + post.get("year", 0)
            if post["type"] == 1:
                fields = [("Id", str(post["id"])), ("PostTypeId", "1")]
                if post["answers"] and rng.random() < 0.6:
                    accepted = rng.choice(post["answers"])["id"]
                    fields.append(("AcceptedAnswerId", str(accepted)))
                fields += [
                    ("CreationDate", date(rng, year)),
                    ("Score", str(rng.randrange(-2, 60))),
                    ("ViewCount", str(rng.randrange(20, 90000))),
                    ("Body", post["body"]),
                    ("OwnerUserId", str(rng.randrange(1, 9000))),
                    ("LastActivityDate", date(rng, year + 1)),
                    ("Title", post["title"]),
                    ("Tags", post["tags"]),
                    ("AnswerCount", str(len(post["answers"]))),
                    ("CommentCount", str(rng.randrange(0, 9))),
                    ("ContentLicense", "CC BY-SA 3.0"),
                ]
            elif post["type"] == 2:
                parent = 999_999 if post.get("orphan") else post["parent"]["id"]
                fields = [
                    ("Id", str(post["id"])),
                    ("PostTypeId", "2"),
                    ("ParentId", str(parent)),
                    ("CreationDate", date(rng, year)),
                    ("Score", str(post["score"])),
                    ("Body", post["body"]),
                    ("OwnerUserId", str(rng.randrange(1, 9000))),
                    ("LastActivityDate", date(rng, year + 1)),
                    ("CommentCount", str(rng.randrange(0, 9))),
                    ("ContentLicense", "CC BY-SA 4.0"),
                ]
                if post.get("orphan"):
                    truth["orphan_answers"].append(post["id"])
            else:
                fields = [
                    ("Id", str(post["id"])),
                    ("PostTypeId", str(post["type"])),
                    ("CreationDate", date(rng, 2013)),
                    ("Score", "0"),
                    ("Body", post["body"]),
                    ("CommentCount", "0"),
                    ("ContentLicense", "CC BY-SA 3.0"),
                ]
                truth["tag_wiki_rows"].append(post["id"])
            out.write(post_row(fields))
            truth["rows"] += 1
        out.write("</posts>\n")
    for post in plan:
        if post.get("type") != 1:
            continue
        ordered = sorted(post["answers"], key=lambda a: -a["score"])
        truth["questions"][f"stackexchange/{site}/{post['id']}"] = {
            "title": post["title"],
            "answer_order": [a["id"] for a in ordered],
            "answer_scores": [a["score"] for a in ordered],
            "present": post["present"] + [a["marker"] for a in ordered],
            "table_rows": post.get("table_rows", []),  # each one line "cell | cell"
        }
    return truth


def write_stackexchange(out_dir: str, scale: int, seed: int) -> dict:
    """Write every site's Posts.xml under `out_dir`; return the "stackexchange" ground truth."""
    rng = rng_for(seed, "stackexchange")
    tables = rng_for(seed, "stackexchange-tables")
    sites = {}
    for index, (site, per_scale) in enumerate(SITES.items()):
        sites[site] = write_site(
            out_dir, site, per_scale * scale, rng, malformed=index == 0, tables=tables
        )
    return {
        "sites": sites,
        "absent_markup": ABSENT_MARKUP,
        "id_scheme": "stackexchange/<site>/<question Id>",
    }
