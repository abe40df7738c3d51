"""The OpenAPI document served at /openapi.json, made to say what the API enforces.

FastAPI describes the shapes the routers parse; on top of that this states what is checked in
code: the tier and feature keys of the packaged catalog, the http(s) rule of webhook URLs, and
the errors every operation may answer, as RFC 9457 problems (``application/problem+json``)
instead of FastAPI's own validation error shape, which the API never sends.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from visionscope.features.billing.catalog import read_catalog

PROBLEM = "application/problem+json"
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "An RFC 9457 problem; some carry more members (errors, feature, retry_after...).",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "required": ["type", "title", "status"],
}
ERRORS = {
    "400": "Malformed request",
    "401": "Not signed in, or the credentials are invalid",
    "402": "Out of credits",
    "403": "Not allowed: a role too low, or a feature the tier lacks",
    "404": "Not found (or in another workspace)",
    "409": "Conflicts with the current state, or an idempotency key used for another request",
    "413": "Too large",
    "415": "Not a video",
    "422": "Invalid input",
    "429": "Too many requests; see Retry-After",
    "503": "A dependency is unreachable; see Retry-After",
}
# Request bodies that name a tier or a feature of the catalog.
REQUEST_SCHEMAS = ("WorkspaceCreate", "TierChoice", "TopUpCreate", "UsageCreate")
WEBHOOK_URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/@]+(/.*)?$"


def _catalog_keys() -> tuple[list[str], list[str]]:
    catalog = read_catalog().model_dump()
    return [t["key"] for t in catalog["tiers"]], [f["key"] for f in catalog["features"]]


def _restrict(schema: dict[str, Any], name: str, rule: dict[str, Any]) -> None:
    """Add ``rule`` to the string property ``name`` of a component schema, where it has one."""
    prop = schema.get("properties", {}).get(name)
    if prop is not None and prop.get("type") == "string":
        prop.update(rule)


def describe(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    tiers, features = _catalog_keys()
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    for name in REQUEST_SCHEMAS:
        _restrict(components.get(name, {}), "tier", {"enum": tiers})
        _restrict(components.get(name, {}), "feature", {"enum": features})
    _restrict(components.get("WebhookCreate", {}), "url", {"pattern": WEBHOOK_URL_PATTERN})
    problem = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for item in document.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter.get("name") == "feature":
                    parameter["schema"] = {**parameter.get("schema", {}), "enum": features}
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses[status] = {"description": description, "content": copy.deepcopy(problem)}
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    app.openapi_schema = document
    return document
