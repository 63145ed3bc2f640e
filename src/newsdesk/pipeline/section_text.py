"""A section from an article's own words, for articles whose outlet declares none.

Outlets' labels and URL paths come first (stories/sections.py); this is the fallback. Each
section has a hand-written vocabulary of words that news in that section uses and other
news rarely does. An article's headline (counted twice) and lead are stemmed, and each
stem votes for the sections whose vocabulary holds it. The best section wins when it has
enough votes and clearly more than the runner-up; otherwise the article gets no section,
which is better than a wrong one. Pure: no model, no data file, no I/O.
"""

from __future__ import annotations

from functools import cache

from newsdesk.pipeline.textfeatures import STOPWORDS, stem, words

LEAD_WORDS = 150  # words of text read after the headline
MIN_VOTES = 2.0  # votes the best section needs (one headline word)
MARGIN = 1.5  # ... and this many times the runner-up's
TITLE_WEIGHT = 2.0

_VOCABULARY_TEXT: dict[str, str] = {
    "Business": """
        economy economic economist inflation recession gdp market markets stock stocks shares
        shareholder shareholders investor investors investment earnings profit profits revenue
        revenues sales quarter quarterly dividend bank banks banking lender loan loans mortgage
        mortgages interest rates fed treasury bond bonds yield yields currency dollar euro yen
        merger acquisition acquire takeover ipo nasdaq dow s&p ceo cfo chief executive
        company companies firm firms corporate retailer retail consumer consumers
        oil crude opec wages jobs unemployment payrolls hiring layoffs tariff tariffs trade
        exports imports manufacturing factory factories bankruptcy debt credit valuation
        billion startup wall street brokerage analysts forecast downgrade upgrade
    """,
    "Technology": """
        technology tech software hardware app apps smartphone iphone android google apple
        microsoft amazon facebook meta twitter tiktok samsung intel nvidia chip chips
        semiconductor processor computer computers laptop internet website cyber
        cyberattack hackers hacking hack ransomware malware privacy encryption cloud
        artificial intelligence ai algorithm robot robots robotics startup gadget device
        devices wearable streaming broadband wifi 5g browser social media
        game games gaming console xbox playstation nintendo bitcoin crypto blockchain
    """,
    "Science": """
        science scientist scientists research researchers study studies journal physics
        chemistry biology astronomy astronomers space nasa esa rocket launch satellite orbit
        mars moon planet planets telescope galaxy asteroid comet spacecraft astronaut
        astronauts climate warming emissions carbon species fossil fossils dinosaur
        evolution genome genetic dna ocean glacier ice arctic antarctic earthquake volcano
        experiment laboratory discovery discovered
    """,
    "Health": """
        health medical medicine doctor doctors nurse nurses hospital hospitals patient patients
        disease diseases virus viral vaccine vaccines vaccination vaccinated covid coronavirus
        pandemic epidemic outbreak infection infections infected cancer tumor diabetes heart
        stroke obesity drug drugs fda cdc who clinical trial treatment therapy surgery mental
        depression alzheimer dementia hiv ebola measles flu influenza symptoms diagnosis
        diagnosed pharmaceutical pharma healthcare medicaid medicare opioid overdose
    """,
    "Sports": """
        sport sports football soccer basketball baseball hockey tennis golf cricket rugby
        olympic olympics athlete athletes team teams coach coaches player players league
        playoff playoffs championship champion champions tournament match matches
        scored goal goals striker midfielder quarterback pitcher nba nfl mlb nhl
        fifa uefa medal medals racing formula grand prix stadium
        transfer wimbledon marathon boxing ufc
    """,
    "Crime": """
        police officer officers arrest arrested arrests suspect suspects murder murdered
        homicide shooting shot stabbing stabbed robbery theft fraud burglary
        assault crime crimes criminal charged charges prosecutor prosecutors indictment
        indicted convicted conviction sentenced sentence prison jail trial jury guilty
        detective investigation gunman gang gangs trafficking kidnapping
    """,
    "Culture": """
        film films movie movies actor actress actors director hollywood box office oscar
        oscars grammy grammys emmy emmys award awards album albums song songs singer band
        concert tour music musician rapper celebrity celebrities star stars premiere
        television tv series episode netflix hbo disney show shows festival theatre theater
        broadway book books novel author museum art artist painting fashion designer
        kardashian wedding divorce
    """,
    "Politics": """
        election elections vote votes voters voting ballot ballots campaign candidate
        candidates president presidential senate senator senators congress congressional
        house representatives parliament parliamentary minister ministers governor
        legislature legislation lawmakers bill democrats democrat republicans republican
        gop party parties poll polls primary caucus impeachment veto cabinet administration
        white house prime coalition opposition referendum
    """,
}


@cache
def vocabulary() -> dict[str, frozenset[str]]:
    """Each section's vocabulary as stems."""
    return {
        name: frozenset(stem(w) for w in text.split() if w not in STOPWORDS)
        for name, text in _VOCABULARY_TEXT.items()
    }


@cache
def _stem_sections() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for name, stems in vocabulary().items():
        for term in stems:
            index.setdefault(term, []).append(name)
    return {term: tuple(names) for term, names in index.items()}


def votes(title: str, text: str) -> dict[str, float]:
    """Votes per section from the headline (counted twice) and the lead's stems."""
    index = _stem_sections()
    tally: dict[str, float] = {}
    for weight, part in ((TITLE_WEIGHT, words(title)), (1.0, words(text)[:LEAD_WORDS])):
        for word in part:
            for name in index.get(stem(word), ()):
                tally[name] = tally.get(name, 0.0) + weight
    return tally


def section_from_text(title: str, text: str = "") -> str:
    """The section the words point to, or '' when they do not point clearly enough."""
    ranked = sorted(votes(title, text).items(), key=lambda kv: (-kv[1], kv[0]))[:2]
    if not ranked or ranked[0][1] < MIN_VOTES:
        return ""
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    return ranked[0][0] if ranked[0][1] >= MARGIN * runner_up else ""
