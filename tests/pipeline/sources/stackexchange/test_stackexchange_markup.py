"""html_to_text: each convention of markup.py on an inline body, and no tag survives."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.sources.stackexchange.markup import html_to_text


def test_paragraphs_are_separated_by_one_blank_line_and_whitespace_collapses() -> None:
    html = "<p>First   one\nwraps here.</p>\n\n\n<p>Second.</p><h2>Head</h2>text<br>next"
    assert html_to_text(html) == "First one wraps here.\n\nSecond.\n\nHead\n\ntext\nnext"


def test_a_code_block_is_fenced_and_kept_verbatim_with_entities_resolved_once() -> None:
    html = (
        "<p>Try:</p><pre><code>if (a &lt; b &amp;&amp; c) {\n    x = 1;\n\n"
        "    y = &quot;&amp;lt;&quot;;\n}\n</code></pre><p>Done.</p>"
    )
    assert html_to_text(html) == (
        'Try:\n\n```\nif (a < b && c) {\n    x = 1;\n\n    y = "&lt;";\n}\n```\n\nDone.'
    )


def test_markup_inside_a_code_block_is_dropped_but_its_text_kept() -> None:
    html = "<pre><code>x = <b>1</b> <span class='k'>+</span> 2</code></pre>"
    assert html_to_text(html) == "```\nx = 1 + 2\n```"


def test_inline_code_gets_backticks() -> None:
    assert html_to_text("<p>Call <code>f(x &lt; 2)</code> now.</p>") == "Call `f(x < 2)` now."


def test_lists_keep_their_items_numbers_and_nesting() -> None:
    html = (
        "<ul><li>one</li><li>two<ol start='3'><li>three</li><li>four</li></ol></li></ul>"
        "<p>after</p>"
    )
    assert html_to_text(html) == "- one\n- two\n  3. three\n  4. four\n\nafter"


def test_an_item_with_paragraphs_and_code_indents_them_under_its_text() -> None:
    html = "<ol><li><p>Run it:</p><pre><code>make\n</code></pre></li><li>Check.</li></ol>"
    assert html_to_text(html) == "1. Run it:\n\n   ```\n   make\n   ```\n\n2. Check."


def test_blockquotes_prefix_every_line() -> None:
    html = "<p>He said:</p><blockquote><p>one</p><p>two</p></blockquote><p>end</p>"
    assert html_to_text(html) == "He said:\n\n> one\n>\n> two\n\nend"


def test_links_keep_their_text_and_optionally_the_url() -> None:
    html = '<p>See <a href="https://e.org/g" rel="nofollow">the guide</a> or <a href="https://x.org">https://x.org</a>.</p>'
    assert html_to_text(html) == "See the guide or https://x.org."
    assert html_to_text(html, link_urls=True) == (
        "See the guide (https://e.org/g) or https://x.org."
    )


def test_images_scripts_and_styles_go_and_tables_become_rows() -> None:
    html = (
        '<p>Look <img src="a.png" alt="enter image description here"> here</p>'
        "<script>var x = 1;</script><style>p {}</style>"
        "<table><tr><th>n</th><th>square</th></tr><tr><td>2</td><td>4</td></tr></table>"
    )
    assert html_to_text(html) == "Look here\n\nn | square\n2 | 4"


def test_entities_are_unescaped_exactly_once() -> None:
    assert html_to_text("<p>salt &amp; pepper &amp;amp; &#x27;q&#39; &nbsp;x</p>") == (
        "salt & pepper &amp; 'q' x"
    )


def test_escaped_markup_stays_as_the_text_its_author_wrote() -> None:
    assert html_to_text("<p>Use &lt;p&gt; for paragraphs</p>") == "Use <p> for paragraphs"


def test_unclosed_and_stray_tags_lose_no_text() -> None:
    assert html_to_text("<p>open <b>bold <li>item<pre><code>code") == (
        "open bold\n- item\n\n  ```\n  code\n  ```"
    )


TAGS = ["p", "div", "pre", "code", "ul", "ol", "li", "blockquote", "a", "b", "em", "strong",
        "h2", "table", "tr", "td", "span", "br", "hr", "img", "sup", "kbd"]  # fmt: skip
TEXT = st.text(st.characters(blacklist_characters="<>&", blacklist_categories=("Cs",)), max_size=12)


@st.composite
def fragments(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 4 and draw(st.booleans()):
            tag = draw(st.sampled_from(TAGS))
            inner = draw(fragments(depth + 1))
            attrs = ' href="https://e.org/x"' if tag == "a" else ""
            parts.append(f"<{tag}{attrs}>{inner}" + (f"</{tag}>" if draw(st.booleans()) else ""))
        else:
            parts.append(draw(TEXT).replace("&", "&amp;"))
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(fragments())
def test_no_tag_survives_and_every_word_of_text_does(html: str) -> None:
    text = html_to_text(html, link_urls=True)
    # the text has no < or >: a ">" left is a quote's prefix, followed by a space or nothing
    assert not re.search(r"<|>(?! |$)", text, re.MULTILINE)
    words = re.findall(r"\w+", re.sub(r"<[^>]*>", " ", html))
    flat = " ".join(text.split())
    for word in words:
        if word not in ("https", "e", "org", "x"):
            assert word in flat


def test_paragraphs_inside_table_cells_stay_on_the_row() -> None:
    # real HTML (Sphinx tables, many answers' tables) wraps cell text in <p>: each row was
    # broken into a line per cell and a lone "|" before this
    html = "<table><tr><th><p>From</p></th><th><p>To</p></th></tr><tr><td><p>a</p></td>"
    html += "<td><p>b</p><p>c</p></td></tr></table><p>after</p>"
    assert html_to_text(html) == "From | To\na | b c\n\nafter"
