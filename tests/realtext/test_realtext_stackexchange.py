"""realtext.stackexchange's pure parts: FAQ sections out of Sphinx HTML, posts with scores,
rows the stage's reader parses back, and the order and word checks of its figures."""

from __future__ import annotations

import random
from pathlib import Path

from pipeline.sources.stackexchange.posts import read_range
from realtext.stackexchange import (
    Post,
    Section,
    faq_sections,
    order_check,
    post_row,
    posts_of,
    question_parts,
    visible_text,
)

PAGE = """<html><body><nav><h3>Navigation</h3></nav>
<section id="faq">
<h1>Library FAQ<a class="headerlink" href="#faq">¶</a></h1>
<p>Introduction of the page.</p>
<section id="general">
<h2>General Library Questions<a class="headerlink" href="#general">¶</a></h2>
<section id="q1">
<h3>How do I find a module?<a class="headerlink" href="#q1">¶</a></h3>
<p>Check the <a href="../index.html">index</a> first.<br/>Then search.</p>
<div class="highlight"><pre><span class="n">x</span> <span class="o">&lt;</span> 1
</pre></div>
<ul><li><p>one</p></li></ul>
</section>
<section id="q2">
<h3>Is there a <code>sort()</code>?<a class="headerlink" href="#q2">¶</a></h3>
<p>Yes &amp; no.</p>
</section>
</section>
</section>
</body></html>
"""


def test_the_innermost_sections_are_the_questions_with_their_blocks() -> None:
    first, second = faq_sections(PAGE)
    assert first.title == "How do I find a module?"
    assert [block.split(">")[0] for block in first.blocks] == [
        "<p",
        '<div class="highlight"',
        "<ul",
    ]
    assert first.blocks[1].endswith("</pre></div>")
    assert second == Section("Is there a sort()?", ["<p>Yes &amp; no.</p>"])


def test_a_question_gets_its_first_block_and_its_answers_the_rest_in_page_order() -> None:
    section = Section("Q?", ["<p>a</p>", "<p>b</p>", "<p>c</p>", "<p>d</p>"])
    for seed in range(20):
        body, answers = question_parts(section, random.Random(seed))
        assert body == "<p>a</p>"
        assert 1 <= len(answers) <= 3
        assert "\n".join(answers) == "<p>b</p>\n<p>c</p>\n<p>d</p>"
    assert question_parts(Section("Q?", ["<p>only</p>"]), random.Random(0)) == ("", ["<p>only</p>"])


def test_posts_are_in_id_order_each_question_before_its_answers_scores_fixed_by_the_seed() -> None:
    pages = {"library": PAGE}
    posts = posts_of(pages, seed=3)
    assert posts == posts_of(pages, seed=3)
    assert [p.id for p in posts] == sorted(p.id for p in posts)
    questions = [p for p in posts if p.type == 1]
    assert [q.title for q in questions] == ["How do I find a module?", "Is there a sort()?"]
    assert all(q.tags == "<python><library>" for q in questions)
    for post in posts:
        if post.type == 2:
            assert post.parent in {q.id for q in questions} and post.parent < post.id


def test_a_row_parses_back_with_the_stages_reader(tmp_path: Path) -> None:
    body = '<p>He said "no" &amp; left.</p>\n<pre><code>a &lt; b\n</code></pre>'
    question = Post(7, 1, None, 3, 'Why "x" < y?', body, "<python><faq>")
    answer = Post(8, 2, 7, 10, "", "<p>Because.</p>", "")
    rng = random.Random(0)
    path = tmp_path / "pythonfaq.stackexchange.com" / "Posts.xml"
    path.parent.mkdir()
    rows = "".join(post_row(p, rng) + "\r\n" for p in (question, answer))
    path.write_bytes(f'<?xml version="1.0" encoding="utf-8"?>\r\n<posts>\r\n{rows}</posts>\r\n'
                     .encode())  # fmt: skip
    with open(path, "rb") as stream:
        read = list(read_range(stream, str(path), 1 << 20, 0, path.stat().st_size, 0))
    assert [(p.id, p.type, p.parent, p.score) for p in read] == [(7, 1, None, 3), (8, 2, 7, 10)]
    assert read[0].body == body and read[0].title == 'Why "x" < y?'
    assert read[0].tags == "<python><faq>"


def test_visible_text_runs_inline_elements_on_and_keeps_blocks_apart() -> None:
    text = visible_text("<p><code>python<em>NN</em>.dll</code> &amp; more</p><p>next</p>")
    assert text.split() == ["pythonNN.dll", "&", "more", "next"]


def test_the_order_check_wants_numeric_order_and_says_when_strings_would_differ() -> None:
    answers = {1: [Post(2, 2, 1, 2, "", "", ""), Post(3, 2, 1, 10, "", "", ""),
                   Post(4, 2, 1, 9, "", "", "")]}  # fmt: skip
    numeric = {"id": "d", "meta": {"question_id": 1, "answer_ids": [3, 4, 2]}}
    as_strings = {"id": "d", "meta": {"question_id": 1, "answer_ids": [4, 2, 3]}}
    assert order_check(numeric, answers) == {"id": "d", "answers": 3, "numeric": True,
                                             "string_differs": True}  # fmt: skip
    assert order_check(as_strings, answers)["numeric"] is False
