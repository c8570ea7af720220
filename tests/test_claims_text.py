"""Segmentation, clutter filtering and subject detection on invented text."""

from __future__ import annotations

from datetime import date

import pytest

from watcher.claims import extract_claims
from watcher.claims.drafts import statement_of
from watcher.claims.engine import MAX_TEXT
from watcher.claims.sentences import MAX_SENTENCE, segment
from watcher.claims.speakers import MakerSpeech
from watcher.claims.subjects import main_subject, title_spans

TEXT = """Menu
Home | News | Reviews

Harbor Lights Season 3: Release Date, Cast And More

Harbor Lights returns on Hulu in March. Dr. Ana Kovac directs the season opener.

Also Read: Moon Harbor Season 4 release date set for December 1

Popular Posts
Moon Harbor Season 4 is coming in December
Iron Tide launches in May

Harbor Lights fans have waited two years."""


def test_sentences_keep_exact_offsets() -> None:
    for sentence in segment(TEXT):
        assert TEXT[sentence.start : sentence.end] == sentence.text


def test_clutter_lines_are_dropped() -> None:
    texts = [s.text for s in segment(TEXT)]
    assert not any("Also Read" in t for t in texts)
    assert not any("Moon Harbor" in t for t in texts)
    assert not any("Iron Tide" in t for t in texts)
    assert "Home | News | Reviews" not in texts


def test_abbreviations_do_not_split_sentences() -> None:
    texts = [s.text for s in segment(TEXT)]
    assert "Dr. Ana Kovac directs the season opener." in texts


def test_headline_is_marked() -> None:
    headlines = [s.text for s in segment(TEXT) if s.headline]
    assert headlines == ["Harbor Lights Season 3: Release Date, Cast And More"]


def test_main_subject_from_title_case_headline() -> None:
    subject = main_subject("Harbor Lights Season 3: Release Date, Cast And More", TEXT)
    assert subject.name == "Harbor Lights Season 3"
    assert subject.number == 3


@pytest.mark.parametrize(
    ("headline", "body", "name"),
    [
        (
            "Peacock cancels Dunmore Park after two seasons",
            "Peacock has cancelled Dunmore Park. Dunmore Park drew a loyal audience on Peacock.",
            "Dunmore Park",
        ),
        (
            "Apple TV+ renews Copper Lanterns for a third season",
            "Apple TV+ has renewed Copper Lanterns. Copper Lanterns returns to Apple TV+ in 2026.",
            "Copper Lanterns Season 3",
        ),
        (
            "Crunchyroll dates Star Rail Academy Season 2",
            "Crunchyroll will stream Star Rail Academy Season 2, and Star Rail Academy fans on "
            "Crunchyroll can rewatch the first season now.",
            "Star Rail Academy Season 2",
        ),
    ],
)
def test_the_service_that_acts_in_a_headline_is_not_its_subject(
    headline: str, body: str, name: str
) -> None:
    assert main_subject(headline, body).name == name


def test_main_subject_prefers_the_title_over_a_person() -> None:
    body = (
        "Mira Holt has announced that the film Starfall is finished. Starfall opens in May. "
        "Starfall is directed by Mira Holt."
    )
    assert main_subject("Mira Holt drops a new Starfall poster", body).name == "Starfall"


@pytest.mark.parametrize(
    ("headline", "body", "expected"),
    [
        (
            "Corvid OS 12.4.1 will be late, but faster kernels are coming",
            "Corvid OS is a desktop system. Corvid OS 12.4.1 now ships on May 2. "
            "Corvid OS users can wait.",
            "Corvid OS 12.4.1",
        ),
        (
            "Lumen 31 gets delayed again as installer bugs block release",
            "The Lumen project delayed Lumen 31 again. Lumen 31 beta testers saw bugs.",
            "Lumen 31",
        ),
        # A year after the title is a date, not a version.
        (
            "Ember Vale 2026 release window slips",
            "Ember Vale will not make its 2026 window. Ember Vale fans must wait.",
            "Ember Vale",
        ),
    ],
)
def test_main_subject_keeps_a_version_number(headline: str, body: str, expected: str) -> None:
    assert main_subject(headline, body).name == expected


def test_given_title_not_in_text_leaves_first_sentence_ordinary() -> None:
    text = "Harbor Lights returns on Hulu in March.\n\nThe cast is back."
    sentences = segment(text, title="Harbor Lights Season 3 Release Date")
    assert not any(s.headline for s in sentences)
    assert sentences[0].text == "Harbor Lights returns on Hulu in March."


FACT_BOX = """Lantern Street Season 2

Lantern Street returns to Hulu next spring.

Show info
Produced by
Mira Castellano and Joon Ha-neul
Created by
the team behind last year's biggest hit, apparently.
User rating
4 users"""


def test_fact_box_value_keeps_its_label() -> None:
    labelled = [(s.label, s.text) for s in segment(FACT_BOX) if s.label]
    assert labelled == [("Produced by", "Mira Castellano and Joon Ha-neul")]


def test_fact_box_label_only_binds_a_line_of_names() -> None:
    texts = [s.text for s in segment(FACT_BOX)]
    # The prose under "Created by" is no credit, and the label lines themselves are clutter.
    assert not any(s.label for s in segment(FACT_BOX) if "team behind" in s.text)
    assert "Produced by" not in texts
    assert "4 users" not in texts


@pytest.mark.parametrize(
    ("sentence", "phrases"),
    [
        # A date ends a title run; an outlet named before it is kept apart from it.
        ("As Mira told Reelside in September 2022, it was done.", ["Mira", "Reelside"]),
        ('A new teaser for "Orchard" Season 2 on Nov. 12 arrived.', ["Orchard"]),
        # "Part Two" is an installment, not a title; platforms and genres are not titles.
        ("The follow-up, “Part Two”, was set for June.", []),
        ("Ember Vale launches for PC, PS5, and Xbox Series X|S in May.", ["Ember Vale"]),
        ("The fantasy RPG has been delayed.", []),
    ],
)
def test_title_spans_keep_titles_only(sentence: str, phrases: list[str]) -> None:
    assert [phrase for _s, _e, phrase in title_spans(sentence)] == phrases


@pytest.mark.parametrize(
    ("sentence", "claim_at", "scope"),
    [
        (
            "While the latest trailer showed a 2025 window for Ember Vale, the game slipped.",
            "trailer",
            "While the latest trailer showed a 2025 window for Ember Vale",
        ),
        # An aside after a name is skipped: the opening clause ends after it.
        (
            "Although Jo Park, the actor who played Kim, is not expected back, she is happy.",
            "Jo Park",
            "Although Jo Park, the actor who played Kim, is not expected back",
        ),
        (
            "The heirs are Queen Idra (Hana Okafor), though their councils may rule.",
            "Hana Okafor",
            "The heirs are Queen Idra (Hana Okafor)",
        ),
        # After a turn the statement starts anew: an earlier hedge is not this claim's.
        (
            "Elena Voss is expected back, while Jun Ito joins the cast.",
            "Jun Ito",
            "while Jun Ito joins the cast.",
        ),
    ],
)
def test_statement_stops_where_the_sentence_turns(sentence: str, claim_at: str, scope: str) -> None:
    start = sentence.index(claim_at)
    assert statement_of(sentence, start, start + len(claim_at)) == scope


def test_a_developer_speaks_by_its_name_not_by_a_generic_first_word() -> None:
    text = "Obsidian Entertainment made Avowed. Studio Kaede animates the show."
    makers = MakerSpeech(
        text, [("Obsidian Entertainment", "developer"), ("Studio Kaede", "studio")]
    )
    assert makers.speaks("Obsidian made a mistake and mentioned that Avowed was set for May.")
    assert makers.speaks("Studio Kaede confirmed the delay.")
    assert not makers.speaks("Studio staff said the show was delayed.")
    assert not makers.speaks("The report said the show was delayed.")


def test_a_run_on_sentence_is_cut_into_bounded_pieces_with_exact_offsets() -> None:
    text = "Run-on\n\n" + "Season 2 premieres on April 14, 2027, and " * 200 + "that is all."
    pieces = [s for s in segment(text) if not s.headline]
    assert len(pieces) > 1
    assert all(len(p.text) <= MAX_SENTENCE for p in pieces)
    assert all(text[p.start : p.end] == p.text for p in pieces)
    # Cut after a clause break, so no date phrase is split in two.
    assert all(p.text.rstrip().endswith((",", "and", ".")) for p in pieces)
    result = extract_claims(text, reference_date=date(2026, 1, 1))
    assert [c.value for c in result.claims if c.kind == "release_date"] == ["2027-04-14"]


def test_text_past_the_limit_is_not_read(caplog: pytest.LogCaptureFixture) -> None:
    line = "Show Season 2 is set to premiere on April 14, 2027 on Netflix.\n\n"
    tail = "Late Show Season 3 premieres on May 5, 2028.\n"
    text = "Big page\n\n" + line * (MAX_TEXT // len(line) + 1) + tail
    result = extract_claims(text, reference_date=date(2026, 1, 1))
    assert all(c.end <= MAX_TEXT for c in result.claims)
    assert "2028-05-05" not in {c.value for c in result.claims}
    assert "only the first" in caplog.text


def test_a_paragraph_is_not_taken_for_the_headline_or_the_subject() -> None:
    run_on = "Season 2 premieres on April 14, 2027, and the cast returns " * 20
    result = extract_claims(f"Short\n\n{run_on}\n", reference_date=date(2026, 1, 1))
    assert result.subject is None or len(result.subject.split()) <= 40
    titled = extract_claims(
        "Harbor Lights Season 2 premieres on April 14, 2027.",
        reference_date=date(2026, 1, 1),
        title="word " * 5000,
    )
    assert titled.subject == "Harbor Lights Season 2"
