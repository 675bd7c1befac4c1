"""The examples in the OpenAPI schema are written by hand beside the
serializers they illustrate (docs/decisions.md lists such mirrors): every
example answer must be what its response schema describes, no field
missing, none the serializer does not have, each of its type. The error
body may carry extra keys (docs/api.md), so it alone stays open."""

from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator

OPEN_COMPONENTS = {"Error"}  # the error body: extra keys such as current_state are part of the contract


def _closed(node, *, name: str | None = None):
    """The schema as JSON Schema 2020-12: OpenAPI 3.0's ``nullable`` as a
    null alternative, and objects closed to properties they do not list."""
    if isinstance(node, list):
        return [_closed(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _closed(value) for key, value in node.items() if key != "nullable"}
    if converted.get("type") == "object" and "properties" in converted and name not in OPEN_COMPONENTS:
        converted.setdefault("additionalProperties", False)
    return {"anyOf": [converted, {"type": "null"}]} if node.get("nullable") else converted


def test_every_example_answer_is_what_its_serializer_describes():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = {name: _closed(component, name=name) for name, component in schema["components"]["schemas"].items()}
    wrong, checked = [], 0

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                for content in response.get("content", {}).values():
                    validator = Draft202012Validator(
                        {**_closed(content["schema"]), "components": {"schemas": components}}
                    )
                    for name, example in content.get("examples", {}).items():
                        checked += 1
                        wrong.extend(
                            f"{method.upper()} {path} {status} {name!r}: {error.message}"
                            for error in validator.iter_errors(example["value"])
                        )

    assert checked > 100  # every operation's answers, not a few
    assert wrong == []
