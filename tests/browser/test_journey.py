"""The journey of a new user: sign up, make a workspace and a project, upload the briefing video, watch
its analysis reach ready, ask when the Denver warehouse is mentioned and follow the citation in the
player; then search the project, manage the workspace, and look at the video page on a phone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server, new_person, ready, shoot, sign_up_in_browser
from tests.e2e.conftest import SPECS, make_video

pytestmark = pytest.mark.browser
ANALYSIS_TIMEOUT_MS = 300_000
BRIEFING_SPEC = SPECS / "briefing.spec"


@pytest.fixture(scope="module")
def briefing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The one-minute briefing of tests/media/briefing.spec (8 scenes), at 640x360 to keep analysis quick."""
    made = make_video(BRIEFING_SPEC, tmp_path_factory.mktemp("briefing"), "briefing")
    return made.path, made.truth


def scene_with(truth: dict[str, Any], line: str) -> dict[str, Any]:
    scene: dict[str, Any] = next(s for s in truth["scenes"] if line in s["text"])
    return scene


def player_time(page: Page) -> float:
    return float(page.evaluate("document.getElementById('player').currentTime"))


def test_from_sign_up_to_a_cited_moment(
    page: Page, server: Server, briefing: tuple[Path, dict[str, Any]]
) -> None:
    video_path, truth = briefing
    sign_up_in_browser(page, server, new_person("Grace"))
    page.get_by_label("Name").fill("Northern region")
    page.get_by_label("Plan").select_option("pro")
    page.get_by_role("button", name="Create workspace").click()
    page.wait_for_url(re.compile(r"/w/[0-9a-f-]{36}$"))
    workspace_url = page.url
    ready(page)

    page.get_by_role("link", name="Open projects").click()
    page.wait_for_url("**/projects")
    ready(page)
    page.get_by_label("Name").fill("Quarterly briefings")
    page.get_by_role("button", name="Create project").click()
    page.wait_for_url(re.compile(r"/p/[0-9a-f-]{36}$"))
    project_url = page.url
    ready(page)
    shoot(page, "05-project-empty")

    # Upload: bytes with a progress bar, then the analysis live from the event stream.
    page.set_input_files("#upload-file", str(video_path))
    page.get_by_role("button", name="Upload and analyse").click()
    expect(page.locator("#upload-progress")).to_be_visible()
    row = page.locator(".video-row").first
    expect(row.locator(".video-name")).to_have_text("briefing.mp4")
    expect(row.locator("progress")).to_be_visible()
    expect(row.locator(".progress-label")).to_contain_text(re.compile(r"Step \d of 6|Waiting"))
    shoot(page, "06-project-analysing")
    expect(row.locator(".badge")).to_have_text("Ready", timeout=ANALYSIS_TIMEOUT_MS)
    expect(row.get_by_role("button", name="Re-analyse: briefing.mp4")).to_be_visible()
    shoot(page, "07-project-ready")

    # The video page: player, scenes, transcript and on-screen text that follow the playhead.
    row.locator(".video-name").click()
    page.wait_for_url(re.compile(r"/v/[0-9a-f-]{36}$"))
    ready(page)
    expect(page.locator("#timeline li")).to_have_count(len(truth["scenes"]))
    expect(page.locator("#transcript li").first).to_be_visible()
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    shoot(page, "08-video")

    # A lost connection is said plainly, and the question can be asked again.
    question = "When is the Denver warehouse mentioned?"
    page.context.set_offline(True)
    page.get_by_label("Your question about this video").fill(question)
    page.get_by_role("button", name="Ask").click()
    expect(page.locator("#connection")).to_contain_text("Connection lost")
    expect(page.locator("#chat-error [role=alert]")).to_contain_text("Connection lost")
    shoot(page, "09-video-offline", full_page=False)
    page.context.set_offline(False)
    expect(page.locator("#connection")).to_be_hidden(timeout=15_000)

    # Ask: the answer streams in; each [mm:ss] is a link that seeks the player into the cited span.
    expect(page.get_by_label("Your question about this video")).to_have_value(question)
    page.get_by_label("Your question about this video").press("Enter")
    answer = page.locator(".chat-message.from-assistant:not(.streaming)").last
    citation = answer.locator(".answer-text a.moment").first
    expect(citation).to_have_text(re.compile(r"^\[\d{2}:\d{2}\]$"))
    start, end = (
        float(citation.get_attribute("data-start") or "nan"),
        float(citation.get_attribute("data-end") or "nan"),
    )
    denver = scene_with(truth, "Denver Warehouse")
    assert start < denver["end"] and end > denver["start"], (start, end, denver)
    citation.click()
    page.wait_for_function(
        "([s, e]) => { const p = document.getElementById('player');"
        " return !p.seeking && p.currentTime >= s && p.currentTime <= e; }",
        arg=[start, end],
    )
    assert start <= player_time(page) <= end
    shoot(page, "10-video-answer")

    # The panels follow the playhead: at the Denver sentence, its line and the scene's text are marked.
    said = next(s for s in truth["speech"] if "Denver" in s["text"])
    page.evaluate(
        "(t) => { const p = document.getElementById('player'); p.pause(); p.currentTime = t; }",
        said["start"] + 0.5,
    )
    expect(page.locator("#transcript li.active")).to_contain_text("Denver")
    page.get_by_role("tab", name="On-screen text").click()
    scene_text = page.locator("#screen-text li.active").first
    expect(scene_text).to_contain_text(re.compile("Denver|Loading Docks", re.I))
    expect(page.locator("#timeline li.active")).to_have_count(1)
    shoot(page, "10-video-following")
    page.get_by_role("tab", name="On-screen text").press("ArrowRight")  # keyboard: the next tab
    expect(page.get_by_role("tab", name="Chapters")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tab", name="Chapters")).to_be_focused()
    expect(page.locator("#chapters li").first).to_be_visible()
    shoot(page, "10-video-chapters")

    # Search the project: a result opens the video at its moment.
    page.goto(f"{project_url}/search?q=safety%20glasses")
    result = page.locator(".result").first
    expect(result).to_contain_text("briefing.mp4")
    shoot(page, "11-search")
    link = result.locator("a.result-link")
    href = link.get_attribute("href") or ""
    moment = float(re.search(r"t=([\d.]+)", href).group(1))  # type: ignore[union-attr]
    safety = scene_with(truth, "Laboratory Safety")
    assert safety["start"] - 1 <= moment <= safety["end"] + 1, (moment, safety)
    link.click()
    page.wait_for_function(
        "(t) => { const p = document.getElementById('player');"
        " return p.readyState >= 1 && Math.abs(p.currentTime - t) < 0.5; }",
        arg=moment,
    )

    # Workspace settings: an API key shown once, the usage report and its CSV.
    page.goto(f"{workspace_url}/settings")
    ready(page)
    page.get_by_label("Name").fill("nightly import")
    page.get_by_role("button", name="Create key").click()
    key = page.get_by_label("The new API key")
    expect(key).to_have_value(re.compile(r"^vsk_"))
    expect(page.locator("#api-key-list li")).to_have_count(1)
    expect(page.locator("#usage-rows")).to_contain_text("Video analysis")
    csv_href = page.locator("#usage-csv").get_attribute("href") or ""
    csv = page.request.get(f"{server.url}{csv_href}")
    assert csv.ok and "text/csv" in csv.headers["content-type"], csv.status
    shoot(page, "12-settings")

    page.goto(workspace_url)
    ready(page)
    expect(page.locator("#recent-videos li")).to_contain_text("briefing.mp4")
    expect(page.locator("#usage-chart svg rect").first).to_be_attached()
    shoot(page, "13-dashboard")

    # A phone: the same video page in one column.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server.url}{href.split('?')[0]}")
    ready(page)
    expect(page.locator("#timeline li").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    shoot(page, "14-video-phone")
    page.goto(workspace_url)
    ready(page)
    shoot(page, "15-dashboard-phone")

    # Re-analyse, then cancel: the row follows the analysis as it starts and stops.
    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(project_url)
    ready(page)
    row = page.locator(".video-row").first
    row.get_by_role("button", name="Re-analyse: briefing.mp4").click()
    expect(row.locator(".badge")).to_have_text(re.compile("Queued|Analysing"))
    row.get_by_role("button", name="Cancel analysis: briefing.mp4").click()
    expect(row.locator(".badge")).to_have_text("Cancelled", timeout=60_000)
    expect(row.get_by_role("button", name="Re-analyse: briefing.mp4")).to_be_visible()
    shoot(page, "16-project-cancelled")
