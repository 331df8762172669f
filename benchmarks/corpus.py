#!/usr/bin/env python3
"""Deterministic generator of a realistic news-site corpus for Broadsheet benchmarks.

    python3 benchmarks/corpus.py DIR --articles N [--seed S] [--force]

writes a complete site folder:

    DIR/config.yaml                              title, base_url, timezone, paginate
    DIR/content/authors/<id>.md                  40 author profiles
    DIR/content/articles/<yyyy>/<slug>.md        N articles, dated 2022-01-01 .. 2025-12-31
    DIR/content/pages/{about,contact}.md         standalone pages
    DIR/content/images/authors/<id>.svg          one small avatar per author
    DIR/content/images/heroes/hero-NN.svg        50 shared hero images

Articles have 500-1,200 words of news-like prose built from word lists and sentence
templates (quotes with "said", numbers, place names), 2-5 `##` sub-headings, a list in
most, a blockquote in some, external and internal links (internal ones only to pages
that exist), bold and italic, and now and then a table, a fenced code block or a figure.
Front matter: title, subtitle, date (naive "YYYY-MM-DD HH:MM", Europe/Berlin, never in
the future), sometimes `updated`, 1-2 authors with a skewed distribution, 3-5 tags from
300 with a Zipf-like long tail, a hero `image` mapping, sometimes `summary` and `credits`.
The corpus is meant to build with zero warnings.

Standard library only. The same arguments always give byte-identical files: one seeded
`random.Random`, no clock, no set or hash ordering.

For a benchmark driver:

    from corpus import generate, article_paths, edit_body, edit_title
    generate(site_dir, 4000, seed=1)
    path = article_paths(site_dir)[123]
    edit_body(path, 1)    # replaces one word of the body (never the first paragraph,
                          # which may be the summary; the word count stays the same)
    edit_title(path, 1)   # retitles: "<title> (update 1)"; slug (file name) unchanged
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
import shutil
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from random import Random

__all__ = ["generate", "article_paths", "edit_body", "edit_title", "body_words"]

AUTHOR_COUNT = 40
HERO_COUNT = 50
TAG_COUNT = 300
FIRST_DAY = datetime(2022, 1, 1)
DAYS = 4 * 365  # last possible date: 2025-12-31
BASE_URL = "https://bench.example.org/"
SENTENCE_POOL = 30_000

# ---------------------------------------------------------------------------------
# Word banks
# ---------------------------------------------------------------------------------

PLACES = (
    "Millbrook", "Harwick", "Northfield", "Eastgate", "Southbank", "Westmoor", "Kingsmere",
    "Ashford Vale", "Castle Hill", "Redcliffe", "Ferrybridge", "Oakham Cross", "Linden Park",
    "Stonebridge", "Marlow End", "Hollins", "Brackenford", "Wendover Quay", "Greyfriars",
    "St Aldric", "Coldwater", "Elmstead", "Fairhaven", "Pennington", "Rowley Green",
    "Berlin", "Hamburg", "Leipzig", "Rotterdam", "Lisbon", "Vienna", "Copenhagen", "Lyon",
    "Gdansk", "Bologna", "Nairobi", "Accra", "Montreal", "Osaka", "Valparaiso", "Porto",
)
STREETS = (
    "Station Road", "Mill Street", "Harbour Road", "Chapel Lane", "Castle Road", "Bridge Street",
    "Guildhall Square", "Ferry Lane", "Northfield Parade", "Quay Street", "Market Place",
    "Foundry Lane", "Church Walk", "Riverside Drive", "Kingsway", "Tanners Row",
)
FIRST_NAMES = (
    "Mara", "Daniel", "Priya", "Lena", "Tomasz", "Aisha", "Jonas", "Fatima", "Oliver", "Chen",
    "Sofia", "Kwame", "Ingrid", "Rafael", "Hannah", "Yusuf", "Claire", "Mateo", "Nadia",
    "Henrik", "Grace", "Ibrahim", "Elena", "Marcus", "Amara", "Lukas", "Zoe", "Samuel",
    "Leila", "Patrick", "Noor", "Felix", "Joanne", "Viktor", "Ruth", "Dev", "Agnes", "Tariq",
    "Beatrix", "Emeka", "Freya", "Hugo", "Ines", "Kofi", "Margit", "Pavel", "Rosa", "Sven",
)
LAST_NAMES = (
    "Okafor", "Whitcombe", "Natarajan", "Brandt", "Kowalski", "Rahman", "Lindqvist", "Haddad",
    "Fenn", "Wei", "Moreau", "Mensah", "Halvorsen", "Duarte", "Adebayo", "Petrakis", "Novak",
    "Schreiber", "Castellano", "Byrne", "Achterberg", "Oyelaran", "Marchetti", "Sato",
    "Ferreira", "Quinn", "Holloway", "Varga", "Eriksen", "Baptiste", "Nakamura", "O'Neill",
    "Delacroix", "Mwangi", "Sorensen", "Abbasi", "Kruger", "Lefebvre", "Tan", "Whitaker",
)
ROLES = (
    "Senior Reporter", "City Hall Correspondent", "Data Editor", "Features Writer",
    "Health Correspondent", "Education Reporter", "Courts Reporter", "Business Editor",
    "Transport Reporter", "Environment Correspondent", "Arts Critic", "Sports Writer",
    "Political Editor", "Investigations Editor", "Photographer", "Science Writer",
    "Housing Reporter", "Europe Correspondent", "Night Editor", "Columnist",
)
BEATS = (
    "city hall and planning", "the courts", "schools and universities", "hospitals and public health",
    "transport", "the river and the climate", "local business", "housing", "arts and culture",
    "sport", "data and investigations", "science and technology", "regional politics",
    "crime and policing", "energy", "the European Union",
)
PREVIOUS = (
    "a regional news agency", "a national broadsheet", "a public broadcaster", "a wire service",
    "a trade magazine", "a parliamentary news service", "a local radio station",
    "a university newspaper", "a data journalism start-up", "a business weekly",
)
ORGS = (
    "the city council", "the regional health authority", "the transport authority",
    "the chamber of commerce", "the teachers' union", "the housing association",
    "the environment agency", "the police", "the federal statistics office",
    "the water company", "the university", "the regional court", "the fire service",
    "the tenants' association", "the port authority", "the energy regulator",
    "the ministry of finance", "the residents' group", "the hospital trust",
    "the cycling campaign", "the rail operator", "the opposition party",
)
SUBJECTS = (
    "The council", "The city's transport department", "The regional government",
    "Local business owners", "The opposition", "Police", "Residents", "The ministry",
    "Union leaders", "The company", "Investors", "Teachers", "Campaigners", "Prosecutors",
    "Environmental groups", "Hospital managers", "The mayor", "Planning officers",
    "The water company", "Landlords", "Parents", "The rail operator", "Economists",
    "Council officials", "The health authority", "Shop owners", "Tenants", "Researchers",
    "The fire service", "Farmers", "Lawmakers", "The university",
)
VERBS = (
    "approved", "rejected", "delayed", "announced", "criticised", "defended", "published",
    "questioned", "welcomed", "postponed", "unveiled", "scrapped", "revised", "confirmed",
    "challenged", "backed", "opposed", "outlined", "signed off", "put forward", "reviewed",
    "paused", "endorsed", "abandoned", "funded",
)
VERBS_PRESENT = (
    "approves", "rejects", "delays", "announces", "backs", "scraps", "revives", "unveils",
    "pauses", "defends", "weighs", "reviews", "drops", "expands", "halts",
)
VERBS_BASE = (
    "cut", "expand", "close", "review", "rebuild", "reopen", "sell", "delay", "rethink",
    "fund", "scrap", "extend", "overhaul", "investigate", "cap",
)
PLANS = (
    "rebuild the {place} bridge", "expand the tram network to {place}", "close two primary schools",
    "raise parking charges in the city centre", "build 1,200 homes on the former rail yard",
    "turn {street} into a pedestrian zone", "cut bus services after 9pm",
    "merge the {place} and {place2} fire stations", "install solar panels on every school roof",
    "replace the {place} swimming pool", "introduce a tourist tax", "sell the old town hall",
    "extend library opening hours", "plant 10,000 street trees", "move the weekly market to {street}",
    "raise the height limit for new buildings", "reopen the {place} railway line",
    "ban heavy lorries from {street}", "double the number of cycle lanes", "close the night shelter",
    "cap rents on council-owned flats", "build a new flood wall along {street}",
    "outsource bin collections", "reduce the speed limit to 30 km/h", "fund free school meals",
)
OBJECTS = (
    "the budget for next year", "a report on {topic}", "new rules on {topic}", "the proposal",
    "a review of {topic}", "the final accounts", "an emergency motion", "the new contract",
    "a five-year strategy for {topic}", "the inspectors' findings",
)
PLANS_SHORT = (
    "bridge repairs", "tram extension", "school closures", "parking charges", "housing scheme",
    "pedestrian zone", "night buses", "fire station merger", "solar programme", "pool rebuild",
    "tourist tax", "town hall sale", "library hours", "tree planting", "market move",
    "flood wall", "rent cap", "speed limit", "bin contract", "cycle lanes", "budget cuts",
    "stadium plan", "hospital wing", "river clean-up", "airport expansion",
)
TOPICS = (
    "air quality", "school attendance", "waiting times", "rental prices", "bus punctuality",
    "energy bills", "river pollution", "youth unemployment", "knife crime", "housing supply",
    "childcare costs", "road safety", "broadband coverage", "tourism", "the night-time economy",
    "food banks", "flood risk", "teacher shortages", "ambulance response times", "recycling rates",
)
TIMES = (
    "on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "at the weekend",
    "last week", "earlier this month", "in March", "in the spring", "after a three-hour debate",
    "late on Friday", "this year", "last year", "in a statement", "at a packed public meeting",
    "after months of negotiations", "on the second attempt", "without a vote", "in October",
)
CLAUSES = (
    "a move that surprised many residents", "despite objections from {org}",
    "saying the decision could not wait", "according to documents seen by this newspaper",
    "ending a dispute that began in {year}", "after pressure from {org}",
    "although the details are still unclear", "a decision that could cost {money}",
    "the first time it has done so since {year}", "even though {org} had warned against it",
    "citing rising costs", "in a vote of {n} to {m}", "with little debate",
    "leaving {org} to find the money elsewhere", "which opponents called rushed",
)
FACTS = (
    "the number of applications has fallen for three years in a row",
    "the project is already {pct} over budget", "about {n:,} households will be affected",
    "costs have risen by {pct} since {year}", "the scheme will be reviewed in {fyear}",
    "the work is expected to take {k} months", "nobody was hurt", "the plans had been drawn up in secret",
    "the decision can still be appealed", "fewer than half of the promised homes have been built",
    "{org} has not responded to requests for comment", "the trial will run until {fyear}",
    "the figures do not include {place}", "the deficit stands at {money}",
    "some {pct} of respondents supported the plan", "the site has been empty since {year}",
    "demand has nearly doubled since {year}", "the contract is worth {money}",
)
QUOTE_A = (
    "We have been waiting for this for years", "Nobody told us anything until the letters arrived",
    "This is not about money, it is about trust", "The numbers simply do not add up",
    "I have lived here all my life and I have never seen anything like it",
    "We are listening, and we will get this right", "It is a good start, but it is only a start",
    "People are angry, and they have every right to be", "We did everything that was asked of us",
    "The evidence is clear", "Frankly, it is a mess", "This will change the city for a generation",
    "We cannot keep doing the same thing and expecting a different result",
    "Our members are exhausted", "I understand why people are worried",
    "There is no plan B", "It was the right decision at the time",
    "We will look at every option", "Some days it feels like nobody is in charge",
    "The money has to come from somewhere",
)
QUOTE_B = (
    "", "", "", " and we will keep saying so", " and that has to change",
    " and I think most people know that", ", whatever the council says",
    " and we owe it to the next generation", ", but we are not there yet",
    ". We need answers", ". It really is that simple", ". Nobody wins from this",
)
PERSON_ROLES = (
    "a spokesperson for {org}", "who has lived in {place} for {k} years", "the head of {org}",
    "a councillor for {place}", "a nurse at {place} General Hospital", "who runs a café on {street}",
    "a professor of economics at the University of {place}", "the chair of {org}",
    "a retired teacher", "a delivery driver from {place}", "a local shop owner",
    "the council's cabinet member for transport", "a lawyer representing the families",
    "a father of three from {place}", "the director of a charity in {place}",
)
SHORT_SENTENCES = (
    "That may change.", "Not everyone agrees.", "The vote was close.", "It did not last.",
    "The mood has shifted.", "Nobody expected that.", "The timing is awkward.",
    "The details matter.", "It is not the first time.", "Others are less sure.",
    "The deadline has already passed twice.", "Money is the sticking point.",
    "The consultation closes next month.", "Critics were unimpressed.",
)
HEADINGS = (
    "What happens next", "The background", "Reaction in {place}", "{Topic} in numbers",
    "Why it matters", "A long-running dispute", "Who pays", "What residents say", "The cost",
    "Questions remain", "How we got here", "The view from {street}", "A divided council",
    "What the figures show", "Looking ahead", "The legal position", "Winners and losers",
    "Not the first time", "Counting the cost", "The opposition responds", "On the ground",
    "What the report says", "Timeline", "A closer look at {topic}", "The national picture",
)
HEADLINES = (
    "{Place} council {vpres} plan to {plan}",
    "{Org} to {vbase} {plan_short} after {event}",
    "{n:,} {people} {affected} as {event}",
    "Why {place} is struggling with {topic}",
    "{Group} warn of {topic} crisis in {place}",
    "How {plan_short} divided {place}",
    "{Place}'s {plan_short} faces {problem}",
    "{Place} {vpres} {plan_short} despite protests",
    "Inside the fight over {plan_short} in {place}",
    "{Topic}: what the new figures say about {place}",
    "{Org} {vpres} {plan_short} for {place}",
    "{Place} residents fight {plan_short} on {street}",
    "The {plan_short} that {place} forgot",
    "{Pct} rise in {topic} puts pressure on {place}",
    "{Place} {plan_short} delayed until {year2}",
)
EVENTS = (
    "costs soar", "the budget vote fails", "a court ruling", "months of protests", "a damning audit",
    "the storm", "the strike ends", "the election", "a data leak", "the consultation closes",
    "the contractor collapses", "flooding returns", "the inspection",
)
PEOPLE = ("households", "commuters", "patients", "pupils", "tenants", "workers", "families", "passengers")
AFFECTED = ("face delays", "lose out", "are affected", "wait longer", "pay more", "are left stranded")
GROUPS = ("Doctors", "Teachers", "Landlords", "Campaigners", "Economists", "Firefighters",
          "Residents", "Scientists", "Business leaders", "Unions")
PROBLEMS = ("fresh delays", "a legal challenge", "a funding gap", "a backlash", "an uncertain future",
            "new scrutiny", "a review", "rising costs")
CREDITS = (
    "Two news agencies contributed to this report.",
    "Additional reporting by {person}.",
    "Data: {Org_title} open data portal, retrieved by the newsroom.",
    "This article was produced in partnership with {place} Public Radio.",
    "Reporting by {person}; editing by {person2}.",
    "A wire service contributed to this report.",
)
AGENCIES = ("Wire Photos", "Northern Press Images", "Metro Picture Desk", "Continental Photo Agency")
CODE_SNIPPETS = (
    ("python", "import csv\n\nwith open(\"departures.csv\") as f:\n    rows = list(csv.DictReader(f))\n"
               "late = [r for r in rows if int(r[\"delay_min\"]) >= 6]\n"
               "print(f\"{len(late) / len(rows):.1%} of departures were late\")"),
    ("sql", "SELECT route, COUNT(*) AS departures,\n       AVG(delay_min) AS avg_delay\n"
            "FROM departures\nWHERE service_date >= '2024-01-01'\nGROUP BY route\nORDER BY avg_delay DESC;"),
    ("r", "library(dplyr)\nreadings <- read.csv(\"air_quality.csv\")\nreadings %>%\n"
          "  group_by(station) %>%\n  summarise(mean_no2 = mean(no2, na.rm = TRUE))"),
    ("bash", "curl -s https://data.example.org/api/v1/budget.csv \\\n  | csvcut -c department,2024,2025 \\\n"
             "  | csvsort -c 2025 -r | head"),
)
REPLACEMENT_WORDS = (
    "council", "budget", "river", "station", "market", "school", "report", "district", "harbour",
    "project", "tenant", "bridge", "museum", "library", "contract", "hospital", "garden", "street",
    "meeting", "survey", "worker", "theatre", "village", "factory",
)

GENERAL_TAGS = (
    "Politics", "City Hall", "Transport", "Housing", "Health", "Education", "Climate", "Business",
    "Economy", "Courts", "Crime", "Environment", "Data", "Opinion", "Arts", "Sport", "Community",
    "Elections", "Energy", "Science", "Technology", "Jobs", "Weather", "Floods", "Culture", "Music",
    "Football", "Planning", "Budget", "Schools", "Universities", "Hospitals", "Police", "Tourism",
    "Analysis", "Investigations", "Europe", "World", "Food", "Theatre", "Film", "Books",
    "Cycling", "Rail", "Buses", "Trams", "Roads", "Parking", "Air Quality", "Water", "Heritage",
    "Libraries", "Museums", "Parks", "Religion", "Immigration", "Labour", "Strikes", "Unions",
    "Retail", "Property", "Rents", "Homelessness", "Social Care", "Mental Health", "Public Health",
    "Childcare", "Youth", "Pensions", "Taxes", "Inflation", "Banking", "Startups", "Agriculture",
    "Fishing", "Ports", "Aviation", "Shipping", "Biodiversity", "Wildlife", "Recycling",
    "Solar Power", "Wind Power", "Heat Pumps", "Broadband", "Cybersecurity", "Privacy",
    "Artificial Intelligence", "Space", "Astronomy", "Archaeology", "History", "Obituaries",
    "Interviews", "Reviews", "Explainers", "Fact Checks", "Corrections", "Photography", "Podcasts",
    "Middle East", "Africa", "Asia", "Americas", "Nordic Countries", "Balkans", "Eurozone",
    "Basketball", "Tennis", "Athletics", "Rowing", "Swimming", "Olympics", "Chess", "Esports",
    "Fashion", "Design", "Architecture", "Gardening", "Pets", "Travel", "Nightlife", "Festivals",
    "Jazz", "Classical Music", "Opera", "Dance", "Comedy", "Television", "Radio", "Media",
    "Local Democracy", "Freedom of Information", "Accessibility", "Disability", "Ageing",
    "Family", "Gender", "Race and Equality", "LGBTQ+ Rights", "Human Rights", "Courts and Justice",
    "Prisons", "Fire Service", "Emergency Services", "Road Safety", "Drought", "Heatwave",
    "Storms", "Coastal Erosion", "Rivers", "Forests", "Pollution", "Noise", "Waste",
)
PLACE_TAG_SUFFIXES = ("", " Council", " Schools", " Transport", " Housing", " Elections", " Hospital")


def _tag_list() -> tuple[str, ...]:
    """300 tags with distinct slugs, general topics first (their rank sets their frequency)."""
    tags: list[str] = []
    seen: dict[str, bool] = {}

    def add(tag: str) -> None:
        slug = slugify(tag)
        if slug and slug not in seen and len(tags) < TAG_COUNT:
            seen[slug] = True
            tags.append(tag)

    for tag in GENERAL_TAGS:
        add(tag)
    for suffix in PLACE_TAG_SUFFIXES:
        for place in PLACES:
            add(place + suffix)
    for plan in PLANS_SHORT:
        add(plan[0].upper() + plan[1:])
    for topic in TOPICS:
        add(topic[0].upper() + topic[1:])
    if len(tags) != TAG_COUNT:  # pragma: no cover - word banks too small
        raise AssertionError(f"only {len(tags)} distinct tags")
    return tuple(tags)


def slugify(text: str) -> str:
    """Like the engine's slugify for ASCII text: `[a-z0-9]` runs joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 '+-]*[A-Za-z0-9+]")
_YAML_WORDS = ("yes", "no", "on", "off", "true", "false", "null", "y", "n")


def _plain_or_q(text: str) -> str:
    """`text` unquoted when YAML reads it back as the same string (also in a flow list)."""
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return _q(text)


class _Zipf:
    """Draw indexes 0..n-1 with weight 1/(rank+1)**s."""

    def __init__(self, n: int, s: float):
        total, cumulative = 0.0, []
        for rank in range(n):
            total += 1.0 / (rank + 1) ** s
            cumulative.append(total)
        self.cumulative = [c / total for c in cumulative]

    def draw(self, u: float) -> int:
        return min(bisect.bisect_left(self.cumulative, u), len(self.cumulative) - 1)


# ---------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------


class _Writer:
    def __init__(self, seed: int):
        self.rng = Random(seed)
        self.r = self.rng.random
        # Body paragraphs draw from a pool of pre-made sentences: one random number per
        # sentence instead of a dozen keeps 10,000 articles within seconds. Links,
        # emphasis and every other block are still made fresh for each article.
        self.pool = [self.sentence() for _ in range(SENTENCE_POOL)]
        self.pool_words = [len(p.split()) for p in self.pool]

    # -- primitives ---------------------------------------------------------------

    def pick(self, seq):
        return seq[int(self.r() * len(seq))]

    def chance(self, p: float) -> bool:
        return self.r() < p

    def between(self, lo: int, hi: int) -> int:
        """An integer in lo..hi inclusive."""
        return lo + int(self.r() * (hi - lo + 1))

    def money(self) -> str:
        currency = self.pick(("€", "€", "€", "£", "$"))
        if self.chance(0.6):
            return f"{currency}{self.between(1, 99)}.{self.between(1, 9)}m"
        return f"{currency}{self.between(12, 950):,},000"

    def pct(self) -> str:
        if self.chance(0.5):
            return f"{self.between(2, 68)}%"
        return f"{self.between(1, 40)}.{self.between(1, 9)}%"

    def fill(self, template: str) -> str:
        """Fill `{slot}`s; only the slots a template names draw random numbers."""
        if "{" not in template:
            return template
        return template.format_map(_Slots(self))

    def person(self) -> str:
        return f"{self.pick(FIRST_NAMES)} {self.pick(LAST_NAMES)}"

    # -- prose ------------------------------------------------------------------------

    def quote_sentence(self) -> str:
        quote = self.pick(QUOTE_A) + self.pick(QUOTE_B)
        who = self.person()
        role = self.fill(self.pick(PERSON_ROLES))
        form = self.between(0, 4)
        if form == 0:
            return f"\"{quote},\" said {who}, {role}."
        if form == 1:
            return f"\"{quote},\" {who} said."
        if form == 2:
            return f"{who}, {role}, said: \"{quote}.\""
        if form == 3:
            return f"\"{quote},\" said {who}. \"{self.pick(QUOTE_A)}.\""
        return f"{self.pick(SUBJECTS)} said {self.fill(self.pick(FACTS))}."

    def sentence(self) -> str:
        kind = self.between(0, 11)
        if kind <= 1:
            what = self.between(0, 5)
            if what <= 1:
                obj = "a plan to " + self.fill(self.pick(PLANS))
            elif what == 2:
                obj = "funding for the " + self.pick(PLANS_SHORT)
            else:
                obj = self.fill(self.pick(OBJECTS))
            s = f"{self.pick(SUBJECTS)} {self.pick(VERBS)} {obj} {self.pick(TIMES)}"
            if self.chance(0.5):
                s += ", " + self.fill(self.pick(CLAUSES))
            return s + "."
        if kind == 2:
            return self.quote_sentence()
        if kind == 3:
            return f"According to {self.pick(ORGS)}, {self.fill(self.pick(FACTS))}."
        if kind == 4:
            return self.pick(SHORT_SENTENCES)
        if kind == 5:
            return (f"About {self.between(200, 90_000):,} people {self.pick(('used the service', 'signed the petition', 'applied', 'attended', 'were on the waiting list', 'responded to the survey'))} "
                    f"in {self.between(2018, 2025)}, {self.pct()} {self.pick(('more', 'fewer'))} than the year before.")
        if kind == 6:
            return f"In {self.pick(PLACES)}, {self.pick(SUBJECTS).lower()} {self.pick(VERBS)} the {self.pick(PLANS_SHORT)} {self.pick(TIMES)}."
        if kind == 7:
            return f"{_cap(self.fill(self.pick(FACTS)))}, but {self.fill(self.pick(FACTS))}."
        if kind == 8:
            return (f"The {self.pick(PLANS_SHORT)} will cost {self.money()} and is expected to be "
                    f"completed by {self.between(2026, 2031)}, {self.pick(('officials said', 'the council said', 'according to the plans', 'if it goes ahead'))}.")
        if kind == 9:
            return f"The figure is up from {self.between(12, 9_000):,} in {self.between(2010, 2021)}."
        if kind == 10:
            return (f"{self.pick(('Critics', 'Supporters', 'Opponents', 'Residents', 'Officials'))} say "
                    f"{self.fill(self.pick(FACTS))}, while {self.pick(ORGS)} {self.pick(('insists', 'argues', 'says', 'maintains'))} "
                    f"that {self.fill(self.pick(FACTS))}.")
        return f"{_cap(self.pick(TIMES))}, {self.pick(SUBJECTS).lower()} {self.pick(VERBS)} a report on {self.pick(TOPICS)}."

    def standfirst(self) -> str:
        """A sentence of at least 12 words, for a subtitle or summary."""
        while True:
            text = self.sentence()
            if len(text.split()) >= 12:
                return text

    def paragraph(self, ctx: "_ArticleCtx", sentences: int | None = None) -> tuple[str, int]:
        """A paragraph and its word count (words split at spaces)."""
        r, pool, pool_words, size = self.r, self.pool, self.pool_words, SENTENCE_POOL
        parts, words, used = [], 0, ctx.used
        for _ in range(sentences or 1 + int(r() * 4)):
            i = int(r() * size)
            while i in used:
                i = int(r() * size)
            used.add(i)
            parts.append(pool[i])
            words += pool_words[i]
        extra = ""
        roll = r()
        if roll < 0.14:
            extra = self.external_link_sentence()
        elif roll < 0.22 and ctx.others:
            extra = self.internal_link_sentence(ctx)
        elif roll < 0.26:
            extra = f"The {self.pick(PLANS_SHORT)} was *not* part of the original plan."
        elif roll < 0.30:
            extra = f"The key figure is **{self.pct()}**, {self.pick(('well above', 'just below', 'roughly in line with'))} the national average."
        elif roll < 0.33:
            paper = f"*The {self.pick(PLACES)} {self.pick(('Gazette', 'Herald', 'Observer', 'Post'))}*"
            extra = f"The story was first reported by {paper}."
        if extra.startswith("("):
            parts.append(extra)
        elif extra:
            parts.insert(self.between(0, len(parts)), extra)
            words += len(extra.split())
        return " ".join(parts), words

    def external_link_sentence(self) -> str:
        domain = self.pick(("data.example.org", "www.example.gov", "council.example.net",
                            "stats.example.eu", "www.example.com", "court.example.org"))
        doc = self.pick(("report", "minutes", "consultation", "ruling", "dataset", "audit", "statement"))
        year = self.between(2020, 2025)
        url = f"https://{domain}/{doc}s/{year}/{slugify(self.pick(PLANS_SHORT))}-{self.between(1, 999)}"
        text = f"the {self.pick(('full', 'published', 'original', 'latest'))} {doc}"
        return f"{_cap(self.pick(('you can read', 'readers can find', 'we have published')))} [{text}]({url}) online."

    def internal_link_sentence(self, ctx: "_ArticleCtx") -> str:
        other_slug, other_title = self.pick(ctx.others)
        form = self.between(0, 3)
        if form == 0:
            return f"As [we reported earlier](/articles/{other_slug}/), {self.fill(self.pick(FACTS))}."
        if form == 1:
            return f"(Read more: [{_md_text(other_title)}](/articles/{other_slug}/))"
        if form == 2:
            author_id, author_name = self.pick(ctx.site_authors)
            return f"Our reporter [{author_name}](/authors/{author_id}/) has followed the story from the start."
        return f"See our [coverage of the {self.pick(PLANS_SHORT)}](/articles/{other_slug}/) for the background."

    def list_block(self) -> str:
        intro = self.pick((
            "According to the report:", "The main changes are:", "What we know so far:",
            f"The plan for {self.pick(PLACES)} includes:", "Among the findings:", "Key dates:",
            "The council's proposals, in order of cost:",
        ))
        items = []
        numbered = self.chance(0.35)
        for i in range(self.between(3, 6)):
            if self.chance(0.3):
                item = f"**{_cap(self.pick(PLANS_SHORT))}:** {self.fill(self.pick(FACTS))};"
            else:
                item = f"{self.fill(self.pick(FACTS))};"
            items.append(f"{i + 1}. {item}" if numbered else f"- {item}")
        items[-1] = items[-1][:-1] + "."
        return intro + "\n\n" + "\n".join(items)

    def blockquote(self) -> str:
        lines = [f"> \"{self.pick(QUOTE_A)}{self.pick(QUOTE_B)}. {self.pick(QUOTE_A)}.\""]
        if self.chance(0.5):
            lines.append(">")
            lines.append(f"> {_cap(self.fill(self.pick(FACTS)))}.")
        lines.append(">")
        lines.append(f"> — {self.person()}, {self.fill(self.pick(PERSON_ROLES))}")
        return "\n".join(lines)

    def table(self) -> str:
        kind = self.pick(("Route", "District", "School", "Ward", "Station"))
        cols = (f"| {kind} | {self.between(2022, 2023)} | {self.between(2024, 2025)} | Change |",
                "|:---|---:|---:|---:|")
        rows = []
        for _ in range(self.between(3, 7)):
            a, b = self.between(100, 9_999), self.between(100, 9_999)
            name = self.pick(PLACES) if kind != "Route" else f"Line {self.between(1, 40)}"
            rows.append(f"| {name} | {a:,} | {b:,} | {100 * (b - a) / a:+.1f}% |")
        return self.pick(("The figures, by area:", "How the numbers compare:", "The data:")) + "\n\n" + "\n".join(cols + tuple(rows))

    def code_block(self) -> str:
        lang, code = self.pick(CODE_SNIPPETS)
        return (f"For readers who want to check our work, this is the core of the analysis:\n\n"
                f"```{lang}\n{code}\n```")

    def figure(self) -> str:
        hero = self.between(1, HERO_COUNT)
        caption = f"{self.pick(STREETS)} in {self.pick(PLACES)}, {self.pick(TIMES)}."
        return (f"![{_cap(_HERO_ALTS[hero - 1])}](/images/heroes/hero-{hero:02d}.svg "
                f"\"{caption} | Photo: {self.person()}/{self.pick(AGENCIES)}\")")

    def heading(self) -> str:
        return "## " + self.fill(self.pick(HEADINGS))

    def headline(self) -> str:
        t = self.pick(HEADLINES)
        return _cap(t.format(
            Place=self.pick(PLACES), place=self.pick(PLACES), vpres=self.pick(VERBS_PRESENT),
            plan=self.fill(self.pick(PLANS)), Org=_cap(self.pick(ORGS)[4:]), vbase=self.pick(VERBS_BASE),
            plan_short=self.pick(PLANS_SHORT), event=self.pick(EVENTS), n=self.between(200, 90_000),
            people=self.pick(PEOPLE), affected=self.pick(AFFECTED), topic=self.pick(TOPICS),
            Topic=_cap(self.pick(TOPICS)), Group=self.pick(GROUPS), problem=self.pick(PROBLEMS),
            street=self.pick(STREETS), Pct=self.pct(), year2=self.between(2026, 2030),
        ))

    def body(self, ctx: "_ArticleCtx") -> str:
        target = self.between(520, 1060)
        sections = self.between(2, 5)
        lede, words = self.paragraph(ctx, self.between(1, 2))
        second, more = self.paragraph(ctx)
        blocks = [lede, second]
        words += more
        # Place the extras in sections (0-based); -1 means none.
        def where(p: float) -> int:
            return self.between(0, sections - 1) if self.chance(p) else -1
        extras = [(where(0.8), self.list_block), (where(0.3), self.blockquote), (where(0.08), self.table),
                  (where(0.04), self.code_block), (where(0.06), self.figure)]
        for s in range(sections):
            blocks.append(self.heading())
            budget = (target - words) // (sections - s)
            used = paragraphs = 0
            while used < budget or paragraphs < 1:
                block, count = self.paragraph(ctx)
                blocks.append(block)
                used += count
                paragraphs += 1
                for index, (section, make) in enumerate(extras):
                    if section == s:
                        extra = make()
                        blocks.append(extra)
                        used += len(extra.split())
                        extras[index] = (-1, make)
            words += used
        return "\n\n".join(blocks) + "\n"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _title_case(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in text.split())


def _md_text(text: str) -> str:
    """Escape what would break link text."""
    return text.replace("[", "\\[").replace("]", "\\]").replace("*", "\\*")


_WORD = re.compile(r"[A-Za-z0-9’'-]+")
_MD_NOISE = re.compile(r"\]\([^)]*\)|```.*?```|^\|[-:| ]+\|$", re.S | re.M)


def body_words(body: str) -> int:
    """Words a reader sees in a Markdown body: link targets, code and table rules left out."""
    return len(_WORD.findall(_MD_NOISE.sub("]", body)))


class _Slots(dict):
    """The values of template slots, drawn when a template asks for them."""

    def __init__(self, w: "_Writer"):
        super().__init__()
        self.w = w

    def __missing__(self, key: str):
        w = self.w
        if key in ("place", "place2"):
            return w.pick(PLACES)
        if key == "street":
            return w.pick(STREETS)
        if key == "org":
            return w.pick(ORGS)
        if key == "year":
            return w.between(1998, 2021)
        if key == "fyear":
            return w.between(2026, 2030)
        if key == "money":
            return w.money()
        if key == "pct":
            return w.pct()
        if key == "n":
            return w.between(120, 48_000)
        if key == "m":
            return w.between(3, 19)
        if key == "k":
            return w.between(3, 40)
        if key == "topic":
            return w.pick(TOPICS)
        if key == "Topic":
            return _cap(w.pick(TOPICS))
        if key in ("person", "person2"):
            return w.person()
        if key == "Org_title":
            return _title_case(w.pick(ORGS)[4:])
        raise KeyError(key)


class _ArticleCtx:
    __slots__ = ("others", "site_authors", "used")

    def __init__(self, others, site_authors):
        self.others = others
        self.site_authors = site_authors
        self.used: set[int] = set()
        """Pool sentences this article already has (membership tests only, never iterated)."""


HERO_SUBJECTS = (
    "a bridge over a river at dusk", "a row of terraced houses", "a tram crossing a square",
    "a council chamber with empty seats", "a hospital entrance", "a school playground",
    "a flooded street", "a market with striped awnings", "wind turbines on a hill",
    "a crowd holding placards", "a harbour with cranes", "a library reading room",
    "a football stadium under floodlights", "a cycle lane with commuters", "a construction site",
    "a courthouse facade", "solar panels on a roof", "a bus stop in the rain",
    "a theatre stage", "a city skyline at night", "a park in autumn", "a train platform",
    "a factory chimney", "a field of wheat", "a coastal path",
)
_HERO_ALTS = tuple(f"illustration of {HERO_SUBJECTS[i % len(HERO_SUBJECTS)]}"
                   + ("" if i < len(HERO_SUBJECTS) else ", seen from above") for i in range(HERO_COUNT))
PALETTE = ("#1d3557", "#457b9d", "#a8dadc", "#e63946", "#f1faee", "#2a9d8f", "#e9c46a",
           "#f4a261", "#264653", "#6d597a", "#b56576", "#355070", "#8d99ae", "#ffb703")


def _hero_svg(w: _Writer, index: int) -> str:
    bg, a, b = w.pick(PALETTE), w.pick(PALETTE), w.pick(PALETTE)
    shapes = []
    for _ in range(w.between(3, 6)):
        if w.chance(0.5):
            shapes.append(f'<rect x="{w.between(0, 1100)}" y="{w.between(100, 600)}" width="{w.between(40, 300)}" '
                          f'height="{w.between(40, 300)}" fill="{a}" opacity="0.{w.between(4, 9)}"/>')
        else:
            shapes.append(f'<circle cx="{w.between(0, 1200)}" cy="{w.between(0, 675)}" r="{w.between(20, 200)}" '
                          f'fill="{b}" opacity="0.{w.between(4, 9)}"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1200 675" width="1200" height="675" role="img">\n'
            f'<title>{_cap(_HERO_ALTS[index])}</title>\n<rect width="1200" height="675" fill="{bg}"/>\n'
            + "\n".join(shapes) + "\n</svg>\n")


def _avatar_svg(w: _Writer, name: str) -> str:
    initials = "".join(part[0] for part in name.split()[:2]).upper()
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 96" width="96" height="96" role="img">\n'
            f'<title>{name}</title>\n<circle cx="48" cy="48" r="48" fill="{w.pick(PALETTE)}"/>\n'
            f'<text x="48" y="58" font-family="sans-serif" font-size="32" text-anchor="middle" fill="#fff">'
            f'{initials.replace("&", "&amp;")}</text>\n</svg>\n')


def _write(path: Path, text: str, made: dict[Path, bool] | None = None) -> None:
    """Write UTF-8 with LF newlines; `made` remembers folders already created in this run."""
    if made is None or path.parent not in made:
        path.parent.mkdir(parents=True, exist_ok=True)
        if made is not None:
            made[path.parent] = True
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def generate(site_dir: Path, articles: int, seed: int = 1) -> None:
    """Write a complete site with `articles` articles into `site_dir`.

    `site_dir` may exist but must not hold `content/` or `config.yaml` already (so that
    no stale file survives into the corpus); see `--force` on the command line.
    """
    site_dir = Path(site_dir)
    if articles < 0:
        raise ValueError("articles must be >= 0")
    if (site_dir / "content").exists() or (site_dir / "config.yaml").exists():
        raise FileExistsError(f"{site_dir} already holds a site (content/ or config.yaml)")
    w = _Writer(seed)
    made: dict[Path, bool] = {}
    content = site_dir / "content"

    _write(site_dir / "config.yaml", (
        "title: The Broadsheet Bench Gazette\n"
        "tagline: Generated news for benchmarks\n"
        "description: A generated news site used to benchmark Broadsheet builds.\n"
        f"base_url: {BASE_URL}\n"
        "language: en\n"
        "timezone: Europe/Berlin\n"
        "paginate: 10\n"
        "nav:\n"
        "  - {title: About, url: /about/}\n"
        "  - {title: Contact, url: /contact/}\n"
        "  - {title: Archive, url: /archive/}\n"
        "  - {title: Topics, url: /tags/}\n"
    ))

    # Authors ---------------------------------------------------------------------
    authors: list[tuple[str, str]] = []
    taken: dict[str, bool] = {}
    while len(authors) < AUTHOR_COUNT:
        name = w.person()
        author_id = slugify(name)
        if author_id in taken:
            continue
        taken[author_id] = True
        authors.append((author_id, name))
    for author_id, name in authors:
        first = name.split()[0]
        handle = author_id.replace("-", "")[:14]
        links = [f"  twitter: \"@{handle}\""] if w.chance(0.6) else []
        if w.chance(0.5):
            links.append(f"  mastodon: \"@{handle}@press.example\"")
        if w.chance(0.4):
            links.append(f"  website: https://{handle}.example.net/")
        links.append(f"  email: {author_id.replace('-', '.')}@bench.example.org")
        bio = (f"{name} covers {w.pick(BEATS)} for the Gazette from {w.pick(PLACES)}. "
               f"Before joining in {w.between(2008, 2021)}, {first} spent {w.between(2, 12)} years at "
               f"{w.pick(PREVIOUS)}.")
        _write(content / "authors" / f"{author_id}.md", (
            f"---\nname: {_plain_or_q(name)}\nrole: {w.pick(ROLES)}\navatar: /images/authors/{author_id}.svg\n"
            "links:\n" + "\n".join(links) + f"\n---\n{bio}\n"), made)
        _write(content / "images" / "authors" / f"{author_id}.svg", _avatar_svg(w, name), made)

    # Hero images ------------------------------------------------------------------
    for i in range(HERO_COUNT):
        _write(content / "images" / "heroes" / f"hero-{i + 1:02d}.svg", _hero_svg(w, i), made)

    # Pages ------------------------------------------------------------------------
    _write(content / "pages" / "about.md", (
        "---\ntitle: About the Gazette\n---\n"
        "The Broadsheet Bench Gazette is a generated publication. Every article, author and "
        "picture on this site was produced by a script so that the site generator can be "
        "measured on something that looks like a real newsroom.\n\n"
        "## What we cover\n\n"
        "City hall, the courts, transport, housing, health, schools, the climate, business, "
        "culture and sport, in the towns of the valley and beyond. See [all topics](/tags/) "
        "or the [archive](/archive/).\n\n"
        "## Corrections\n\n"
        "When we get something wrong we say so. Write to us through the [contact page](/contact/).\n"))
    _write(content / "pages" / "contact.md", (
        "---\ntitle: Contact\n---\n"
        "Send news tips to **tips@bench.example.org**, letters to the editor to "
        "letters@bench.example.org, and corrections to corrections@bench.example.org.\n\n"
        "Our newsroom is at 12 Mill Street. You can also reach each reporter through "
        "[their author page](/authors/).\n"))

    # Article metadata first, so that bodies can link to other articles -------------
    author_zipf = _Zipf(AUTHOR_COUNT, 0.7)
    tag_zipf = _Zipf(TAG_COUNT, 1.0)
    tags = _tag_list()
    metas = []
    titles: dict[str, bool] = {}
    slugs: dict[str, bool] = {}
    for _ in range(articles):
        title = w.headline()
        for _attempt in range(5):
            if title not in titles:
                break
            title = w.headline()
        else:
            title = f"{title}: {w.pick(PLACES)} update"
        titles[title] = True
        base = slugify(title)
        if len(base) > 60:
            base = base[:60].rsplit("-", 1)[0]
        slug, k = base, 2
        while slug in slugs:
            slug, k = f"{base}-{k}", k + 1
        slugs[slug] = True
        minute = int(w.r() * DAYS * 24 * 60)
        date = FIRST_DAY + timedelta(minutes=minute)
        # News goes out between 06:00 and 22:59 (and never in a DST gap).
        date = date.replace(hour=6 + date.hour % 17)
        metas.append((title, slug, date))

    for index, (title, slug, date) in enumerate(metas):
        others = []
        if len(metas) > 1:
            for _ in range(3):  # three other articles this one may link to
                other_title, other_slug, _date = metas[(index + 1 + w.between(0, len(metas) - 2)) % len(metas)]
                others.append((other_slug, other_title))
        ctx = _ArticleCtx(others, authors)
        fm = [f"title: {_q(title)}",
              f"subtitle: {_q(w.standfirst())}",
              f"date: {date:%Y-%m-%d %H:%M}"]
        if w.chance(0.3):
            updated = date + timedelta(minutes=w.between(20, 60 * 24 * 5))
            if updated < datetime(2025, 12, 31, 23, 0):
                fm.append(f"updated: {updated:%Y-%m-%d %H:%M}")
        by = [authors[author_zipf.draw(w.r())][0]]
        if w.chance(0.15):
            second = authors[author_zipf.draw(w.r())][0]
            if second != by[0]:
                by.append(second)
        fm.append(f"authors: [{', '.join(by)}]")
        chosen: list[str] = []
        want = w.between(3, 5)
        while len(chosen) < want:
            tag = tags[tag_zipf.draw(w.r())]
            if tag not in chosen:
                chosen.append(tag)
        fm.append(f"tags: [{', '.join(_plain_or_q(t) for t in chosen)}]")
        hero = w.between(0, HERO_COUNT - 1)
        credit = (f"Illustration: {w.person()}/Bench Gazette" if w.chance(0.5)
                  else f"{w.person()}/{w.pick(AGENCIES)}")
        fm += ["image:",
               f"  src: /images/heroes/hero-{hero + 1:02d}.svg",
               f"  alt: {_q(_cap(_HERO_ALTS[hero]))}",
               f"  caption: {_q(w.fill(w.pick(('{street} in {place}, ', 'Protesters outside the town hall in {place}, ', 'The site of the planned works, ', 'Commuters in {place}, '))) + w.pick(TIMES) + '.')}",
               f"  credit: {_q(credit)}"]
        if w.chance(0.3):
            fm.append(f"summary: {_q(w.standfirst())}")
        if w.chance(0.25):
            fm.append(f"credits: {_q(w.fill(w.pick(CREDITS)))}")
        body = w.body(ctx)
        _write(content / "articles" / f"{date.year}" / f"{slug}.md",
               "---\n" + "\n".join(fm) + "\n---\n" + body, made)


# ---------------------------------------------------------------------------------
# Edits for the benchmark driver
# ---------------------------------------------------------------------------------


def article_paths(site_dir: Path) -> list[Path]:
    """Every generated article file, sorted by path (a stable order for picking one)."""
    return sorted((Path(site_dir) / "content" / "articles").glob("*/*.md"))


def _split(text: str) -> tuple[str, str]:
    if not text.startswith("---\n"):
        raise ValueError("no front matter")
    end = text.index("\n---\n", 4) + 5
    return text[:end], text[end:]


_EDITABLE = re.compile(r"\b[a-z]{4,}\b")
_SKIP_SPANS = re.compile(r"\[[^\]]*\]\([^)]*\)|\([^)]*\)|`[^`]*`|\*\*[^*]*\*\*|\*[^*]*\*")


def edit_body(path: Path, n: int) -> None:
    """Replace one word of the body: the n-th edit picks its word and replacement from n.

    Only a plain paragraph after the first sub-heading is touched, never the first
    paragraph (the default summary), a heading, link, list, quote, table or code; the
    word count stays the same. Consecutive values of n always change the file.
    """
    path = Path(path)
    head, body = _split(path.read_text(encoding="utf-8"))
    lines = body.split("\n")
    candidates: list[tuple[int, int, int]] = []  # (line, start, end)
    seen_heading = in_code = False
    for i, line in enumerate(lines):
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        if line.startswith("## "):
            seen_heading = True
            continue
        if not seen_heading or not line[:1].isalpha() and not line.startswith("\""):
            continue
        skip = [m.span() for m in _SKIP_SPANS.finditer(line)]
        for m in _EDITABLE.finditer(line):
            if not any(a <= m.start() < b for a, b in skip):
                candidates.append((i, m.start(), m.end()))
    if not candidates:
        raise ValueError(f"{path}: no editable word in the body")
    line_no, start, end = candidates[(n * 7919) % len(candidates)]
    old = lines[line_no][start:end]
    new = REPLACEMENT_WORDS[n % len(REPLACEMENT_WORDS)]
    if new == old:
        new = REPLACEMENT_WORDS[(n + 1) % len(REPLACEMENT_WORDS)]
    lines[line_no] = lines[line_no][:start] + new + lines[line_no][end:]
    _write(path, head + "\n".join(lines))


_TITLE_LINE = re.compile(r"^title: (.*)$", re.M)
_UPDATE_MARK = re.compile(r" \(update \d+\)$")


def edit_title(path: Path, n: int) -> None:
    """Retitle the article: "<original title> (update n)". Slug and body stay as they are."""
    path = Path(path)
    head, body = _split(path.read_text(encoding="utf-8"))
    m = _TITLE_LINE.search(head)
    if not m:
        raise ValueError(f"{path}: no title line")
    raw = m.group(1).strip()
    title = json.loads(raw) if raw.startswith("\"") else raw.strip("'")
    title = _UPDATE_MARK.sub("", title) + f" (update {n})"
    head = head[:m.start()] + f"title: {_q(title)}" + head[m.end():]
    _write(path, head + body)


# ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a deterministic news-site corpus for benchmarks.")
    parser.add_argument("dir", type=Path, help="site folder to write")
    parser.add_argument("--articles", type=int, default=1000, help="number of articles (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--force", action="store_true",
                        help="remove DIR/content and DIR/config.yaml first if they exist")
    args = parser.parse_args(argv)
    if args.articles < 0:
        parser.error("--articles must be >= 0")
    if args.force:
        shutil.rmtree(args.dir / "content", ignore_errors=True)
        (args.dir / "config.yaml").unlink(missing_ok=True)
    started = time.perf_counter()
    try:
        generate(args.dir, args.articles, args.seed)
    except FileExistsError as exc:
        print(f"corpus: {exc}; use --force to replace it", file=sys.stderr)
        return 2
    print(f"corpus: wrote {args.articles} article{'' if args.articles == 1 else 's'}, {AUTHOR_COUNT} authors, {HERO_COUNT} hero images "
          f"to {args.dir} in {time.perf_counter() - started:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
