"""The rendered digest in a real browser: planted scripts never run, pages render.

Needs the Debian package ``chromium``; skipped with the reason when it is absent.
The control page proves the detection works: the same planted script, written
unescaped, does change the title, so a clean result on the digest means
escaping stopped it, not that the probe is blind.
"""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.test_digest import at, sample_input
from watcher.digest import build_digest, render_site

CHROMIUM = Path("/usr/bin/chromium")
MARK = "PWNED"
PLANTED_SCRIPT = (
    f"<script>document.title='{MARK}';document.body.setAttribute('data-pwned','1')</script>"
)
PLANTED_IMG = (
    f"<img src=x onerror=\"document.title='{MARK}';document.body.setAttribute('data-pwned','2')\">"
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs headless Chromium: apt-get install chromium"
    ),
]


def chromium(tmp: Path, page: Path, *extra: str, width: int = 1280, height: int = 2200) -> str:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    args = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
        *extra,
        page.as_uri(),
    ]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def planted_site(root: Path) -> Path:
    data = sample_input(since=at("2023-01-01T00:00"))
    watches = list(data.watches)
    decider = watches[0]
    latest = decider.versions[-1]
    evil = tuple(
        replace(c, evidence=f"{c.evidence} {PLANTED_SCRIPT} {PLANTED_IMG}") for c in latest.claims
    )
    watches[0] = replace(
        decider,
        versions=(
            *decider.versions[:-1],
            replace(latest, claims=evil, text=f"{latest.text}\n{PLANTED_SCRIPT} {PLANTED_IMG}"),
        ),
    )
    changes = tuple(
        replace(
            r,
            change=replace(
                r.change,
                new=replace(
                    r.change.new, evidence=f"{r.change.new.evidence} {PLANTED_SCRIPT} {PLANTED_IMG}"
                )
                if r.change.new
                else None,
            ),
        )
        for r in data.changes
    )
    files = render_site(build_digest(replace(data, watches=tuple(watches), changes=changes)))
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def test_planted_scripts_never_run_and_the_page_renders(tmp_path: Path) -> None:
    site = planted_site(tmp_path / "site")
    control = tmp_path / "control.html"
    control.write_text(
        f"<!doctype html><title>control</title><body><p>x</p>{PLANTED_SCRIPT}</body>"
    )
    probe = BeautifulSoup(chromium(tmp_path, control, "--dump-dom"), "html.parser")
    assert probe.title is not None and probe.title.get_text() == MARK, (
        "the probe must detect a running script"
    )

    for page in ("index.html", "subjects/all-of-us-are-dead-season-2.html", "watches/1.html"):
        dom = BeautifulSoup(chromium(tmp_path, site / page, "--dump-dom"), "html.parser")
        assert dom.title is not None and MARK not in dom.title.get_text(), page
        body = dom.body
        assert body is not None and body.get("data-pwned") is None, page
        assert dom.find("script") is None and dom.find("img") is None, page
        assert PLANTED_SCRIPT in dom.get_text(), page

    for name, page, width, height in (
        ("index-desktop.png", "index.html", 1280, 2200),
        ("index-phone.png", "index.html", 390, 2400),
        ("subject-desktop.png", "subjects/all-of-us-are-dead-season-2.html", 1280, 2600),
        ("watch-phone.png", "watches/1.html", 390, 1800),
    ):
        shot = tmp_path / name
        chromium(tmp_path, site / page, f"--screenshot={shot}", width=width, height=height)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert shot.stat().st_size > 20_000  # a blank page compresses to a few kB
