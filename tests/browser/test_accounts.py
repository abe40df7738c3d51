"""Signing up, in and out in the browser; what a viewer sees; the out-of-credits message."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    Server,
    new_person,
    ready,
    register_by_api,
    shoot,
    sign_in_in_browser,
    sign_up_in_browser,
    workspace_with_project,
)
from tests.helpers import tiny_video

pytestmark = pytest.mark.browser


def test_sign_up_create_a_workspace_then_sign_out_and_back_in(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/signin")
    shoot(page, "01-sign-in")
    person = new_person("Grace")
    sign_up_in_browser(page, server, person, screenshot="02-sign-up")
    expect(page.get_by_role("heading", name="Your workspaces")).to_be_visible()
    page.get_by_label("Name").fill("Briefings")
    page.get_by_label("Plan").select_option("pro")
    shoot(page, "03-workspaces")
    page.get_by_role("button", name="Create workspace").click()
    page.wait_for_url("**/w/*")
    ready(page)
    expect(page.get_by_role("heading", name="Briefings", level=1)).to_be_visible()
    expect(page.locator(".pool").first).to_be_visible()
    expect(page.locator("#me-name")).to_have_text("Grace")

    # An access cookie gone (expired) is replaced from the refresh cookie without the user noticing.
    old_refresh = next(c["value"] for c in page.context.cookies() if c["name"] == "vs_refresh")
    page.context.clear_cookies(name="vs_access")
    page.reload()
    ready(page)
    expect(page.locator("#me-name")).to_have_text("Grace")
    expect(page.locator("#page-error")).to_be_empty()
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["vs_access"]["httpOnly"] and cookies["vs_access"]["sameSite"] == "Lax"
    assert cookies["vs_refresh"]["value"] != old_refresh

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/signin")
    dashboard = page.url.replace("/signin", "")
    page.goto(f"{server.url}/")
    page.wait_for_url(re.compile(r"/signin\?next="))

    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password")
    shoot(page, "01-sign-in-wrong-password")
    assert dashboard


def test_a_viewer_sees_no_upload_button(page: Page, server: Server) -> None:
    owner = register_by_api(server, "Olga")
    ws, project = workspace_with_project(server, owner)
    viewer = register_by_api(server, "Victor")
    added = server.api(
        "POST",
        f"/v1/workspaces/{ws}/collaborators",
        owner.token,
        json={"email": viewer.email, "role": "viewer"},
    )
    assert added.status_code == 201, added.text

    sign_in_in_browser(page, server, viewer, next_path=f"/p/{project}")
    expect(page.get_by_role("heading", name="Q3", level=1)).to_be_visible()
    expect(page.locator("#video-list .empty")).to_have_text("No videos yet.")
    expect(page.get_by_role("button", name="Upload and analyse")).to_have_count(0)
    expect(page.locator("#upload")).to_be_hidden()
    shoot(page, "20-project-as-viewer")

    page.goto(f"{server.url}/w/{ws}/settings")
    ready(page)
    expect(page.get_by_role("cell", name="Victor (you)")).to_be_visible()
    expect(page.get_by_role("button", name="Create key")).to_be_hidden()
    expect(page.get_by_role("button", name="Add collaborator")).to_be_hidden()
    shoot(page, "21-settings-as-viewer")


def test_an_upload_beyond_the_credits_says_so(
    page: Page, server: Server, tmp_path: pytest.TempPathFactory
) -> None:
    owner = register_by_api(server, "Otto")
    ws, project = workspace_with_project(server, owner, tier="free")
    drained = server.api(
        "POST",
        f"/v1/workspaces/{ws}/usage",
        owner.token,
        json={"feature": "video_analysis", "quantity": 30},
        headers={"Idempotency-Key": "drain"},
    )
    assert drained.status_code == 201, drained.text
    clip = tmp_path / "clip.mp4"  # type: ignore[operator]
    clip.write_bytes(tiny_video())

    sign_in_in_browser(page, server, owner, next_path=f"/p/{project}")
    page.set_input_files("#upload-file", str(clip))
    page.get_by_role("button", name="Upload and analyse").click()
    alert = page.locator("#upload-error [role=alert]")
    expect(alert).to_contain_text("Out of credits")
    expect(alert.get_by_role("link", name="Top up credits or change the plan")).to_have_attribute(
        "href", f"/w/{ws}/settings#top-ups"
    )
    expect(page.locator(".video-row")).to_have_count(0)
    shoot(page, "22-out-of-credits")

    page.goto(f"{server.url}/w/{ws}")
    ready(page)
    expect(page.locator(".pool-empty").first).to_be_visible()
    shoot(page, "23-dashboard-out-of-credits")


def test_a_failed_analysis_shows_its_reason_and_can_be_run_again(page: Page, server: Server) -> None:
    owner = register_by_api(server, "Fay")
    ws, project = workspace_with_project(server, owner)
    failed = {
        "id": "00000000-0000-4000-8000-000000000001",
        "project_id": project,
        "workspace_id": ws,
        "name": "interview.mov",
        "size_bytes": 48_000_000,
        "sha256": "0" * 64,
        "status": "failed",
        "stage": "speech",
        "progress": 0.4,
        "eta_seconds": None,
        "error": "The sound track could not be decoded after 2:14.",
        "duration": 312.0,
        "width": 1280,
        "height": 720,
        "fps": 25.0,
        "has_audio": True,
        "has_subtitles": False,
        "container": "mov",
        "features": {},
        "attempt": 1,
        "created_at": "2026-01-05T10:00:00Z",
        "finished_at": "2026-01-05T10:03:00Z",
        "processing_seconds": 180.0,
    }
    # The failure itself comes from the analysis; here the page is shown one, to check how it reads.
    page.route(
        f"**/v1/projects/{project}/videos?*",
        lambda route: route.fulfill(json={"items": [failed], "next_cursor": None}),
    )
    sign_in_in_browser(page, server, owner, next_path=f"/p/{project}")
    row = page.locator(".video-row")
    expect(row.locator(".badge")).to_have_text("Failed")
    expect(row.locator(".failure")).to_have_text(
        "Analysis failed: The sound track could not be decoded after 2:14."
    )
    expect(row.get_by_role("button", name="Re-analyse: interview.mov")).to_be_visible()
    shoot(page, "24-failed-analysis")
