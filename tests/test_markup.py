"""The Markdown dialect, summaries, slugs and path containment, tested with strings."""

import re
import time
from xml.etree import ElementTree as etree
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from conftest import NESTS_EMPHASIS

from broadsheet.load import slugify
from broadsheet.markup import (MAX_NESTING, MarkdownRenderer, MarkupError, count_words, cut_at_word,
                               first_paragraph, reading_minutes)
from broadsheet.output import OutputFolder
from broadsheet.routes import is_contained, out_path_for
from broadsheet.source import parse_document

md = MarkdownRenderer()


def test_figure_with_caption_and_credit():
    html = md.render('![Sandbags at the quay](/images/s.svg "Eastgate Quay on Saturday. | Photo: Lena Brandt")\n').html
    assert html == ('<figure class="figure"><img alt="Sandbags at the quay" src="/images/s.svg">'
                    '<figcaption>Eastgate Quay on Saturday. <span class="credit">Photo: Lena Brandt</span>'
                    '</figcaption></figure>')


def test_figure_caption_only_and_inline_images_stay_inline():
    assert "<figcaption>Just a caption</figcaption>" in md.render('![a](x.png "Just a caption")').html
    inline = md.render("Text with ![icon](i.png) inside.").html
    assert "<figure" not in inline and '<img alt="icon" src="i.png">' in inline


def test_tables_footnotes_and_typographic_quotes():
    html = md.render('"Quoted" -- it\'s[^1]\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[^1]: A note.\n').html
    assert "“Quoted” – it’s" in html
    assert "<table>" in html and "<td>2</td>" in html
    assert 'class="footnote"' in html and "A note." in html


def test_typography_follows_context_and_spares_code():
    cases = {
        '"*Emph*" and ("paren") and \'single\' quotes': "“<em>Emph</em>” and (“paren”) and ‘single’ quotes",
        "the '90s... --- end": "the ’90s… — end",
        'rock \'n\' roll; "[link](x)" ok': 'rock ‘n’ roll; “<a href="x">link</a>” ok',
        '`code "q"` and "after"': '<code>code "q"</code> and “after”',
    }
    for source, expected in cases.items():
        assert md.render(source).html == f"<p>{expected}</p>", source


def test_fenced_code_is_highlighted_with_css_classes():
    html = md.render("```python\nprint('hi')\n```\n").html
    assert '<div class="highlight">' in html
    assert '<span class="nb">print</span>' in html
    assert "style=" not in html


def test_headings_get_anchors():
    html = md.render("## Where the money goes\n").html
    assert html.startswith('<h2 id="where-the-money-goes">Where the money goes<a class="headerlink" '
                           'href="#where-the-money-goes"')


def test_url_resolver_sees_links_and_images():
    seen = []

    def resolve(url):
        seen.append(url)
        return "/news" + url if url.startswith("/") else url

    html = md.render("[About](/about/) ![x](/i.png) [ext](https://e.org/) [frag](#top)", resolve).html
    assert seen == ["/about/", "/i.png", "https://e.org/", "#top"]
    assert 'href="/news/about/"' in html and 'src="/news/i.png"' in html and 'href="https://e.org/"' in html


def test_converter_state_does_not_leak_between_documents():
    md.render("Text[^1]\n\n[^1]: first doc note\n")
    assert "first doc note" not in md.render("Plain.").html


def test_first_paragraph_skips_footnote_markers_and_tags():
    assert first_paragraph('<h2>x</h2><p>The <em>council</em> voted<sup id="fnref:1">1</sup>.</p><p>b</p>') == \
        "The council voted."


def test_cut_at_word():
    assert cut_at_word("short") == "short"
    cut = cut_at_word("word " * 100, limit=22)
    assert cut == "word word word word…"
    assert len(cut) <= 23


def test_reading_time_and_words():
    assert count_words("The council's vote, on Tuesday.") == 5
    assert reading_minutes(10) == 1 and reading_minutes(230 * 4) == 4


@given(st.text())
def test_slugify_yields_only_slug_characters_and_is_idempotent(text):
    slug = slugify(text)
    assert re.fullmatch(r"([a-z0-9]+(-[a-z0-9]+)*)?", slug)
    assert slugify(slug) == slug


def test_slugify_examples():
    assert slugify("Middle East") == slugify("middle east") == "middle-east"
    assert slugify("Café au lait: 3 ways!") == "cafe-au-lait-3-ways"
    assert slugify("../../etc/passwd") == "etc-passwd"


@given(st.text(min_size=1))
def test_every_planned_out_path_from_a_slug_stays_inside(tmp_path_factory, text):
    slug = slugify(text) or "x"
    out_path = out_path_for(f"/articles/{slug}/")
    assert is_contained(out_path)
    root = tmp_path_factory.getbasetemp() / "contain"
    assert (root / out_path).resolve().is_relative_to(root.resolve())


def test_is_contained_rejects_escapes():
    for bad in ("../x", "a/../../x", "/etc/passwd", "a\\..\\x", ""):
        assert not is_contained(bad), bad
    assert is_contained("a/b/index.html")


def test_output_folder_refuses_symlink_escape(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "site" / "output"
    (tmp_path / "site").mkdir()
    folder = OutputFolder.claim(out, tmp_path / "site")
    (out / "static").symlink_to(outside, target_is_directory=True)
    try:
        folder.write_bytes("static/x.css", b"x")
    except Exception as exc:  # BroadsheetError
        assert "outside the output folder" in str(exc)
    else:
        raise AssertionError("wrote through a symlink")
    assert list(outside.iterdir()) == []


@given(st.dictionaries(st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True),
                       st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=20),
                       min_size=1, max_size=6))
def test_front_matter_round_trip_and_key_lines(fields):
    import json

    lines = ["---"] + [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items()] + ["---", "Body."]
    doc = parse_document("\n".join(lines), "content/articles/x.md")
    assert dict(doc.meta) == fields
    for number, key in enumerate(fields, start=2):
        assert doc.key_lines[key] == number
    assert doc.body == "Body." and doc.body_line == len(fields) + 3


# --- issue 10: no recursion, no blow-up ----------------------------------------------------

NESTED = {  # each converted in more than 6 s, or died of a RecursionError, before issue 10
    "2,000 nested blockquotes": ("> " * 2000 + "deep\n", 1, "blockquotes, lists or indentation nested 2000 levels deep (at most 20)"),
    "a blockquote deeper on each line": ("".join(">" * i + " x\n" for i in range(1, 2001)), 21,
                                         "blockquotes, lists or indentation nested 21 levels deep (at most 20)"),
    "2,000 nested list items": ("".join("    " * i + "- item\n" for i in range(2000)), 21,
                                "blockquotes, lists or indentation nested 21 levels deep (at most 20)"),
    "2,000 list markers on a line": ("- " * 2000 + "x\n", 1, "blockquotes, lists or indentation nested 2000 levels deep (at most 20)"),
    "2,000 '*' around a word": ("*" * 2000 + "x" + "*" * 2000 + "\n", 1,
                                "lists, quotes, emphasis or links nested more than 64 levels deep in all"),
    "2,000 '*' opening words": ("Intro.\n\n" + "*a " * 2000 + "b*" * 2000 + "\n", 3,
                                "lists, quotes, emphasis or links nested more than 64 levels deep in all"),
    "5,000 '['": ("Intro.\n\n" + "[" * 5000 + "\n", 3, "too many nested or unclosed '[' in this paragraph"),
    "a 1 MB line of emphasis": ("*word* " * 150000 + "\n", 1, "a paragraph of 1,050,000 characters with 300,000 marks "
                                "('*', '_', '`', '[', '<', '&', '\\') is too long to convert"),
}


@pytest.mark.parametrize("text, line, message", NESTED.values(), ids=NESTED.keys())
def test_issue_10_pathological_markdown_is_an_error_at_its_line(text, line, message):
    started = time.monotonic()
    if not NESTS_EMPHASIS and "emphasis" in message:
        assert _depth(etree.fromstring(f"<div>{md.render(text).html}</div>")) <= 4
    else:
        with pytest.raises(MarkupError) as info:
            md.render(text)
        assert (info.value.line, info.value.message) == (line, message)
    assert time.monotonic() - started < 5  # generous: each takes well under 0.5 s


def _depth(element) -> int:
    return 1 + max((_depth(child) for child in element), default=0)


def test_issue_10_nesting_at_the_limit_converts_and_the_converter_still_works():
    quotes = "> " * MAX_NESTING + "deep\n"
    assert md.render(quotes).html.count("<blockquote>") == MAX_NESTING
    items = "".join("    " * i + "- item\n" for i in range(MAX_NESTING))
    assert md.render(items).html.count("<li>") == MAX_NESTING
    assert md.render("*" * 20 + "x" + "*" * 20).html.count("<strong>") == (10 if NESTS_EMPHASIS else 5)
    if NESTS_EMPHASIS:
        with pytest.raises(MarkupError):
            md.render("*" * 2000 + "x" + "*" * 2000)
    assert md.render('"Fine" -- again').html == "<p>“Fine” – again</p>"


def test_issue_10_deep_indentation_in_code_and_fences_is_not_nesting():
    code = "    " + " " * 400 + "indented code\n\n```\n" + "> " * 500 + "\n" + "- " * 500 + "x\n```\n"
    html = md.render(code).html
    assert "indented code" in html and "&gt; &gt;" in html
    assert md.render("- - - - - - - - - - - - - - - - - - - - - - - - - -\n").html == "<hr>"


def test_issue_10_a_1_mb_line_of_prose_converts_in_linear_time():
    started = time.monotonic()
    html = md.render("word " * 200000 + "\n").html
    assert len(html) == 1000007
    assert time.monotonic() - started < 10  # 0.5 s here


def test_issue_10_typography_walk_reaches_deep_trees_without_recursion():
    # The walk was recursive: a tree 5,000 levels deep exhausted Python's stack.
    import xml.etree.ElementTree as etree
    from broadsheet.markup import _TypographyProcessor
    root = etree.Element("div")
    root.text = '"a" '
    element = root
    for _ in range(5000):
        element = etree.SubElement(element, "em")
        element.text = "it's "
        element.tail = ' "b"'
    _TypographyProcessor(None).run(root)
    assert root.text == "“a” " and element.text == "it’s " and element.tail == " “b”"
    assert root[0].tail == " “b”"
