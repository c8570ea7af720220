"""Value types of the claims engine: what one article says, with evidence.

These types are the contract between the claims engine, the store, the diff and
the digest. They are plain frozen dataclasses so that every step stays a pure
function of values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

Kind = Literal["release_date", "status", "platform", "cast", "crew", "trailer", "episodes"]
Certainty = Literal["official", "reported", "speculative"]

KINDS: Final[tuple[Kind, ...]] = (
    "release_date",
    "status",
    "platform",
    "cast",
    "crew",
    "trailer",
    "episodes",
)
CERTAINTIES: Final[tuple[Certainty, ...]] = ("official", "reported", "speculative")
STATUSES: Final[tuple[str, ...]] = (
    "announced",
    "renewed",
    "undecided",
    "in_development",
    "pre_production",
    "filming",
    "post_production",
    "completed",
    "delayed",
    "cancelled",
    "released",
)
CAST_ROLES: Final[tuple[str, ...]] = ("returning", "new", "not_returning", "series")
CREW_ROLES: Final[tuple[str, ...]] = (
    "director",
    "creator",
    "writer",
    "producer",
    "showrunner",
    "developer",
    "studio",
)
TRAILER_VALUES: Final[tuple[str, ...]] = ("released", "upcoming", "none")

# Where the reference date used to resolve relative dates came from.
ReferenceBasis = Literal["given", "html", "last_modified", "fetched", "none"]


@dataclass(frozen=True, slots=True)
class Claim:
    """One thing an article says, with the sentence that says it.

    ``value`` is a string in every kind: an EDTF date or ``unknown`` for
    release dates, a status word, a normalised platform name, a person's name,
    a trailer state or an episode count in decimal.
    ``subject`` is None when the claim is about the article's main subject.
    ``start``/``end`` are character offsets of ``evidence`` in the input text.
    """

    kind: Kind
    value: str
    certainty: Certainty
    evidence: str
    start: int
    end: int
    subject: str | None = None
    role: str | None = None
    superseded: bool = False
    date: str | None = None
    character: str | None = None

    def to_json(self) -> dict[str, object]:
        """The ``watcher claims --json`` form: optional keys only when set."""
        out: dict[str, object] = {
            "kind": self.kind,
            "value": self.value,
            "certainty": self.certainty,
            "evidence": self.evidence,
        }
        if self.subject is not None:
            out["subject"] = self.subject
        if self.role is not None:
            out["role"] = self.role
        out["start"] = self.start
        out["end"] = self.end
        if self.superseded:
            out["superseded"] = True
        if self.date is not None:
            out["date"] = self.date
        if self.character is not None:
            out["character"] = self.character
        return out

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Claim:
        """Inverse of :meth:`to_json`, for claims read back from the store."""

        def opt(key: str) -> str | None:
            value = data.get(key)
            return None if value is None else str(value)

        return cls(
            kind=str(data["kind"]),  # type: ignore[arg-type]
            value=str(data["value"]),
            certainty=str(data["certainty"]),  # type: ignore[arg-type]
            evidence=str(data["evidence"]),
            start=int(data.get("start", 0)),  # type: ignore[call-overload]
            end=int(data.get("end", 0)),  # type: ignore[call-overload]
            subject=opt("subject"),
            role=opt("role"),
            superseded=bool(data.get("superseded", False)),
            date=opt("date"),
            character=opt("character"),
        )


@dataclass(frozen=True, slots=True)
class ArticleClaims:
    """Everything the claims engine found in one article."""

    subject: str | None
    reference_date: str | None
    reference_basis: ReferenceBasis
    claims: tuple[Claim, ...] = field(default=())

    def to_json(self) -> dict[str, object]:
        """The ``watcher claims --json`` document."""
        return {
            "subject": self.subject,
            "reference_date": self.reference_date,
            "reference_basis": self.reference_basis,
            "claims": [claim.to_json() for claim in self.claims],
        }
