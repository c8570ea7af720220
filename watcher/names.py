"""People's names: one person written in several romanisations is one entity.

Korean names reach English articles in competing romanisations ("Park Ji-hu",
"Park Ji Hu", "Park Ji Hoo"; "Yoon Chan-young", "Yoon Chan-yeong"). Treating
those as different people would report a cast member as removed and another as
added every time a source changes its spelling. Three levels, cheapest first:

``person_key``
    casefold, strip accents, drop hyphens, spaces, apostrophes and dots. Exact
    spelling variants ("Lee Jae-kyoo" / "Lee Jae Kyoo") collide here.
``folded_key``
    ``person_key`` of the family name and of the given name after folding the
    vowel and family-name variants of the common romanisation systems
    (oo/ou/eo → u, ae → e, ee → i; Yi/Rhee → lee, Pak/Bak → park ...).
``same_person``
    equal folded keys, or a near-identical folded given name (rapidfuzz) under the
    same folded family name, for one-letter slips in long names.

The family name must always agree after folding, and the fuzzy step is only
used for given names long enough that one edit is a small fraction of the
name, so "Park Ji-hu" and "Park Soo-hoo" (folded "jihu" / "suhu") stay apart.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

from rapidfuzz import fuzz

# Folding is applied to lower-case ASCII syllable text, longest pattern first.
_VOWEL_FOLDS: Final[tuple[tuple[str, str], ...]] = (
    ("eo", "u"),
    ("oo", "u"),
    ("ou", "u"),
    ("ae", "e"),
    ("ee", "i"),
    ("wu", "u"),
)

# Family names whose romanisations differ in more than vowels.
_FAMILY_ALIASES: Final[dict[str, str]] = {
    "yi": "lee",
    "rhee": "lee",
    "ri": "lee",
    "rii": "lee",
    "i": "lee",
    "pak": "park",
    "bak": "park",
    "gim": "kim",
    "choe": "choi",
    "chae": "choi",
    "jeong": "jung",
    "chung": "jung",
    "joung": "jung",
    "sin": "shin",
    "yun": "yoon",
    "gang": "kang",
    "jo": "cho",
    "im": "lim",
    "rim": "lim",
    "ahn": "an",
    "noh": "no",
    "roh": "no",
    "oh": "o",
    "seo": "suh",
    "so": "suh",
    "han": "han",
    "hwang": "hwang",
}

_DROP = re.compile(r"[\s\-‐‑‒–—'’`´.·]+")
_SPLIT = re.compile(r"[\s\-‐‑‒–—]+")
# The shortest folded given name where one edit may still be a spelling slip.
_FUZZY_MIN_LENGTH: Final = 7
_FUZZY_MIN_RATIO: Final = 90.0


def _ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@lru_cache(maxsize=8192)  # names repeat across versions and sources
def person_key(name: str) -> str:
    """Cheap normalisation: casefold, strip accents, drop hyphens/spaces/apostrophes."""
    return _DROP.sub("", _ascii_fold(name.strip()))


def _fold_syllables(text: str) -> str:
    for old, new in _VOWEL_FOLDS:
        text = text.replace(old, new)
    return text


def _parts(name: str) -> tuple[str, str]:
    """(family, given) in person-key form; the family name is taken to come first,
    which is how Korean names appear in release news."""
    tokens = [person_key(t) for t in _SPLIT.split(_ascii_fold(name.strip())) if person_key(t)]
    if not tokens:
        return "", ""
    if len(tokens) == 1:
        return "", tokens[0]
    return tokens[0], "".join(tokens[1:])


def _fold_family(family: str) -> str:
    return _fold_syllables(_FAMILY_ALIASES.get(family, family))


@lru_cache(maxsize=8192)
def folded_parts(name: str) -> tuple[str, str]:
    """(family, given) after romanisation folding."""
    family, given = _parts(name)
    return _fold_family(family), _fold_syllables(given)


def folded_key(name: str) -> str:
    """A key shared by the usual romanisations of one name ("parkjihu")."""
    family, given = folded_parts(name)
    return family + given


def same_person(a: str, b: str) -> bool:
    """True when two spellings name the same person (see the module docstring)."""
    if person_key(a) == person_key(b):
        return True
    fam_a, given_a = folded_parts(a)
    fam_b, given_b = folded_parts(b)
    if fam_a != fam_b:
        return False
    if given_a == given_b:
        return True
    if min(len(given_a), len(given_b)) < _FUZZY_MIN_LENGTH:
        return False
    return bool(fuzz.ratio(given_a, given_b) >= _FUZZY_MIN_RATIO)


class PersonIndex:
    """Stable canonical names for the people seen so far; the first spelling wins.

    Spellings seen before (equal person keys) and romanisation variants (equal
    folded keys) are dict lookups; only a new folded key is compared, fuzzily,
    with the people of the same folded family name whose given names are long
    enough for that.
    """

    def __init__(self) -> None:
        self._by_spelling: dict[str, str] = {}
        self._by_folded: dict[str, str] = {}
        # folded family -> [(folded given, canonical name)] for the fuzzy step
        self._by_family: dict[str, list[tuple[str, str]]] = {}
        self._order: list[str] = []

    def canonical(self, name: str) -> str:
        """The first spelling seen of the person ``name`` names."""
        spelled = person_key(name)
        known = self._by_spelling.get(spelled)
        if known is not None:
            return known
        family, given = folded_parts(name)
        folded = family + given
        known = self._by_folded.get(folded)
        if known is not None:
            self._by_spelling[spelled] = known
            return known
        people = self._by_family.setdefault(family, [])
        if len(given) >= _FUZZY_MIN_LENGTH:
            for other_given, person in people:
                if len(other_given) >= _FUZZY_MIN_LENGTH and (
                    fuzz.ratio(given, other_given, score_cutoff=_FUZZY_MIN_RATIO)
                ):
                    self._by_folded[folded] = self._by_spelling[spelled] = person
                    return person
        person = name.strip()
        people.append((given, person))
        self._by_folded[folded] = self._by_spelling[spelled] = person
        self._order.append(person)
        return person

    def key(self, name: str) -> str:
        """The folded key of the person's canonical spelling: a stable grouping key."""
        return folded_key(self.canonical(name))

    def __len__(self) -> int:
        return len(self._order)

    def people(self) -> list[str]:
        """Canonical names in the order they were first seen."""
        return list(self._order)
