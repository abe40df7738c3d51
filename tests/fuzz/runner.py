"""Schemathesis against /openapi.json of a running VisionScope: every operation, as a signed-in owner
and as an admin API key. Path ids come from the world's real resources most of the time (so that
operations are reached, not only their 404s) and are generated otherwise. Two checks must hold for
every response: no 5xx, and the response matches the schema it declares for its status."""

from __future__ import annotations

import collections
import sys
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.fuzz.world import World

# Operations whose real ids would end the world the other cases need (the account, the workspace,
# its project or video, the fuzzer's own key and collaborator, the webhook): fuzzed on made-up ids.
KEEP_ALIVE = {
    ("DELETE", "/v1/me"),
    ("DELETE", "/v1/workspaces/{workspace_id}"),
    ("POST", "/v1/workspaces/{workspace_id}/owner"),
    ("DELETE", "/v1/projects/{project_id}"),
    ("DELETE", "/v1/videos/{video_id}"),
    ("DELETE", "/v1/workspaces/{workspace_id}/api-keys/{key_id}"),
    ("DELETE", "/v1/workspaces/{workspace_id}/collaborators/{user_id}"),
    ("DELETE", "/v1/workspaces/{workspace_id}/webhooks/{hook_id}"),
}
CHECKS = [not_a_server_error, response_schema_conformance]


@dataclass
class Tally:
    cases: int = 0
    reached: int = 0  # cases whose every path id was a real one
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    reached_operations: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        common = ", ".join(f"{status}: {count}" for status, count in sorted(self.statuses.items()))
        return (
            f"{self.cases} cases, {self.reached} on real ids across {len(self.reached_operations)} "
            f"operations, {len(self.failures)} failures; statuses {common}"
        )


def _fuzz_operation(
    world: World, operation: Any, identity: dict[str, str], examples: int, tally: Tally
) -> None:
    key = (operation.method.upper(), operation.path)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=False,
    )
    @given(case=operation.as_strategy(), real=st.sampled_from([True] * 9 + [False]))
    def one(case: Any, real: bool) -> None:
        names = list(case.path_parameters or {})
        swapped = real and key not in KEEP_ALIVE and names and all(n in world.ids for n in names)
        if swapped:
            case.path_parameters = {**case.path_parameters, **{n: world.ids[n] for n in names}}
        headers = dict(identity)
        for name in ("Authorization", "X-API-Key", "authorization", "x-api-key"):
            (case.headers or {}).pop(name, None)
        response = case.call(base_url=world.url, headers=headers, timeout=120)
        tally.cases += 1
        tally.statuses[response.status_code] += 1
        if swapped:
            tally.reached += 1
            tally.reached_operations.add(f"{key[0]} {key[1]}")
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as failure:  # every failure is kept, none stops the run
            tally.failures.append(f"{key[0]} {key[1]} -> {response.status_code}: {str(failure)[:400]}")

    one()


def fuzz(world: World, examples: int) -> Tally:
    schema = schemathesis.openapi.from_url(f"{world.url}/openapi.json")
    tally = Tally()
    identities = [world.bearer, world.api_key]
    for result in schema.get_all_operations():
        operation = result.ok()
        for identity in identities:
            _fuzz_operation(world, operation, identity, examples, tally)
    return tally


def main() -> None:
    """python -m tests.fuzz.runner EXAMPLES: a whole run on a fresh world (scripts/fuzz-api.sh)."""
    import tempfile
    from pathlib import Path

    from tests.fuzz.world import populate, serving

    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory() as scratch:
        data, models = Path(scratch) / "data", Path(scratch) / "models"
        data.mkdir()
        models.mkdir()
        with serving(data, models) as url:
            tally = fuzz(populate(url), examples)
    print(tally.summary())
    for failure in tally.failures[:50]:
        print("FAILED", failure)
    sys.exit(1 if tally.failures else 0)


if __name__ == "__main__":
    main()
