"""``watcher status``: the last run, the watches due and the failing watches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from watcher.records import WatchState
from watcher.store import Store


@dataclass(frozen=True, slots=True)
class StatusReport:
    now: datetime
    watches: int
    paused: int
    due: int
    last_checked_at: datetime | None
    next_due_at: datetime | None
    failing: tuple[WatchState, ...]
    pending_notifications: int
    threshold: int

    def to_json(self) -> dict[str, object]:
        return {
            "now": self.now.isoformat(),
            "watches": self.watches,
            "paused": self.paused,
            "due": self.due,
            "last_checked": self.last_checked_at.isoformat() if self.last_checked_at else None,
            "next_due": self.next_due_at.isoformat() if self.next_due_at else None,
            "pending_notifications": self.pending_notifications,
            "failing": [
                {
                    "id": w.id,
                    "url": w.url,
                    "consecutive_failures": w.consecutive_failures,
                    "flagged": w.consecutive_failures >= self.threshold,
                    "since": w.failing_since.isoformat() if w.failing_since else None,
                    "failure_class": w.last_failure_class,
                    "last_error": w.last_error,
                }
                for w in self.failing
            ],
        }

    def to_text(self) -> str:
        def when(value: datetime | None) -> str:
            return f"{value:%Y-%m-%d %H:%M} UTC" if value else "never"

        lines = [
            f"watches: {self.watches} ({self.paused} paused), due now: {self.due}",
            f"last check: {when(self.last_checked_at)}; next due: {when(self.next_due_at)}",
            f"notifications waiting: {self.pending_notifications}",
        ]
        if not self.failing:
            lines.append("failing watches: none")
        for w in self.failing:
            flag = " [flagged]" if w.consecutive_failures >= self.threshold else ""
            lines.append(
                f"failing{flag} #{w.id} {w.url}: {w.consecutive_failures} in a row since "
                f"{when(w.failing_since)}; {w.last_failure_class}: {w.last_error}"
            )
        return "\n".join(lines)


def service_status(store: Store, *, now: datetime, threshold: int) -> StatusReport:
    """Every watch whose last check failed is listed; ``threshold`` failures in a row
    flag it (as in the digest and notifications)."""
    watches = store.list_watches()
    checked = [w.last_checked_at for w in watches if w.last_checked_at]
    return StatusReport(
        now=now,
        watches=len(watches),
        paused=sum(w.paused for w in watches),
        due=sum(1 for w in watches if not w.paused and w.next_check_at <= now),
        last_checked_at=max(checked) if checked else None,
        next_due_at=store.next_due_at(),
        failing=tuple(w for w in watches if w.consecutive_failures > 0),
        pending_notifications=len(store.pending_notifications(now)),
        threshold=threshold,
    )
