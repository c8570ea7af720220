"""The pure steps of a check: page → article → claims → changes.

Shared by the pipeline (``check_watch``), ``watcher claims`` and the quality
scorer, so that what is measured is what runs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from email.utils import parsedate_to_datetime

from watcher import diff
from watcher.claims import ArticleClaims, extract_claims
from watcher.claims.model import ReferenceBasis
from watcher.decode import decode_body
from watcher.errors import ExtractionError
from watcher.extract import extract_article
from watcher.fetch import FetchResult
from watcher.records import ChangeRow, NewVersion, SnapshotState

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Analysis:
    """The pure part of a check that saw new content."""

    version: NewVersion
    changes: tuple[ChangeRow, ...]
    suppressed: bool = False  # a flip back to a recently seen claim set
    notes: tuple[str, ...] = field(default=())


def reference_date(
    published: date | None, last_modified: str | None, fetched_at: datetime
) -> tuple[date, ReferenceBasis]:
    """The article's publication date and where it came from: the page's metadata,
    else the HTTP Last-Modified header, else the time of the fetch."""
    if published is not None:
        return published, "html"
    if last_modified:
        try:
            return parsedate_to_datetime(last_modified).date(), "last_modified"
        except (TypeError, ValueError):
            log.debug("unparseable Last-Modified %r", last_modified)
    return fetched_at.date(), "fetched"


def analyse(
    fetched: FetchResult,
    *,
    selector: str | None,
    previous: SnapshotState | None,
    recent_fingerprints: Sequence[str],
    fetched_at: datetime,
) -> Analysis:
    """From fetched content to a new version and its claim changes (pure)."""
    assert fetched.text is not None
    article = extract_article(
        fetched.text,
        content_type=fetched.content_type,
        url=fetched.final_url,
        now=fetched_at,
        selector=selector,
    )
    if not article.text.strip():
        # An empty page is a broken answer, not a version that removed every claim:
        # recording it would raise false "removed" changes when the page comes back.
        raise ExtractionError(
            f"{fetched.final_url} has no article text (empty page?); the previous version is kept"
        )
    ref, basis = reference_date(article.published, fetched.last_modified, fetched_at)
    try:
        found: ArticleClaims = extract_claims(
            article.text, reference_date=ref, reference_basis=basis, title=article.title
        )
    except Exception as exc:  # a claims bug must cost one check, not the service
        raise ExtractionError(f"claims extraction failed on {fetched.final_url}: {exc!r}") from exc
    fingerprint = diff.claims_fingerprint(found.claims, found.subject)
    version = NewVersion(
        body=fetched.body,
        text=article.text,
        final_url=fetched.final_url,
        content_type=fetched.content_type,
        charset=fetched.charset,
        title=article.title,
        subject=found.subject,
        reference_date=found.reference_date,
        reference_basis=found.reference_basis,
        claims=found.claims,
        fingerprint=fingerprint,
        previous_body_sha256=previous.body_sha256 if previous else None,
        previous_text_sha256=previous.text_sha256 if previous else None,
    )
    if previous is None:
        # The first version of a watch: every claim is news.
        changes = diff.diff_claims((), found.claims, old_subject=None, new_subject=found.subject)
    elif diff.is_flip_back(fingerprint, previous.fingerprint, recent_fingerprints):
        return Analysis(version=version, changes=(), suppressed=True)
    else:
        changes = diff.diff_claims(
            previous.claims,
            found.claims,
            old_subject=previous.subject,
            new_subject=found.subject,
        )
    rows = tuple(
        ChangeRow(
            kind=c.kind,
            subject=c.subject,
            slot=c.slot,
            change=c.change,
            headline=c.headline,
            old=c.old,
            new=c.new,
        )
        for c in changes
    )
    return Analysis(version=version, changes=rows)


def claims_of_document(raw: bytes, *, reference_date: date | None) -> ArticleClaims:
    """Claims of one plain-text or HTML document, as ``watcher claims`` prints them.

    Without a reference date the page's own metadata gives one, if it has any."""
    text, _charset = decode_body(raw, None)
    # Any fixed instant works as the search bound when the caller gave a date;
    # without one, the far future lets the page's metadata decide.
    bound = datetime.combine(reference_date or date(9999, 12, 31), time(23, 59), tzinfo=UTC)
    article = extract_article(text, content_type=None, url=None, now=bound)
    basis: ReferenceBasis
    if reference_date is not None:
        ref, basis = reference_date, "given"
    elif article.published is not None:
        ref, basis = article.published, "html"
    else:
        return extract_claims(
            article.text, reference_date=None, reference_basis="none", title=article.title
        )
    return extract_claims(
        article.text,
        reference_date=ref,
        reference_basis=basis,
        title=article.title,
    )
