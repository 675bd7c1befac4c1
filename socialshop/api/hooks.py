"""OpenAPI post-processing: what holds for every operation of a kind is
stated once here rather than on every view."""

from .schema import INVALID_REF_NAME


def document_list_errors(result, generator, request, public):
    """Every paginated list can answer 400 (a bad ``page`` or filter)."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            parameters = {parameter.get("name") for parameter in operation.get("parameters", [])}
            if "page" in parameters and "400" not in operation.get("responses", {}):
                operation["responses"]["400"] = {
                    "description": "A query parameter is not valid (`fields` says which).",
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{INVALID_REF_NAME}"}}},
                }
    return result
