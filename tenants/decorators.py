from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse


def client_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the client's own portal: logged in, with a current tenant (else 404)."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.tenant is None:
            raise Http404("No client selected.")
        return view(request, *args, **kwargs)

    return wrapper
