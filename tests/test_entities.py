"""Places, people and organisations named in a story (newsdesk.pipeline.places and .names).

The rules are tested (use_model=False, or the module flag off), never a spaCy model; one test
stands a fake model in for spaCy to check that its entities are used when one is present.
"""

from __future__ import annotations

import importlib.util
import random
import string
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from newsdesk.pipeline import names
from newsdesk.pipeline.entities import Entity, Place, read_story
from newsdesk.pipeline.names import find_names, find_organisations, find_people
from newsdesk.pipeline.places import build_gazetteer, find_places, gazetteer

ROOT = Path(__file__).resolve().parents[1]


def _benchmark() -> Any:
    """benchmarks/entities.py, whose scorer the fixture tests share."""
    spec = importlib.util.spec_from_file_location(
        "entities_bench", ROOT / "benchmarks" / "entities.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


BENCH = _benchmark()


def places(*texts: str) -> dict[str, Place]:
    """Places found in the texts, by name."""
    return {p.name: p for p in find_places(list(texts), use_model=False)}


def place_codes(*texts: str) -> set[tuple[str, str]]:
    """(name, country code) of the places found."""
    return {(p.name, p.country_code) for p in find_places(list(texts), use_model=False)}


def people(*texts: str) -> dict[str, Entity]:
    """People found in the texts, by name."""
    return {e.name: e for e in find_people(list(texts), use_model=False)}


def orgs(*texts: str) -> dict[str, Entity]:
    """Organisations found in the texts, by name."""
    return {e.name: e for e in find_organisations(list(texts), use_model=False)}


# Places: choosing among places of one name


def test_paris_beside_texas_is_paris_texas() -> None:
    found = places(
        "Storm damage closes schools in Paris",
        "A tornado struck Paris on Tuesday. Crews from Dallas helped, the Texas governor said.",
    )
    assert found["Paris"].country_code == "US"
    assert found["Paris"].admin1 == "TX"
    assert found["Paris"].mentions == 2


def test_paris_alone_is_paris_france() -> None:
    found = places("Farmers drove their tractors into Paris on Monday.")
    assert found["Paris"].country_code == "FR"
    assert found["Paris"].slug == "paris-fr"


def test_context_across_articles_of_one_story() -> None:
    first = "Flooding closed streets in Springfield on Friday."
    second = "The governor of Illinois visited Springfield and Peoria."
    assert ("Springfield", "US") in place_codes(first)
    assert places(first)["Springfield"].admin1 == "MO"  # the biggest Springfield
    assert places(first, second)["Springfield"].admin1 == "IL"


def test_neighbours_resolve_together() -> None:
    """Boston and Cambridge both exist in England and Massachusetts: they go together."""
    found = places("Researchers in Cambridge and Boston built a cheaper battery.")
    assert found["Cambridge"].admin1 == found["Boston"].admin1 == "MA"


def test_a_demonym_is_context() -> None:
    # Valencia, Venezuela is the bigger; another country's demonym does not move it.
    assert places("French police in Valencia ...")["Valencia"].country_code == "VE"
    found = places("Spanish officials said floods hit Valencia on Tuesday.")
    assert found["Valencia"].country_code == "ES"


def test_countries_and_states_resolve_to_themselves() -> None:
    found = places("Officials in France, Texas and New York said Mexico would sign.")
    assert (found["France"].kind, found["France"].country_code) == ("country", "FR")
    assert (found["Texas"].kind, found["Texas"].country_code) == ("state", "US")
    assert found["New York"].kind == "state"
    assert found["Mexico"].kind == "country"
    assert found["France"].lat is not None  # a country has its capital's coordinates
    assert found["Texas"].lat is None  # GeoNames ships no coordinates for states
    assert found["Texas"].slug == "texas-us"
    assert found["France"].slug == "france"


def test_georgia_the_state_or_the_country_by_context() -> None:
    state = places("Georgia lawmakers met in Atlanta. Voters in Savannah were split.")
    country = places("Protesters marched in Tbilisi. Georgia has applied to join the EU.")
    assert (state["Georgia"].kind, state["Georgia"].country_code) == ("state", "US")
    assert (country["Georgia"].kind, country["Georgia"].country_code) == ("country", "GE")


def test_washington_the_capital_the_state_and_the_newspaper() -> None:
    capital = places("Talks in Washington ended on Friday.")["Washington"]
    assert (capital.kind, capital.admin1) == ("city", "DC")
    state = places("Fires spread across Washington state near Spokane.")["Washington"]
    assert state.kind == "state"
    assert "Washington" not in places("The Washington Post reported the leak.")


def test_country_short_forms_and_alternate_names() -> None:
    found = place_codes("The U.S. and Britain met in Kiev, then flew to Bombay and Frankfurt.")
    assert {("United States", "US"), ("United Kingdom", "GB")} <= found
    assert {("Kyiv", "UA"), ("Mumbai", "IN"), ("Frankfurt am Main", "DE")} <= found
    assert ("England", "GB") in place_codes("Heavy rain fell across England on Monday.")


def test_multiword_and_accented_city_names() -> None:
    found = place_codes("Rain hit Rio de Janeiro and São Paulo, and later Sao Paulo again.")
    assert found == {("Rio de Janeiro", "BR"), ("São Paulo", "BR")}
    assert places("Rain hit São Paulo and Sao Paulo.")["São Paulo"].mentions == 2


def test_places_ordered_by_mentions_then_name() -> None:
    found = find_places(
        ["Kursk was hit. Later Kursk and Belgorod were hit again, and Kursk burned."],
        use_model=False,
    )
    assert [(p.name, p.mentions) for p in found] == [("Kursk", 3), ("Belgorod", 1)]
    assert found[0].slug == "kursk-ru"
    assert found[0].geonameid > 0
    assert found[0].kind == "city"


# Places: traps


def test_sentence_initial_common_words_are_not_places() -> None:
    text = (
        "Mobile phone data showed a rise in visitors. Nice weather is not expected. "
        "Reading the figures, forecasters were cautious. Split decisions are rare. "
        "Most hotels are full. March was wet."
    )
    assert places(text) == {}


def test_a_common_word_listed_with_a_place_is_a_place() -> None:
    found = place_codes("Split and Dubrovnik expect a record summer.")
    assert found == {("Split", "HR"), ("Dubrovnik", "HR")}


def test_mid_sentence_capital_makes_the_place() -> None:
    found = place_codes("The river burst its banks in Bath. Shops in Reading were shut.")
    assert found == {("Bath", "GB"), ("Reading", "GB")}


def test_title_case_headline_words_prove_nothing() -> None:
    title = "Flooding Hits Mobile As Storm Batters Gulf Coast"
    assert "Mobile" not in places(title)
    assert places(title, "Streets flooded in Mobile, Alabama.")["Mobile"].mentions == 1


def test_month_names_are_not_places() -> None:
    assert places("The vote is due in March, and results in May.") == {}


def test_turkey_the_bird_and_turkey_the_country() -> None:
    bird = places(
        "Turkey prices fall ahead of Thanksgiving",
        "Turkey prices have fallen. A frozen turkey costs 6 percent less in Iowa.",
    )
    assert set(bird) == {"Iowa"}
    country = places("Turkey raised interest rates. The lira rose in Istanbul.")
    assert country["Turkey"].country_code == "TR"


def test_people_named_like_places_are_not_places() -> None:
    assert place_codes("Paris Hilton arrived in London for a gala.") == {("London", "GB")}
    text = "Councillor Denise Jackson voted for the cuts. Jackson said it was hard."
    assert places(text) == {}
    assert "Austin" not in places("Opposition leader Austin Reed told the meeting he objected.")


def test_places_inside_organisation_names_are_vetoed() -> None:
    text = (
        "The University of Texas and the Bombay High Court issued statements, "
        "the New York Times reported."
    )
    assert places(text) == {}


def test_feature_names_are_not_the_city() -> None:
    text = "Ferries to Vancouver Island were cancelled. The River Avon rose. Lamar County shut."
    assert places(text) == {}


def test_a_region_is_no_city_of_its_name() -> None:
    """Ontario is also a Californian city; beside Toronto it is the province (not reported)."""
    found = place_codes("Fans in Hamilton, Ontario, cheered a win over Toronto.")
    assert found == {("Hamilton", "CA"), ("Toronto", "CA")}


def test_the_ship_kursk_is_taken_for_the_city() -> None:
    """A documented limit: the gazetteer only knows places."""
    assert ("Kursk", "RU") in place_codes("The submarine Kursk sank in the Barents Sea.")


# People and organisations


def test_titles_and_surname_merging() -> None:
    found = people(
        "President Joe Biden met Gov. Ron DeSantis in Miami.",
        "Biden said the talks went well. DeSantis told reporters he agreed. Biden left.",
    )
    assert set(found) == {"Joe Biden", "Ron DeSantis"}
    assert found["Joe Biden"].mentions == 3
    assert found["Ron DeSantis"].mentions == 2
    assert found["Joe Biden"].slug == "joe-biden"


def test_compound_titles_and_roles() -> None:
    found = people(
        "Prime Minister Keir Starmer called Foreign Minister Annalena Baerbock. "
        "In Kyiv, a military spokesman, Oleksandr Petrenko, declined to comment. "
        "Chancellor Annette Vogel said little. Activist Rohan Mehta filed the petition."
    )
    assert set(found) == {
        "Keir Starmer",
        "Annalena Baerbock",
        "Oleksandr Petrenko",
        "Annette Vogel",
        "Rohan Mehta",
    }


def test_speech_and_apposition_cues() -> None:
    found = people(
        '"It was frank," said Veronica Marsh. Tomas Ferreira, who runs a bakery, agreed. '
        "Kwabena Osei told reporters he would appeal. According to Ilse Brandt, the talks failed."
    )
    assert set(found) == {"Veronica Marsh", "Tomas Ferreira", "Kwabena Osei", "Ilse Brandt"}


def test_title_after_a_lone_surname() -> None:
    found = people("President Biden spoke first. Then Joe Biden left for Delaware.")
    assert list(found) == ["Joe Biden"]
    assert found["Joe Biden"].mentions == 2


def test_organisations_by_head_words() -> None:
    found = orgs(
        "The Ministry of Defence, the Reserve Bank of India, Kestrel Motors Inc. and the "
        "Social Democratic Party met at the University of Toronto. The Washington Post and "
        "the Senate Appropriations Committee were told."
    )
    assert set(found) == {
        "Ministry of Defence",
        "Reserve Bank of India",
        "Kestrel Motors Inc.",
        "Social Democratic Party",
        "University of Toronto",
        "Washington Post",
        "Senate Appropriations Committee",
    }


def test_organisations_by_cues_and_known_institutions() -> None:
    found = orgs(
        "The utility Oncor said power was back. Economists at Goldman Sachs disagreed. "
        "Shares in Halvorsen rose. The Kremlin and the Pentagon were silent, Reuters said. "
        "Later the House voted."
    )
    assert set(found) == {
        "Oncor",
        "Goldman Sachs",
        "Halvorsen",
        "Kremlin",
        "Pentagon",
        "Reuters",
        "House",
    }


def test_places_and_companies_that_speak_are_no_people() -> None:
    found = find_names(
        [
            "New York said it would sue. Southern California Edison said power was back. "
            "Tesla shares fell after Tesla's recall."
        ],
        use_model=False,
    )
    assert [(e.name, e.kind, e.mentions) for e in found] == [("Tesla", "organisation", 2)]
    assert set(places("New York said it would sue.")) == {"New York"}


def test_short_forms_merge_into_the_full_name() -> None:
    found = orgs(
        "Russia's Russian Defence Ministry said drones were downed. The Defence Ministry "
        "gave no figures. Halvorsen Shipping Group agreed to merge. Shares in Halvorsen rose."
    )
    assert found["Russian Defence Ministry"].mentions == 2
    assert found["Russian Defence Ministry"].aliases == ("Defence Ministry",)
    assert found["Halvorsen Shipping Group"].mentions == 2
    assert "Halvorsen" not in found


def test_acronyms() -> None:
    found = orgs(
        "The Centers for Disease Control and Prevention (CDC) reported 48 cases. The CDC's "
        "director and the FBI met NATO and WHO officials. The European Union and the EU "
        "agreed. The CEO said GDP and the TV deal were fine, and the US and UK agreed."
    )
    cdc = found["Centers for Disease Control and Prevention"]
    assert (cdc.mentions, cdc.aliases) == (2, ("CDC",))
    assert found["European Union"].aliases == ("EU",)
    assert {"FBI", "NATO", "WHO"} <= set(found)
    assert not {"CEO", "GDP", "TV", "US", "UK"} & set(found)


def test_shouted_text_gives_nothing() -> None:
    assert find_names(["BREAKING: NATO AND THE FBI RAID OFFICES IN PARIS"], use_model=False) == []
    assert find_places(["BREAKING: NATO AND THE FBI RAID OFFICES IN PARIS"], use_model=False) == []


def test_find_names_returns_both_kinds_most_mentioned_first() -> None:
    found = find_names(
        ["Sen. Maria Delgado said Congress must act. Delgado said so twice. NATO agreed."],
        use_model=False,
    )
    assert [(e.name, e.kind, e.mentions) for e in found] == [
        ("Maria Delgado", "person", 2),
        ("Congress", "organisation", 1),
        ("NATO", "organisation", 1),
    ]


# Input edges


@pytest.mark.parametrize("texts", [[], [""], ["   \n  "], ["...", "?!"], ["1 2 3 4 5"]])
def test_empty_input(texts: list[str]) -> None:
    assert find_places(texts, use_model=False) == []
    assert find_names(texts, use_model=False) == []


def test_garbage_input_returns() -> None:
    rng = random.Random(7)
    letters = string.ascii_lowercase
    words = []
    size = 0
    while size < 1_000_000:
        word = rng.choice(string.ascii_uppercase) + "".join(
            rng.choices(letters, k=rng.randint(1, 9))
        )
        words.append(word)
        size += len(word) + 1
    garbage = " ".join(words)
    found_places = find_places([garbage], use_model=False)
    found_names = find_names([garbage, "(", ")", "Mr.", "U.S."], use_model=False)
    assert all(isinstance(p, Place) for p in found_places)
    assert all(isinstance(e, Entity) for e in found_names)


def test_tokens_keep_abbreviations_and_possessives() -> None:
    story = read_story(["Gov. Ron DeSantis's plan reached the U.S. Senate. It failed."])
    words = [t.text for t in story.tokens[0] if t.is_word]
    assert words[:4] == ["Gov.", "Ron", "DeSantis", "plan"]
    assert "U.S." in words
    initial = [t.text for t in story.tokens[0] if t.initial]
    assert initial == ["Gov.", "It"]


# The gazetteer


def test_gazetteer_is_built_once_and_compact() -> None:
    assert gazetteer() is gazetteer()
    gaz = gazetteer()
    assert 30_000 < len(gaz.records) < 40_000
    assert all(isinstance(v, tuple) for v in list(gaz.names.values())[:100])
    kyiv = [gaz.records[at] for at, alt in gaz.lookup("kiev") if alt]
    assert [(r.name, r.country_code) for r in kyiv] == [("Kyiv", "UA")]
    assert gaz.lookup("bat") == ()  # an alternate name of Bath that is a common word
    assert gaz.lookup("ben") == ()  # an alternate name of Bern that is a given name


def test_slugs_are_unique_and_stable() -> None:
    gaz = build_gazetteer()
    slugs = [gaz.slug(at) for at, rec in enumerate(gaz.records) if rec.kind != "region"]
    assert len(slugs) == len(set(slugs))
    assert gazetteer().slug(gazetteer().lookup("kursk")[0][0]) == "kursk-ru"


# The model, when one is installed


class _FakeModel:
    """Stands in for a spaCy pipeline: marks each 'Zed Quill' as a PERSON."""

    def __call__(self, text: str) -> SimpleNamespace:
        ents = []
        at = text.find("Zed Quill")
        while at >= 0:
            ents.append(SimpleNamespace(label_="PERSON", start_char=at, end_char=at + 9))
            at = text.find("Zed Quill", at + 1)
        return SimpleNamespace(ents=ents)


def test_a_model_is_used_when_present(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(names, "_load_model", _FakeModel)
    text = ["Zed Quill met President Joe Biden. Quill said little."]
    assert [(e.name, e.mentions) for e in find_people(text)] == [("Zed Quill", 2)]
    assert set(people(*text)) == {"Joe Biden"}  # use_model=False: the rules
    monkeypatch.setattr(names, "USE_MODEL", False)
    assert set(e.name for e in find_people(text)) == {"Joe Biden"}


def test_no_spacy_means_no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)  # import spacy raises ImportError
    names._load_model.cache_clear()
    try:
        assert names._load_model() is None
    finally:
        names._load_model.cache_clear()


# The annotated fixture set


def _fixture_tallies() -> tuple[Any, Any]:
    stories = BENCH.load_stories(BENCH.DEFAULT_FIXTURE)
    return BENCH.evaluate(stories)


def test_fixture_set_is_big_enough() -> None:
    stories = BENCH.load_stories(BENCH.DEFAULT_FIXTURE)
    articles = [a for story in stories.values() for a in story]
    assert len(articles) >= 15
    assert all(a["places"] or a["people"] or a["organisations"] for a in articles)


def test_fixture_places_precision_and_recall() -> None:
    place_tally, _ = _fixture_tallies()
    scores = place_tally.scores()
    assert scores["precision"] >= 0.9, scores
    assert scores["recall"] >= 0.9, scores


def test_fixture_names_precision_and_recall() -> None:
    _, name_tally = _fixture_tallies()
    scores = name_tally.scores()
    assert scores["precision"] >= 0.85, scores
    assert scores["recall"] >= 0.85, scores


def test_country_code_and_of_parts_stay_in_an_organisation_name() -> None:
    found = orgs("A spokesman for the US Forest Service said the fire had grown.")
    assert "US Forest Service" in found and "Forest Service" not in found
    found = orgs("The Port of Rotterdam Authority said losses were unknown.")
    assert "Port of Rotterdam Authority" in found
    # A sentence-initial common word is no part of the name.
    found = orgs("Shares of Taiyo Semiconductor rose on Monday.")
    assert "Shares of Taiyo Semiconductor" not in found


def test_a_nationality_and_a_name_that_speaks_is_an_organisation() -> None:
    text = "Most trains were cancelled, Deutsche Bahn said. British Airways said flights ran."
    assert {"Deutsche Bahn", "British Airways"} <= set(orgs(text))
    assert not {"Deutsche Bahn", "British Airways"} & set(people(text))


def test_a_name_joined_to_a_person_is_a_person() -> None:
    found = people("The runoff is between Evelyn Matthei and Jeannette Jara on Sunday.")
    assert {"Evelyn Matthei", "Jeannette Jara"} <= set(found)
    # Joined to something that is no person: nothing is inferred.
    assert "Jeannette Jara" not in people("Talks between Chile and Jeannette Jara went on.")


def test_circuit_courts_and_exchanges() -> None:
    found = orgs("Paxton said he would appeal to the Fifth Circuit. Shares fell on the Nasdaq.")
    assert {"Fifth Circuit", "Nasdaq"} <= set(found)


def test_what_follows_a_name_says_it_is_an_organisation() -> None:
    found = orgs(
        "Smog was the worst in the world, according to IQAir, a Swiss monitoring company. "
        "Drivers will strike, the Aslef union said. ScotRail, which runs the trains, said "
        "it had offered more."
    )
    assert {"IQAir", "Aslef", "ScotRail"} <= set(found)
    # A place in a list before the description stays a place.
    text = "The quake damaged buildings in Adana and Osmaniye, the disaster agency AFAD said."
    assert "Osmaniye" not in orgs(text)
    assert "Osmaniye" in {p.name for p in find_places([text])}


def test_a_role_after_the_comma_makes_a_person() -> None:
    text = "Dana Kowalczyk, president of the state union, called it a betrayal."
    assert "Dana Kowalczyk" in people(text)


def test_arabic_particles_and_four_word_names_after_a_role() -> None:
    found = people(
        "The deal was signed by Khaled bin Saeed al-Harbi, the water minister. The plant "
        "will open in 2030, said Omar al-Shammari, a spokesman for the company. Board "
        "director Nguyen Thi Lan Huong blamed late deliveries."
    )
    assert {"Khaled bin Saeed al-Harbi", "Omar al-Shammari", "Nguyen Thi Lan Huong"} <= set(found)


def test_continents_are_not_places() -> None:
    found = {p.name for p in find_places(["He runs the company's business in Asia and Europe."])}
    assert not found & {"Asia", "Europe"}


def test_a_possessive_inside_an_organisations_name() -> None:
    found = orgs("The Federal Public Prosecutor's Office said the People's Party would be heard.")
    assert {"Federal Public Prosecutor's Office", "People's Party"} <= set(found)
    # A place's possessive stays the place's: "Hong Kong's Hospital Authority".
    text = "Hong Kong's Hospital Authority said beds were full. Russia's Defence Ministry agreed."
    assert {"Hospital Authority", "Defence Ministry"} <= set(orgs(text))
    assert {"Hong Kong", "Russia"} <= {p.name for p in find_places([text])}
