"""Schemas every router shares: the problem document and paging parameters."""

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field

from tandem.api.validation import Text


class Problem(Schema):
    """An error, as RFC 9457 describes (``application/problem+json``)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: dict[str, list[str]] | None = Field(
        None, description="Field name → messages, for invalid input."
    )
    current: dict[str, Any] | None = Field(
        None, description="On a 409 edit conflict: the record as it is now."
    )
    changes: list[dict[str, Any]] | None = Field(
        None, description="On a 409 edit conflict: the fields you would overwrite."
    )


#: Answers every operation may give besides its success.
ERRORS = {status: Problem for status in (400, 401, 403, 409, 413, 429)}
#: …and those that name a record by uuid or id, which may not exist.
ENTITY_ERRORS = {**ERRORS, 404: Problem}


class CursorParams(Schema):
    limit: Annotated[int, Field(ge=1, le=500)] = 50
    cursor: Annotated[Text, Field(max_length=2000)] | None = Field(
        None, description="The `next` of the previous page."
    )


class PageParams(CursorParams):
    q: Annotated[Text, Field(max_length=200)] | None = Field(
        None, description="Words to find, ignoring case and accents."
    )
    order: Annotated[Text, Field(max_length=200)] | None = Field(
        None, description="Keys, comma-separated; `-` for descending: `name,-modified`."
    )
    include_trashed: bool = False


def refuse_unknown_parameters(request: HttpRequest, schema: type[Schema]) -> None:
    """A mistyped filter must not answer with the whole, unfiltered list."""
    from tandem.api.problems import ApiProblem

    unknown = sorted(set(request.GET) - set(schema.model_fields))
    if unknown:
        raise ApiProblem(
            400,
            _("Some values are not valid: see “errors”."),
            errors={
                name: [
                    _("Unknown parameter. Known ones: %(known)s.")
                    % {"known": ", ".join(sorted(schema.model_fields))}
                ]
                for name in unknown
            },
        )
