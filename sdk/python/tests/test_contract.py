"""Contract: the SDK's models against the API's OpenAPI document (``docs/openapi.json``). Every
field of every schema the SDK reads or sends is in its model with a compatible type, and every
field of a model is in its schema; a field that may be absent or null is optional in the model
it is read into, and a field the server requires is never left out of what is sent. Enums,
formats and ranges may be added to the schemas: the JSON stays the same, and so does the verdict.
Every endpoint and query parameter the SDK uses exists."""

from __future__ import annotations

import copy
import enum
import json
import re
import typing
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import selfmodel as sm
from selfmodel import _calls, _codec, _wire
from selfmodel.secret import Secret

DOC_PATH = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"

READ = {
    "VendorInfo": sm.VendorInfo,
    "GrantOut": sm.Grant,
    "ConsentOut": sm.Consent,
    "BeliefOut": sm.Belief,
    "EvidenceOut": sm.Evidence,
    "BeliefsOut": sm.BeliefPage,
    "ProposalOut": sm.ProposalReceipt,
    "EventOut": sm.Event,
    "EventsOut": sm.Events,
    "CheckpointOut": sm.SignedCheckpoint,
    "GrantRequestOut": _wire.GrantRequestOut,
    "PollOut": _wire.PollOut,
    "ProofOut": _wire.ProofOut,
    "Problem": _wire.Problem,
    "ProblemBody": _wire.ProblemBody,
}
"""Schemas of answers, and the models they are read into."""

SENT = {
    "VendorInfo": sm.VendorInfo,
    "GrantRequestIn": sm.GrantRequest,
    "ProposalIn": sm.Proposal,
    "EvidenceIn": sm.EvidenceIn,
    "PollIn": _wire.PollIn,
    "ProofIn": _wire.ProofIn,
}
"""Schemas of requests, and the models they are sent from."""

MODELS = {**READ, **SENT}


@pytest.fixture(scope="module")
def doc() -> Any:
    return json.loads(DOC_PATH.read_text())


def schemas(doc: Any) -> dict[str, Any]:
    found: dict[str, Any] = doc["components"]["schemas"]
    return found


def is_object(schema: Any) -> bool:
    return "properties" in schema or schema.get("type") == "object"


def unwrap(schema: Any) -> Any:
    """A schema without a single-member ``allOf`` wrapper."""
    while len(schema.get("allOf", [])) == 1:
        schema = {**{k: v for k, v in schema.items() if k != "allOf"}, **schema["allOf"][0]}
    return schema


def nullable(schema: Any) -> bool:
    schema = unwrap(schema)
    types = schema.get("type")
    alternatives = schema.get("oneOf", []) + schema.get("anyOf", [])
    return (
        types == "null"
        or (isinstance(types, list) and "null" in types)
        or any(nullable(a) for a in alternatives)
    )


def incompatible(doc: Any, schema: Any, hint: Any) -> str | None:
    """Why values of ``schema`` cannot be read into (or sent from) ``hint``, if they cannot."""
    schema = unwrap(schema)
    if nullable(schema):
        inner = _codec.optional_inner(hint)
        if inner is None:
            return "may be null, but the model's type is not optional"
        hint = inner
    else:
        hint = _codec.optional_inner(hint) or hint
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        target = schemas(doc)[name]
        if is_object(target):
            return None if MODELS.get(name) is hint else f"is {name}, the model has {hint!r}"
        return incompatible(doc, target, hint)
    alternatives = [a for a in schema.get("oneOf", []) + schema.get("anyOf", []) if not _null(a)]
    if alternatives:
        if len(alternatives) != 1:
            return "is a union the SDK does not model"
        return incompatible(doc, alternatives[0], hint)
    types = schema.get("type")
    kinds = [t for t in (types if isinstance(types, list) else [types]) if t != "null"]
    if len(kinds) != 1:
        return f"has the types {types!r}"
    return _scalar_or_array(doc, kinds[0], schema, hint)


def _null(schema: Any) -> bool:
    return bool(schema.get("type") == "null")


def _scalar_or_array(doc: Any, kind: str, schema: Any, hint: Any) -> str | None:
    if kind == "array":
        if typing.get_origin(hint) is not list:
            return f"is an array, the model has {hint!r}"
        return incompatible(doc, schema.get("items", {}), typing.get_args(hint)[0])
    if kind == "string":
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            unknown = [v for v in schema.get("enum", []) if not _parses(hint, v)]
            return f"may be {unknown}, unknown to {hint.__name__}" if unknown else None
        if hint is datetime:
            fmt = schema.get("format", "date-time")
            return None if fmt == "date-time" else f"has format {fmt}, the model a datetime"
        ok = hint is str or (isinstance(hint, type) and issubclass(hint, Secret))
        return None if ok else f"is a string, the model has {hint!r}"
    expected = {"integer": int, "number": float, "boolean": bool}.get(kind)
    return None if hint is expected else f"is {kind}, the model has {hint!r}"


def _parses(cls: type[enum.Enum], value: Any) -> bool:
    try:
        cls(value)
    except ValueError:
        return False
    return True


def mismatches(doc: Any, name: str, cls: type, sent: bool) -> list[str]:
    """Everything that does not match between an object schema and its model."""
    schema = schemas(doc)[name]
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    fields = _codec.hints(cls)
    found = [f"{name}.{f}: not in the schema" for f in fields if f not in properties]
    for prop, sub in properties.items():
        where = f"{name}.{prop}"
        if prop not in fields:
            found.append(f"{where}: not in {cls.__name__}")
            continue
        hint = fields[prop]
        optional = _codec.optional_inner(hint) is not None
        why = incompatible(doc, sub, hint)
        if why:
            found.append(f"{where} {why}")
        if not sent and (prop not in required or nullable(sub)) and not optional:
            found.append(f"{where}: may be absent, but {cls.__name__} requires it")
        if sent and prop in required and optional:
            found.append(f"{where}: required, but {cls.__name__} may leave it out")
    return found


def all_mismatches(doc: Any) -> list[str]:
    found = [m for name, cls in READ.items() for m in mismatches(doc, name, cls, sent=False)]
    found += [m for name, cls in SENT.items() for m in mismatches(doc, name, cls, sent=True)]
    return found


def test_every_model_matches_its_schema(doc: Any) -> None:
    assert all_mismatches(doc) == []


def test_every_object_schema_has_a_model(doc: Any) -> None:
    objects = {name for name, s in schemas(doc).items() if is_object(s)}
    assert objects == set(MODELS), "a schema was added or removed: model it (or drop its model)"


def test_enums_formats_and_ranges_in_the_schemas_change_nothing(doc: Any) -> None:
    future = copy.deepcopy(doc)
    s = schemas(future)
    s["Operation"] = {"type": "string", "enum": ["read", "read_evidence", "propose"]}
    s["Sensitivity"] = {"type": "string", "enum": ["normal", "special"]}
    s["EventKind"] = {
        "type": "string",
        "enum": ["belief.rectified", "belief.erased", "grant.revoked"],
    }
    s["BeliefOut"]["properties"]["sensitivity"] = {"$ref": "#/components/schemas/Sensitivity"}
    s["BeliefOut"]["properties"]["confidence"].update(minimum=0, maximum=1)
    s["BeliefOut"]["properties"]["updated_at"]["format"] = "date-time"
    s["BeliefOut"]["properties"]["id"]["format"] = "uuid"
    s["GrantOut"]["properties"]["operations"]["items"] = {"$ref": "#/components/schemas/Operation"}
    s["GrantOut"]["properties"]["revoked_at"] = {"type": ["string", "null"], "format": "date-time"}
    s["EventOut"]["properties"]["kind"] = {"allOf": [{"$ref": "#/components/schemas/EventKind"}]}
    s["EvidenceOut"]["properties"]["kind"] = {
        "type": "string",
        "enum": ["stated", "observed", "inferred", "imported"],
    }
    s["PollOut"]["properties"]["status"] = {
        "type": "string",
        "enum": ["pending", "approved", "denied", "expired"],
    }
    s["GrantRequestIn"]["properties"]["duration_days"].update(minimum=1, maximum=365)
    assert all_mismatches(future) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda s: s["BeliefOut"]["properties"].update(topic={"type": "string"}),
            "BeliefOut.topic: not in Belief",
        ),
        (
            lambda s: s["BeliefOut"]["properties"].pop("statement"),
            "BeliefOut.statement: not in the schema",
        ),
        (
            lambda s: s["BeliefOut"]["properties"]["confidence"].update(type="string"),
            "BeliefOut.confidence is a string",
        ),
        (
            lambda s: s["GrantOut"]["properties"]["vendor_retention_days"].update(
                type=["integer", "null"]
            ),
            "GrantOut.vendor_retention_days may be null",
        ),
        (lambda s: s["GrantOut"]["required"].remove("consent"), "GrantOut.consent: may be absent"),
        (
            lambda s: s["EvidenceOut"]["properties"].update(
                kind={"type": "string", "enum": ["stated", "dreamt"]}
            ),
            "EvidenceOut.kind may be ['dreamt']",
        ),
        (
            lambda s: s["GrantRequestIn"]["required"].append("min_confidence"),
            "GrantRequestIn.min_confidence: required",
        ),
        (
            lambda s: s["EventsOut"]["properties"]["events"]["items"].update(
                {"$ref": "#/components/schemas/BeliefOut"}
            ),
            "EventsOut.events is BeliefOut",
        ),
    ],
)
def test_drift_is_caught(doc: Any, change: Any, expected: str) -> None:
    drifted = copy.deepcopy(doc)
    change(schemas(drifted))
    assert any(m.startswith(expected) for m in all_mismatches(drifted)), all_mismatches(drifted)


def test_every_endpoint_and_query_parameter_the_sdk_uses_exists(doc: Any) -> None:
    def params(path: str) -> set[str]:
        return {
            p["name"] for p in doc["paths"][path]["get"].get("parameters", []) if p["in"] == "query"
        }

    query = sm.BeliefQuery(
        purpose="p", category="c", min_confidence=0.5, q="s", fresh=True, after="a", limit=5
    )
    calls = [
        _calls.proof_call(bytes(32)),
        _calls.grant_request_call(
            sm.GrantRequest(
                vendor=sm.VendorInfo(id="v", name="V"),
                justification="j",
                purposes=["p"],
                categories=["c"],
            )
        ),
        _calls.GRANT,
        _calls.GIVE_UP,
        _calls.beliefs_call(query),
        _calls.belief_call("some/id", "p"),
        _calls.proposal_call(sm.Proposal(statement="s", category="c", confidence=0.5)),
        _calls.events_call(0, 5),
        _calls.checkpoint_call(3),
        _calls.poll_call(
            sm.PendingGrant(
                request_id="r",
                user_code="c",
                poll_secret=sm.PollSecret("smp_x_y"),
                expires_at=datetime.now().astimezone(),
                interval=2.0,
            )
        ),
    ]
    templates = {re.sub(r"\{[^}]+\}", "[^/]+", p): p for p in doc["paths"]}
    for call in calls:
        path = call.path
        if path not in doc["paths"]:
            [path] = [p for t, p in templates.items() if re.fullmatch(t, call.path)]
        operation = doc["paths"][path].get(call.method.lower())
        assert operation is not None, f"{call.method} {path}"
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        assert {k for k, _ in call.query} <= declared, f"{call.method} {path}"
    assert {k for k, _ in query.params()} == params("/v1/beliefs")
    assert params("/v1/events") == {"after", "wait"}
    assert params("/v1/beliefs/{id}") == {"purpose"}
    assert params("/v1/checkpoint") == {"seq"}
