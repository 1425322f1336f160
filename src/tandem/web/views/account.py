"""The user's own settings: language and API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.core.exceptions import TandemError
from tandem.core.models import ApiToken
from tandem.core.services.tokens import create_token, revoke_token, tokens_of

NEW_TOKEN_KEY = "tandem-new-token"  # noqa: S105 (a session key name, not a secret)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The settings page. A new token's secret is kept in the session across the redirect
    that follows its creation (so a reload does not create another) and shown once."""
    context = {"new_secret": None, "new_token": None, "name_error": None, "name": ""}
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            token, secret = create_token(user=request.user, name=name)
        except ValidationError as error:
            context.update(name_error=" ".join(error.messages), name=name)
        except TandemError as error:
            messages.error(request, str(error))
        else:
            request.session[NEW_TOKEN_KEY] = {"id": token.pk, "secret": secret}
            return redirect("account")
    elif shown := request.session.pop(NEW_TOKEN_KEY, None):
        token = ApiToken.objects.filter(pk=shown["id"], user=request.user).first()
        if token is not None:
            context.update(new_secret=shown["secret"], new_token=token)
    context["tokens"] = tokens_of(request.user)
    response = render(request, "tandem/account.html", context)
    # The page may show a secret: keep it out of every cache.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    try:
        revoke_token(user=request.user, token=token)
    except TandemError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("account")
