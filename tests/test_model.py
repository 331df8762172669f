"""The site graph's pure functions, against their plain definitions."""

from collections import Counter
from types import SimpleNamespace

from hypothesis import given, strategies as st

from broadsheet.model import Article, _related


def related_by_definition(articles, by_tag):
    """Most shared tags, then newest (lowest index), at most three: compare every pair."""
    result = {}
    for index, article in enumerate(articles):
        shared = Counter()
        for slug in article.tag_slugs:
            shared.update(by_tag[slug])
        shared.pop(index, None)
        best = sorted(shared.items(), key=lambda item: (-item[1], item[0]))[:3]
        result[article.slug] = tuple(i for i, _ in best)
    return result


@given(st.lists(st.sets(st.sampled_from("abcdefg"), max_size=5), max_size=30))
def test_related_articles_match_their_definition(tag_sets):
    articles = [Article(SimpleNamespace(slug=f"a{index}"), (), tuple(sorted(tags)), "published")
                for index, tags in enumerate(tag_sets)]
    by_tag = {}
    for index, article in enumerate(articles):
        for slug in article.tag_slugs:
            by_tag.setdefault(slug, []).append(index)
    assert _related(articles, by_tag) == related_by_definition(articles, by_tag)
