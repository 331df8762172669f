"""The Markdown dialect, summaries, slugs and path containment, tested with strings."""

import re
from pathlib import Path

from hypothesis import given, strategies as st

from broadsheet.load import slugify
from broadsheet.markup import MarkdownRenderer, count_words, cut_at_word, first_paragraph, reading_minutes
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
