"""Pages for everybody: the dashboard, programs, the audit log, the health check."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from psp import policy, selectors, services
from psp.forms import AuditFilterForm, ProgramSettingsForm
from psp.http import AuthenticatedHttpRequest
from psp.models import Program, Role

AUDIT_PAGE_SIZE = 50


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where signing in lands: a Parent Partner's families, everyone else's dashboard."""
    if policy.program_ids_where(request.user, {Role.PARENT_PARTNER}) and policy.can(
        request.user, "case.list"
    ):
        return redirect("mentoring:home")
    return redirect("dashboard")


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each role's start page: what needs attention, and the numbers and lists for the role
    (a program's coordinators, state staff, social workers, clinical support)."""
    policy.require(request.user, "dashboard.view")
    user = request.user
    from mentoring.selectors import attention_for
    from reporting import dashboards

    coordinated = dashboards.coordinated_programs(user)
    program = dashboards.chosen_program(coordinated, request.GET.get("program"))
    social_worker = bool(policy.program_ids_where(user, {Role.SOCIAL_WORKER}))
    context = {
        "attention": attention_for(user) if policy.can(user, "case.list") else [],
        "my_programs": selectors.my_program_roles(user),
        "all_programs": selectors.programs_for_user(user) if user.is_administrator else None,
        "coordinated": coordinated,
        "program_dashboard": (
            dashboards.program_dashboard(user, program)
            if program and policy.can(user, "dashboard.program", program)
            else None
        ),
        "statewide": (
            dashboards.statewide_dashboard(user)
            if policy.can(user, "dashboard.statewide")
            else None
        ),
        "parent_partner": bool(policy.program_ids_where(user, {Role.PARENT_PARTNER})),
        "my_referrals": dashboards.referrals_made_by(user) if social_worker else None,
        "can_refer": social_worker and policy.can(user, "referral.create"),
        "clinical_months": dashboards.clinical_support_this_month(user),
    }
    return render(request, "psp/dashboard.html", context)


@login_required
def program_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    programs = selectors.programs_for_user(request.user)
    return render(request, "psp/program_list.html", {"programs": programs})


@login_required
def program_detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program = policy.get_for_user(
        request.user, selectors.programs_for_user(request.user), "program.view", slug=slug
    )
    context = {
        "program": program,
        "team": selectors.program_team(program),
        "can_change": policy.can(request.user, "program.change", program),
        "current_period": program.current_contract_period(),
    }
    return render(request, "psp/program_detail.html", context)


@login_required
def program_settings(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    program = policy.get_for_user(
        request.user, selectors.programs_for_user(request.user), "program.change", slug=slug
    )
    current = None
    form = ProgramSettingsForm(request.POST or None, instance=program)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_update(
                actor=request.user,
                program=program,
                expected_version=form.cleaned_data["version"],
                data=form.cleaned_data,
                role_labels=form.role_labels(),
            )
        except services.ConcurrentEditError as error:
            current = selectors.programs_for_user(request.user).get(pk=program.pk)
            form.add_error(None, str(error))
            data = request.POST.copy()  # what the form is bound to, made editable
            data["version"] = str(current.version)
            form.data = data
        else:
            messages.success(request, _("Program details saved."))
            return redirect("program_detail", slug=program.slug)
    return render(
        request, "psp/program_settings.html", {"program": program, "form": form, "current": current}
    )


@login_required
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(request.user, "audit.view")
    programs = policy.visible(request.user, Program)
    if not request.user.is_administrator:
        programs = programs.filter(
            pk__in=policy.program_ids_where(request.user, policy.COORDINATORS)
        )
    form = AuditFilterForm(request.GET or None, programs=programs)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_entries_for_user(request.user, filters)
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    program_names = dict(programs.values_list("pk", "name"))
    filter_query = request.GET.copy()
    filter_query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "program_names": program_names,
        "filter_query": filter_query.urlencode(),
        "active_filters": sum(1 for value in filters.values() if value),
    }
    return render(request, "psp/audit_log.html", context)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Each part's state, for operators and monitoring: ``database``, ``redis`` (the cache and
    the task broker) and ``worker`` (a Celery worker answered a ping); 503 when any is down."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        checks["database"] = "error"

    if not settings.REDIS_URL:
        checks["redis"] = "not configured"
        checks["worker"] = "in-process"
    else:
        checks["redis"] = _redis_state(settings.REDIS_URL)
        if settings.CELERY_TASK_ALWAYS_EAGER:  # tasks run in the web process: no worker needed
            checks["worker"] = "in-process"
        else:
            checks["worker"] = _worker_state() if checks["redis"] == "ok" else "unknown"
    healthy = checks["database"] == "ok" and checks["redis"] in {"ok", "not configured"}
    healthy = healthy and checks["worker"] in {"ok", "in-process"}
    checks["status"] = "ok" if healthy else "error"
    return JsonResponse(checks, status=200 if healthy else 503)


def _redis_state(url: str) -> str:
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2).ping()
    except Exception:  # noqa: BLE001
        return "error"
    return "ok"


def _worker_state() -> str:
    from psp.celery import app as celery_app

    try:
        with celery_app.connection_for_write() as connection_:
            replies = celery_app.control.ping(timeout=1.0, connection=connection_)
    except Exception:  # noqa: BLE001
        return "error"
    return "ok" if replies else "none"


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)
