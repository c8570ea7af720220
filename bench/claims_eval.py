"""Score the claims engine against gold claims (seeds.json style or the devset).

    .venv/bin/python bench/claims_eval.py --gold tests/data/gold_seeds.json
    .venv/bin/python bench/claims_eval.py --gold ../shared/devset/articles

Matching follows the devset README "Scoring an extractor": kind plus
normalised value, each gold claim matched once; release dates compared as day
intervals (strict: same endpoints; lenient: overlap and predicted width at
most a year). The primary score uses main-subject claims only; the secondary
adds claims about other subjects (matched on the normalised subject too).
All claims are scored, superseded ones included (flag accuracy is separate).
"""

from __future__ import annotations

import argparse
import calendar
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from watcher.claims import ArticleClaims, extract_claims

Extractor = Callable[[str, date | None, str | None], ArticleClaims]
GoldClaim = dict[str, object]
SEED_SNAPSHOTS = Path(__file__).resolve().parent.parent / "snapshots"


@dataclass(frozen=True)
class GoldArticle:
    """One article: its plain text (header removed) and the gold annotations."""

    name: str
    text: str
    title: str | None
    reference_date: date | None
    negative: bool
    claims: tuple[GoldClaim, ...]
    distractors: tuple[str, ...] = ()


@dataclass
class Tally:
    """True positives, false positives and false negatives of one bucket."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    """Everything the scorer measures; ``main`` is the primary (main-subject) score."""

    main: dict[str, Tally] = field(default_factory=dict)
    all_subjects: dict[str, Tally] = field(default_factory=dict)
    lenient_dates: Tally = field(default_factory=Tally)
    certainty: Counter[bool] = field(default_factory=Counter)
    superseded: Counter[bool] = field(default_factory=Counter)
    role: Counter[bool] = field(default_factory=Counter)
    status_date: Counter[bool] = field(default_factory=Counter)
    negative_claims: int = 0
    predicted: int = 0
    trapped: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    wrong_certainty: list[str] = field(default_factory=list)
    wrong_role: list[str] = field(default_factory=list)

    def micro(self, *, cast: bool, scope: str = "main") -> Tally:
        """Micro-average over kinds, with or without cast."""
        table = self.main if scope == "main" else self.all_subjects
        total = Tally()
        for kind, tally in table.items():
            if kind == "cast" and not cast:
                continue
            total.tp += tally.tp
            total.fp += tally.fp
            total.fn += tally.fn
        return total


def _norm_name(value: str) -> str:
    value = value.casefold().replace("&", "and")
    return re.sub(r"[\s\-‐‑’'`.]", "", value)


def norm_subject(value: object) -> str:
    """README rule: case-folded, no spaces/hyphens/apostrophes, & = and."""
    return "" if value is None else _norm_name(str(value))


def _point(text: str, *, first: bool) -> date | None:
    if text in ("", ".."):
        return None
    parts = [int(p) for p in text.split("-")]
    month = parts[1] if len(parts) > 1 else (1 if first else 12)
    if len(parts) > 2:
        return date(parts[0], month, parts[2])
    return date(parts[0], month, 1 if first else calendar.monthrange(parts[0], month)[1])


def interval(value: str) -> tuple[date | None, date | None] | None:
    """Day interval of an EDTF value; None for ``unknown`` or an unparsable value."""
    if value == "unknown":
        return None
    left, sep, right = value.partition("/")
    try:
        if not sep:
            return _point(left, first=True), _point(left, first=False)
        return _point(left, first=True), _point(right, first=False)
    except (ValueError, IndexError):
        return None


def _dates_match(pred: str, gold: str, *, lenient: bool) -> bool:
    if pred == "unknown" or gold == "unknown":
        return pred == gold
    p, g = interval(pred), interval(gold)
    if p is None or g is None:
        return False
    if p == g:
        return True
    if not lenient or p[0] is None or p[1] is None:
        return False
    if (p[1] - p[0]).days > 366:
        return False
    return (p[0] <= (g[1] or date.max)) and ((g[0] or date.min) <= p[1])


_TRAILER_MAP = {"not_released": ("none", "upcoming")}


def values_match(kind: str, pred: str, gold: GoldClaim, *, lenient: bool = False) -> bool:
    """Does a predicted value match a gold claim's value (README matching rules)?"""
    value = str(gold["value"])
    if kind == "release_date":
        return _dates_match(pred, value, lenient=lenient)
    if kind in ("cast", "crew", "platform"):
        wanted = {_norm_name(value)}
        if gold.get("canonical"):
            wanted.add(_norm_name(str(gold["canonical"])))
        return _norm_name(pred) in wanted
    if kind == "trailer":
        return pred == value or pred in _TRAILER_MAP.get(value, ())
    if kind == "episodes":
        return pred.strip() == value.strip()
    return pred == value


def _certainty_ok(pred: str, gold: str) -> bool:
    return pred in ("official", "reported") if gold == "confirmed" else pred == gold


def _match(
    predicted: list[dict[str, object]], gold: list[GoldClaim], *, lenient: bool
) -> list[tuple[int, int]]:
    """Greedy one-to-one matching. Among gold claims a prediction matches (one person
    with two crew roles), the one with the same role is paired with it."""
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for pi, pred in enumerate(predicted):
        candidates = [
            gi
            for gi, g in enumerate(gold)
            if gi not in used
            and g["kind"] == pred["kind"]
            and norm_subject(g.get("subject")) == norm_subject(pred.get("subject"))
            and values_match(str(pred["kind"]), str(pred["value"]), g, lenient=lenient)
        ]
        if candidates:
            same_role = [gi for gi in candidates if gold[gi].get("role") == pred.get("role")]
            gi = (same_role or candidates)[0]
            pairs.append((pi, gi))
            used.add(gi)
    return pairs


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _bump(table: dict[str, Tally], kind: str) -> Tally:
    return table.setdefault(kind, Tally())


def score(articles: Iterable[GoldArticle], extractor: Extractor) -> Report:
    """Run ``extractor`` on every article and compare with the gold claims."""
    report = Report()
    for article in articles:
        result = extractor(article.text, article.reference_date, article.title)
        predicted = [c.to_json() for c in result.claims]
        report.predicted += len(predicted)
        if article.negative:
            report.negative_claims += len(predicted)
        for d in article.distractors:
            start = article.text.find(d)
            if start < 0:
                continue
            span = (start, start + len(d))
            report.trapped += sum(
                1 for p in predicted if _overlaps((int(str(p["start"])), int(str(p["end"]))), span)
            )
        for scope, table in (("main", report.main), ("all", report.all_subjects)):
            gold = [g for g in article.claims if scope == "all" or not g.get("subject")]
            preds = [p for p in predicted if scope == "all" or not p.get("subject")]
            pairs = _match(preds, gold, lenient=False)
            matched_p = {pi for pi, _ in pairs}
            matched_g = {gi for _, gi in pairs}
            for pi, pred in enumerate(preds):
                tally = _bump(table, str(pred["kind"]))
                if pi in matched_p:
                    tally.tp += 1
                else:
                    tally.fp += 1
                    if scope == "main":
                        report.extras.append(
                            f"{article.name} +{pred['kind']} {pred['value']!r} "
                            f"| {str(pred['evidence'])[:110]}"
                        )
            for gi, g in enumerate(gold):
                if gi not in matched_g:
                    _bump(table, str(g["kind"])).fn += 1
                    if scope == "main":
                        report.misses.append(
                            f"{article.name} -{g['kind']} {g['value']!r} "
                            f"| {str(g['evidence'])[:110]}"
                        )
            if scope != "main":
                continue
            for pi, gi in pairs:
                pred, g = preds[pi], gold[gi]
                certainty_ok = _certainty_ok(str(pred["certainty"]), str(g["certainty"]))
                report.certainty[certainty_ok] += 1
                if not certainty_ok:
                    report.wrong_certainty.append(
                        f"{article.name} {g['kind']} {g['value']!r} "
                        f"{pred['certainty']} (gold {g['certainty']}) "
                        f"| {str(pred['evidence'])[:150]}"
                    )
                report.superseded[bool(pred.get("superseded")) == bool(g.get("superseded"))] += 1
                if g.get("role") is not None:
                    role_ok = pred.get("role") == g.get("role")
                    report.role[role_ok] += 1
                    if not role_ok:
                        report.wrong_role.append(
                            f"{article.name} {g['kind']} {g['value']!r} {pred.get('role')} "
                            f"(gold {g['role']}) | {str(pred['evidence'])[:150]}"
                        )
                if g["kind"] == "status" and g.get("date"):
                    pd = pred.get("date")
                    report.status_date[
                        pd is not None and _dates_match(str(pd), str(g["date"]), lenient=False)
                    ] += 1
            dates_gold = [g for g in gold if g["kind"] == "release_date"]
            dates_pred = [p for p in preds if p["kind"] == "release_date"]
            lenient = _match(dates_pred, dates_gold, lenient=True)
            report.lenient_dates.tp += len(lenient)
            report.lenient_dates.fp += len(dates_pred) - len(lenient)
            report.lenient_dates.fn += len(dates_gold) - len(lenient)
    return report


def _parse_ref(value: object) -> date | None:
    if not isinstance(value, str) or not re.match(r"^\d{4}", value):
        return None
    parts = [int(p) for p in value.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 7, parts[2] if len(parts) > 2 else 15)


def load_seeds(path: Path, snapshots: Path = SEED_SNAPSHOTS) -> list[GoldArticle]:
    """Articles of a seeds.json-style gold file; texts from ``snapshots``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out: list[GoldArticle] = []
    for entry in data["articles"]:
        text = (snapshots / entry["file"]).read_text(encoding="utf-8")
        out.append(
            GoldArticle(
                name=entry["file"],
                text=text,
                title=None,
                reference_date=_parse_ref(entry.get("reference_date")),
                negative=bool(entry.get("negative", False)),
                claims=tuple(entry["claims"]),
            )
        )
    return out


def load_devset(directory: Path) -> list[GoldArticle]:
    """Articles of the devset ``articles/`` directory (4-line header removed)."""
    out: list[GoldArticle] = []
    for txt in sorted(directory.glob("*.txt")):
        raw = txt.read_text(encoding="utf-8")
        lines = raw.split("\n")
        header = {}
        body_at = 0
        for i, line in enumerate(lines[:6]):
            key, sep, value = line.partition(":")
            if sep and key in {"source", "title", "reference_date", "retrieved-excerpt"}:
                header[key] = value.strip()
                body_at = i + 1
        body = "\n".join(lines[body_at:]).lstrip("\n")
        gold = json.loads(txt.with_suffix(".json").read_text(encoding="utf-8"))
        out.append(
            GoldArticle(
                name=txt.stem,
                text=body,
                title=header.get("title"),
                reference_date=_parse_ref(gold.get("reference_date", header.get("reference_date"))),
                negative=bool(gold.get("negative", False)),
                claims=tuple(gold.get("claims", ())),
                distractors=tuple(d["evidence"] for d in gold.get("distractors", ())),
            )
        )
    return out


def load(path: Path) -> list[GoldArticle]:
    """Seeds file or devset directory, whichever ``path`` is."""
    return load_devset(path) if path.is_dir() else load_seeds(path)


def default_extractor(text: str, ref: date | None, title: str | None) -> ArticleClaims:
    """``extract_claims`` called as ``watcher claims`` calls it."""
    return extract_claims(text, reference_date=ref, reference_basis="given", title=title)


def _ratio(counter: Counter[bool]) -> str:
    total = counter[True] + counter[False]
    return f"{counter[True] / total:.3f} ({counter[True]}/{total})" if total else "n/a"


def format_report(report: Report) -> str:
    """Human-readable report text."""
    lines = ["primary score: main-subject claims, superseded ones included", ""]
    lines.append(f"{'kind':<14}{'P':>7}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}")
    for kind in sorted(report.main):
        t = report.main[kind]
        lines.append(
            f"{kind:<14}{t.precision:7.3f}{t.recall:7.3f}{t.f1:7.3f}{t.tp:5}{t.fp:5}{t.fn:5}"
        )
    for label, scope in (("main", "main"), ("all subjects", "all")):
        for cast in (False, True):
            t = report.micro(cast=cast, scope=scope)
            lines.append(
                f"micro {label} {'with' if cast else 'without'} cast: P {t.precision:.3f} "
                f"R {t.recall:.3f} F1 {t.f1:.3f} (tp {t.tp} fp {t.fp} fn {t.fn})"
            )
    cast = report.main.get("cast", Tally())
    lines.append(f"cast: P {cast.precision:.3f} R {cast.recall:.3f} F1 {cast.f1:.3f}")
    ld = report.lenient_dates
    lines.append(f"release_date lenient: P {ld.precision:.3f} R {ld.recall:.3f}")
    lines.append(f"certainty accuracy (matched): {_ratio(report.certainty)}")
    lines.append(f"superseded accuracy (matched): {_ratio(report.superseded)}")
    lines.append(f"role accuracy (matched): {_ratio(report.role)}")
    lines.append(f"status date accuracy (matched, gold dated): {_ratio(report.status_date)}")
    lines.append(f"claims on negative articles: {report.negative_claims}")
    rate = report.trapped / report.predicted if report.predicted else 0.0
    lines.append(f"trap rate: {report.trapped}/{report.predicted} = {rate:.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument(
        "--errors", action="store_true", help="list misses, extras, wrong certainties and roles"
    )
    args = parser.parse_args(argv)
    report = score(load(args.gold), default_extractor)
    print(format_report(report))
    if args.errors:
        print("\nmisses:")
        print("\n".join(report.misses))
        print("\nextras:")
        print("\n".join(report.extras))
        print("\nwrong certainty (matched claims):")
        print("\n".join(report.wrong_certainty))
        print("\nwrong role (matched claims):")
        print("\n".join(report.wrong_role))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
