"""Pages for everybody: programs, the audit log, the health check (the dashboard is
``reporting.views.dashboard``)."""

from __future__ import annotations

from typing import Any

from allauth.mfa.totp.views import activate_totp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe
from django.views.i18n import set_language as django_set_language

from psp import api, heartbeat, mfa, notifications, policy, public, selectors, services
from psp.editing import save_form
from psp.forms import (
    AuditFilterForm,
    NotificationPreferencesForm,
    ProfileForm,
    ProgramSettingsForm,
    SchoolDistrictForm,
    SchoolForm,
    add_model_errors,
)
from psp.http import AuthenticatedHttpRequest
from psp.middleware import public_form_page
from psp.models import (
    Notification,
    Program,
    Role,
    School,
    SchoolDistrict,
    User,
    is_offered_language,
)

AUDIT_PAGE_SIZE = 50
NOTIFICATION_PAGE_SIZE = 25


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where signing in lands: a Parent Partner's families, everyone else's dashboard."""
    if policy.program_ids_where(request.user, {Role.PARENT_PARTNER}) and policy.can(
        request.user, "case.list"
    ):
        return redirect("mentoring:home")
    return redirect("dashboard")


@login_required
def program_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    programs = selectors.programs_for_user(request.user)
    return render(request, "psp/program_list.html", {"programs": programs})


@require_safe
def public_programs(request: HttpRequest) -> HttpResponse:
    """Open to anyone: the programs, each with its public page."""
    programs = list(Program.objects.filter(is_active=True).order_by("name"))
    context = {
        "programs": programs,
        "any_school_based": any(program.is_school_based for program in programs),
    }
    return render(request, "psp/public_programs.html", context)


@require_safe
def public_program(request: HttpRequest, slug: str) -> HttpResponse:
    """Open to anyone: what the program is, who can refer a family and how, and how to
    become a Parent Partner."""
    program = public.program_or_404(slug)
    return render(
        request, "psp/public_program.html", {"program": program, "door": public.door(program)}
    )


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


def _school_program(request: AuthenticatedHttpRequest, slug: str, action: str) -> Program:
    """A school-based program the user may see (404 otherwise, and for a child-welfare
    program, which has no schools) and may do ``action`` in (403 otherwise)."""
    program = policy.get_for_user(
        request.user, selectors.programs_for_user(request.user), "program.view", slug=slug
    )
    if not program.is_school_based:
        raise Http404
    if not policy.can(request.user, action, program):
        raise PermissionDenied
    return program


def _form_sent(request: HttpRequest, prefixes: tuple[str, ...]) -> str | None:
    """Which of a page's prefixed forms a POST is from: its button says (``add``), and
    without it (an older page, a keyboard's Enter in some browsers) the fields do."""
    if request.method != "POST":
        return None
    button = request.POST.get("add", "")
    if button in prefixes:
        return button
    for prefix in prefixes:
        if any(name.startswith(f"{prefix}-") for name in request.POST):
            return prefix
    return None


@login_required
def program_schools(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The school districts and schools a school-based program works with: its team reads
    them; its Program Coordinators (and administrators) add districts and schools."""
    program = _school_program(request, slug, "program.view")
    can_change = policy.can(request.user, "program.change", program)
    sent = _form_sent(request, ("school", "district"))
    if sent and not can_change:
        raise PermissionDenied
    # Prefixed: both forms have a name, and one page has one id="id_name" at most.
    district_form = SchoolDistrictForm(
        request.POST if sent == "district" else None, prefix="district"
    )
    school_form = SchoolForm(
        request.POST if sent == "school" else None, program=program, prefix="school"
    )
    form = {"district": district_form, "school": school_form}.get(sent or "")
    if form is not None and form.is_valid():
        try:
            if form is district_form:
                saved: Any = services.school_district_save(
                    actor=request.user, program=program, data=form.cleaned_data
                )
            else:
                saved = services.school_save(
                    actor=request.user, program=program, data=form.cleaned_data
                )
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, _("Added: %(name)s.") % {"name": saved.name})
            return redirect("program_schools", slug=program.slug)
    districts = (
        SchoolDistrict.objects.filter(program=program)
        .prefetch_related(Prefetch("schools", queryset=School.objects.order_by("name")))
        .order_by("name")
    )
    return render(
        request,
        "psp/program_schools.html",
        {
            "program": program,
            "districts": districts,
            "can_change": can_change,
            "district_form": district_form,
            "school_form": school_form,
            "sent": sent,
        },
    )


def _school_record_page(
    request: AuthenticatedHttpRequest,
    program: Program,
    record: School | SchoolDistrict,
    form: SchoolForm | SchoolDistrictForm,
    save: Any,
    *,
    saved: str,
    heading: str,
) -> HttpResponse:
    """A school's or a district's change page: saved through ``save(cleaned)``, then back
    to the program's schools."""
    return save_form(
        request,
        form,
        save,
        saved=saved,
        then=lambda _saved: reverse("program_schools", args=[program.slug]),
    ) or render(
        request,
        "psp/school_form.html",
        {"program": program, "form": form, "heading": heading, "record": record},
    )


@login_required
def school_edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    program = _school_program(request, slug, "program.change")
    school = get_object_or_404(School, pk=pk, district__program=program)
    initial = {"district": school.district, "name": school.name, "is_active": school.is_active}
    return _school_record_page(
        request,
        program,
        school,
        SchoolForm(request.POST or None, program=program, initial=initial),
        lambda cleaned: services.school_save(
            actor=request.user, program=program, data=cleaned, school=school
        ),
        saved=_("School saved."),
        heading=_("Change a school"),
    )


@login_required
def district_edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    program = _school_program(request, slug, "program.change")
    district = get_object_or_404(SchoolDistrict, pk=pk, program=program)
    return _school_record_page(
        request,
        program,
        district,
        SchoolDistrictForm(request.POST or None, initial={"name": district.name}),
        lambda cleaned: services.school_district_save(
            actor=request.user, program=program, data=cleaned, district=district
        ),
        saved=_("District saved."),
        heading=_("Change a district"),
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


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Your account: who you are signed in as, the language of your pages, e-mails and
    reports, and the way to your password and two-step sign-in settings."""
    user = request.user
    policy.require(user, "profile.change", user)
    form = ProfileForm(request.POST or None, initial={"language": user.language_or_default})
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        try:
            services.user_language_set(user=user, language=language)
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            # The next page is in it already; the cookie keeps it for this browser once
            # signed out, as the footer's switcher does.
            with translation.override(language):
                messages.success(request, _("Your language is saved."))
            response = redirect("profile")
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
            return response
    return render(request, "psp/profile.html", {"form": form, "profile": user})


@login_required
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Your notifications, newest first, the unread ones marked."""
    policy.require(request.user, "notification.list")
    found = policy.visible(request.user, Notification).order_by("-created_at", "-id")
    page = Paginator(found, NOTIFICATION_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(notice, notifications.message(notice.kind, notice.params)) for notice in page]
    return render(request, "psp/notification_list.html", {"page": page, "rows": rows})


@login_required
@require_POST
def notification_mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(request.user, "notification.list")
    if services.notifications_mark_all_read(user=request.user):
        messages.success(request, _("All your notifications are marked as read."))
    return redirect("notification_list")


@login_required
def notification_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Follow a notification to its page; it is read from now on. Someone else's: 404."""
    notice = policy.get_for_user(request.user, Notification, "notification.open", pk=pk)
    services.notification_read(user=request.user, notice=notice)
    if not notifications.is_local(notice.url) or not url_has_allowed_host_and_scheme(
        notice.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        messages.error(request, _("This notification does not lead to a page of this site."))
        return redirect("notification_list")
    return HttpResponseRedirect(notice.url)


@login_required
def notification_preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """How you are told of each kind of notification: in the app, by e-mail, both or neither."""
    user = request.user
    policy.require(user, "notification.preferences", user)
    form = NotificationPreferencesForm(
        request.POST or None, choices=notifications.choices_for(user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_preferences_set(user=user, choices=form.chosen())
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, _("Your notification choices are saved."))
            return redirect("notification_preferences")
    return render(
        request, "psp/notification_preferences.html", {"form": form, "has_email": bool(user.email)}
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The footer's language switcher: Django's own view (the cookie, for this browser), and
    for a signed-in person the choice kept on their profile too, so that it follows them to
    other devices and into their e-mails and reports."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and is_offered_language(language):
        assert isinstance(request.user, User)
        services.user_language_set(user=request.user, language=language)
    return response


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Each part's state, for operators and monitoring: ``database``, ``redis`` (the cache and
    the task broker) and ``worker`` (a Celery worker's heartbeat is recent, see
    ``psp.heartbeat``; no worker is asked, so the answer takes a millisecond); 503 when any
    is down."""
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
        checks["redis"], checks["worker"] = heartbeat.worker_state(settings.REDIS_URL)
        if settings.CELERY_TASK_ALWAYS_EAGER:  # tasks run in the web process: no worker needed
            checks["worker"] = "in-process"
    healthy = checks["database"] == "ok" and checks["redis"] in {"ok", "not configured"}
    healthy = healthy and checks["worker"] in {"ok", "in-process"}
    checks["status"] = "ok" if healthy else "error"
    return JsonResponse(checks, status=200 if healthy else 503)


def _admin_next(request: HttpRequest) -> str:
    wanted = request.GET.get(REDIRECT_FIELD_NAME, "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("admin:index")


@never_cache
def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's own login form would skip the second factor and the sign-in limits: it
    never takes a password, and sends everybody to the app's one sign-in page instead."""
    next_url = _admin_next(request)
    if request.user.is_authenticated:
        if not policy.can(request.user, "admin.access"):
            raise PermissionDenied
        return HttpResponseRedirect(next_url)
    return redirect_to_login(next_url, reverse("account_login"))


@never_cache
def admin_logout(request: HttpRequest) -> HttpResponse:
    """Signing out of the admin is signing out of the app. A posted sign-out is passed on
    as it is (307 keeps the method and the form's CSRF token)."""
    status = 307 if request.method == "POST" else 302
    return HttpResponseRedirect(reverse("account_logout"), status=status)


@login_required
def account_email(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The account's e-mail address, read-only. Codes that confirm who someone is (the first
    authenticator, password resets) and notices of a changed second factor go to it, so the
    person who only knows the password must not be able to point it elsewhere: the program's
    administrator sets it."""
    if request.method not in ("GET", "HEAD"):
        return render(request, "account/email.html", status=405)
    return render(request, "account/email.html")


@login_required
def mfa_activate_totp(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The first authenticator app needs, besides the password, a code sent to the account's
    e-mail address: somebody else may know the password and would otherwise add theirs."""
    user = request.user
    if not mfa.has_second_factor(user) and not mfa.recently_confirmed_by_email(request):
        if not user.email:
            messages.error(
                request,
                _(
                    "Your account has no e-mail address to send a confirmation code to: "
                    "ask your administrator to add one, then set up the authenticator app."
                ),
            )
            return redirect("mfa_index")
        services.email_address_trust(user=user)
        return redirect_to_login(
            request.get_full_path(), reverse("account_request_reauthentication_code")
        )
    response = activate_totp(request)
    authenticator = mfa.newest_second_factor(user)
    if authenticator is not None and not mfa.used_second_factor(request):
        # Typing a code from the new app to add it counts as this session's second factor:
        # the person is not signed out right after setting it up.
        mfa.count_as_used(request, authenticator)
    return response


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if api.is_api(request):
        return api.problem_response(request, 403, _("You do not have permission."))
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without the token its page gave (the browser keeps no cookies, or the
    page came from elsewhere): the site's own page, in the visitor's language, saying what
    to do, instead of Django's technical one (unstyled, its styles being refused by the
    Content-Security-Policy) that leads nowhere."""
    return render(request, "403_csrf.html", {"back": public_form_page(request)}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # An address under /api/ that matches no route answers as the API does, in JSON.
    if api.is_api(request):
        return api.problem_response(request, 404, _("Not found."))
    return render(request, "404.html", status=404)
