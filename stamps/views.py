"""The client's stamp pages (owners and finance) and the public verification page `/v/<code>`.

Every design is reached through `get_for_tenant_or_404`, so another client's design is a 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stamps import services
from stamps.artwork import render_svg
from stamps.export import FILE_KINDS
from stamps.forms import StampDesignForm
from stamps.models import StampDesign
from stamps.selectors import default_text, designs_of, stamp_file, stamp_spec, verify_code
from tenants.decorators import client_view
from tenants.scoping import get_for_tenant_or_404

# Below this a line is hard to read once stamped (about a 3.5 pt font).
SMALL_TEXT_MM = 1.2


@client_view
@require_GET
def design_list(request: HttpRequest) -> HttpResponse:
    designs = [
        (design, render_svg(stamp_spec(design)).svg) for design in designs_of(tenant=request.tenant)
    ]
    return render(request, "stamps/design_list.html", {"designs": designs})


@client_view
@require_http_methods(["GET", "POST"])
def design_create(request: HttpRequest) -> HttpResponse:
    initial = {
        "form_kind": StampDesign.Form.ELECTRONIC,
        "shape": StampDesign.Shape.RECTANGULAR,
        "size": "58x22",
        "color_preset": "#1F3A93",
        "text": default_text(tenant=request.tenant),
    }
    form = StampDesignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            design = services.create_design(
                tenant=request.tenant, created_by=request.user, **_design_fields(form)
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The stamp design %(name)s was saved.") % {"name": design})
            return redirect("stamps:list")
    return _edit_page(request, form, design=None)


@client_view
@require_http_methods(["GET", "POST"])
def design_edit(request: HttpRequest, design_id: int) -> HttpResponse:
    design = get_for_tenant_or_404(StampDesign, request.tenant, pk=design_id)
    if design.is_revoked:
        messages.error(request, _("A revoked stamp design cannot be changed."))
        return redirect("stamps:list")
    form = StampDesignForm(request.POST or None, initial=StampDesignForm.initial_for(design))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_design(design=design, **_design_fields(form))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The stamp design %(name)s was saved.") % {"name": design})
            return redirect("stamps:list")
    return _edit_page(request, form, design=design)


@client_view
@require_POST
def design_preview(request: HttpRequest) -> HttpResponse:
    """The htmx partial under the form: the artwork as it stands, or what is wrong with it."""
    form = StampDesignForm(request.POST)
    form.fields["name"].required = False  # the name is not drawn: no reason to hold the preview
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        fields = _design_fields(form)
        unsaved = StampDesign(tenant=request.tenant, **fields)
        design_id = request.POST.get("design_id", "")
        if design_id.isdigit():  # an edited design keeps its code, so show that one
            existing = designs_of(tenant=request.tenant).filter(pk=int(design_id)).first()
            if existing is not None:
                unsaved.code = existing.code
        artwork = render_svg(stamp_spec(unsaved))
        context |= {
            "svg": artwork.svg,
            "smallest_text_mm": artwork.smallest_text_mm,
            "text_too_small": (artwork.smallest_text_mm or SMALL_TEXT_MM) < SMALL_TEXT_MM,
            "size_label": unsaved.size_label,
        }
    return render(request, "stamps/_preview.html", context)


@client_view
@require_GET
def design_download(request: HttpRequest, design_id: int, kind: str) -> HttpResponse:
    design = get_for_tenant_or_404(StampDesign, request.tenant, pk=design_id)
    if kind not in FILE_KINDS:
        raise Http404("No such stamp file.")
    file = stamp_file(design=design, kind=kind)
    name = f"{slugify(design.name) or 'stamp'}-{design.size_slug}{file.name_suffix}"
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{file.extension}"'
    return response


@client_view
@require_http_methods(["GET", "POST"])
def design_revoke(request: HttpRequest, design_id: int) -> HttpResponse:
    """GET asks for confirmation and a reason; POST revokes: the code verifies as not valid."""
    design = get_for_tenant_or_404(StampDesign, request.tenant, pk=design_id)
    if request.method == "GET":
        return render(request, "stamps/design_revoke.html", {"design": design})
    if design.is_revoked:
        messages.info(
            request, _("The stamp design %(name)s was already revoked.") % {"name": design}
        )
    else:
        services.revoke_design(
            design=design, revoked_by=request.user, reason=request.POST.get("reason", "").strip()
        )
        messages.success(request, _("The stamp design %(name)s is revoked.") % {"name": design})
    return redirect("stamps:list")


@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public, no login: the client's name and "under monitoring until …", or "not valid".

    Unknown, revoked and expired codes get the same page and status, so it tells nothing about
    which codes exist; a per-address budget keeps anyone from trying codes in bulk.
    """
    if _over_verify_budget(request):
        response = render(request, "stamps/verify.html", {"rate_limited": True}, status=429)
        response["Retry-After"] = "60"
    else:
        result = verify_code(code[:32])
        response = render(
            request,
            "stamps/verify.html",
            {"result": result, "code": code[:32]},
            status=200 if result.is_valid else 404,
        )
        # Short, so a revocation shows within minutes even behind a shared cache.
        patch_cache_control(response, public=True, max_age=settings.STAMPS_VERIFY_CACHE_SECONDS)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _over_verify_budget(request: HttpRequest) -> bool:
    # Behind the TLS proxy every request comes from the proxy: its X-Forwarded-For's last hop is
    # the visitor (the hop the proxy appended itself, so the visitor cannot choose it).
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
    key = f"stamps:verify:{forwarded or request.META.get('REMOTE_ADDR', '')}"
    if cache.add(key, 1, timeout=60):
        return False
    try:
        return cache.incr(key) > settings.STAMPS_VERIFY_RATE_PER_MINUTE
    except ValueError:  # expired between add and incr
        return False


def _design_fields(form: StampDesignForm) -> dict[str, object]:
    data = form.cleaned_data
    return {name: data[name] for name in services.DESIGN_FIELDS}


def _edit_page(request: HttpRequest, form: StampDesignForm, *, design: StampDesign | None):
    status = 400 if form.errors else 200
    return render(
        request, "stamps/design_edit.html", {"form": form, "design": design}, status=status
    )


def _add_errors(form: StampDesignForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, field_messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, field_messages)
