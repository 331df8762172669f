"""The site graph's pure functions, against their plain definitions."""

from collections import Counter

from hypothesis import given, strategies as st

from broadsheet.model import SET_LEVELS_MAX_TAGS, Article, _related


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


def articles_tagged(tag_sets):
    """Return articles with these tag sets, and the tag → article indexes map."""
    articles = [Article(f"a{index}.md", f"a{index}", None, (), tuple(sorted(tags)), "published", "", None)
                for index, tags in enumerate(tag_sets)]
    by_tag = {}
    for index, article in enumerate(articles):
        for slug in article.tag_slugs:
            by_tag.setdefault(slug, []).append(index)
    return articles, by_tag


@given(st.lists(st.sets(st.sampled_from("abcdefg"), max_size=5), max_size=30))
def test_related_articles_match_their_definition(tag_sets):
    articles, by_tag = articles_tagged(tag_sets)
    assert _related(articles, range(len(articles)), by_tag) == related_by_definition(articles, by_tag)


# Issue 10: above SET_LEVELS_MAX_TAGS tags, shared tags are counted (intersecting the
# article's tag lists level by level is about 2^k intersections).
@given(st.lists(st.sets(st.sampled_from("abcdefghijklmnopq"), max_size=14), max_size=25))
def test_issue_10_related_articles_of_many_tags_match_their_definition(tag_sets):
    articles, by_tag = articles_tagged(tag_sets)
    assert _related(articles, range(len(articles)), by_tag) == related_by_definition(articles, by_tag)


def test_issue_10_related_articles_of_5000_tags_are_counted_quickly():
    tag_sets = [{f"t{i}" for i in range(5000)}, {"t1", "t2"}, {"t3"}, {"t1", "t2", "t3"}, {"x"}, set(),
                {f"t{i}" for i in range(0, 5000, 2)}]
    articles, by_tag = articles_tagged(tag_sets)
    assert len(articles[0].tag_slugs) > SET_LEVELS_MAX_TAGS
    assert _related(articles, range(len(articles)), by_tag) == related_by_definition(articles, by_tag)
    assert _related(articles, range(len(articles)), by_tag)["a0"] == (6, 3, 1)
