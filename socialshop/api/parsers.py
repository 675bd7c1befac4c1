from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from socialshop.json_input import json_input_parse


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, reading through ``socialshop.json_input``: a body
    over ``JSON_BODY_MAX_BYTES`` answers 413 ``json_too_large``, one nested
    deeper than ``JSON_BODY_MAX_DEPTH`` 400 ``json_too_deep`` (instead of a
    RecursionError and a 500). Every API view parses JSON with this class
    (``DEFAULT_PARSER_CLASSES``, and views that name their parsers)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        body = stream.read(settings.JSON_BODY_MAX_BYTES + 1)  # one byte past the limit is enough to refuse it
        try:
            return json_input_parse(body, encoding=encoding)
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from error
