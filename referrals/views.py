"""Referral pages: the list and queue, intake, the detail with its timeline, triage, export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, prefetch_related_objects
from django.forms.utils import ErrorDict
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from psp import audit, hooks, policy, public
from psp.dates import format_when
from psp.editing import save_form
from psp.exports import csv_download, only_program
from psp.forms import add_model_errors
from psp.http import AuthenticatedHttpRequest, whole_number
from psp.models import AuditAction, Program, Role, School, User
from psp.services import ConcurrentEditError
from referrals import notices, records, rules, selectors, services
from referrals.forms import (
    ChildForm,
    ChildFormSet,
    EpisodeForm,
    NoticeForm,
    ParentEditForm,
    ParentFormSet,
    PlacementForm,
    ReferralFilter,
    ReferralForm,
    ReferralRequestForm,
    RequestCloseForm,
    SearchForm,
    TransitionForm,
)
from referrals.models import (
    Child,
    Language,
    Parent,
    PlacementChange,
    Referral,
    ReferralRequest,
    RemovalEpisode,
    Sender,
    Status,
)

PAGE_SIZE = 25


SEARCH_LIMIT = 25


@login_required
@audit.audited_list(Referral)
def family_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The navigation's search box: families across the programs the coordinator sees."""
    policy.require(request.user, "search")
    form = SearchForm(request.GET or None)
    found: list[Referral] = []
    if form.is_valid():
        found = list(
            selectors.find_families(request.user, form.cleaned_data["q"])[: SEARCH_LIMIT + 1]
        )
    return render(
        request,
        "referrals/search.html",
        {
            "form": form,
            "found": found[:SEARCH_LIMIT],
            "more": len(found) > SEARCH_LIMIT,
            "limit": SEARCH_LIMIT,
        },
    )


@login_required
@audit.audited_list(Referral)
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(request.user, "referral.list")
    visible = selectors.referrals_for_user(request.user)
    filters = ReferralFilter(
        request.GET or None, queryset=visible, programs=_programs_with_referrals(request.user)
    )
    valid = filters.is_valid()
    chosen = {
        name: value
        for name, value in (filters.form.cleaned_data.items() if valid else [])
        if value not in (None, "", [])
    }
    counted = policy.visible(request.user, Referral)
    if chosen.get("program") is not None:
        counted = counted.filter(program=chosen["program"])
    # COUNT(*), not COUNT(id): the (program, status) index alone then answers, without
    # reading each referral's row.
    status_counts = dict(
        counted.values_list("status").annotate(count=Count("*")).values_list("status", "count")
    )
    paginator = Paginator(filters.qs, PAGE_SIZE)
    if not filters.is_bound or (valid and set(chosen) <= {"program", "status", "sort"}):
        # Filtered by the program and the status tab at most: the tabs' counts already say
        # how many referrals the list has, so they are not counted a second time.
        status = chosen.get("status")
        paginator.count = status_counts.get(status, 0) if status else sum(status_counts.values())
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    status_query = query.copy()
    status_query.pop("status", None)
    context = {
        "filter": filters,
        "page": page,
        "filter_query": query.urlencode(),
        "status_query": status_query.urlencode(),
        "status_counts": [
            (value, label, status_counts.get(value, 0)) for value, label in Status.choices
        ],
        "can_create": policy.can(request.user, "referral.create"),
        "can_export": policy.can(request.user, "referral.export"),
        "today": timezone.localdate(),
        "waiting_requests": (
            selectors.waiting_public_requests(request.user)
            if policy.can(request.user, "referral_request.list")
            else 0
        ),
    }
    return render(request, "referrals/referral_list.html", context)


def _programs_with_referrals(user: User) -> Any:
    """The programs whose referrals ``user`` may see, for the list's program filter."""
    ids = policy.visible(user, Referral).values("program")
    return Program.objects.filter(pk__in=ids).order_by("name")


@login_required
def referral_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The filtered list as CSV, for coordinators. The export itself is audited."""
    policy.require(request.user, "referral.export")
    visible = selectors.referrals_for_user(request.user).filter(
        program_id__in=policy.program_ids_where(request.user, policy.COORDINATORS)
    )
    rows = ReferralFilter(
        request.GET or None, queryset=visible, programs=_programs_with_referrals(request.user)
    ).qs
    stamp = timezone.localdate().isoformat()
    header = [
        _("Number"),
        _("Program"),
        _("Date received"),
        _("Status"),
        _("Urgency"),
        _("Parents"),
        _("Preferred language"),
        _("Children"),
        _("Needs"),
        _("Referrer"),
        _("Referrer's agency"),
        _("Reason for declining"),
    ]

    def line(referral: Any) -> list[Any]:
        parents = list(referral.family.parents.all())
        return [
            referral.number,
            referral.program.name,
            referral.received_on.isoformat(),
            referral.get_status_display(),
            referral.get_urgency_display(),
            "; ".join(str(parent) for parent in parents),
            parents[0].get_preferred_language_display() if parents else "",
            referral.child_count,
            "; ".join(referral.need_labels()),
            referral.referrer_name,
            referral.referrer_agency,
            referral.get_decline_reason_display(),
        ]

    return csv_download(
        request,
        filename=f"referrals-{stamp}.csv",
        back=reverse("referrals:list"),
        header=header,
        rows=rows,
        line=line,
        describe=lambda count: _("Referrals CSV (%(count)s rows)") % {"count": count},
        program=only_program(rows),
    )


@login_required
def referral_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(request.user, "referral.create")
    user = request.user
    data = request.POST if request.method == "POST" else None
    public_request = _public_request_for(request)
    if public_request is not None and not public_request.is_waiting:
        messages.warning(request, _("This request was already handled."))
        return redirect("referrals:request_detail", pk=public_request.pk)
    initial = _initial_from_request(public_request) if public_request and data is None else {}
    # The programs' kinds come with the person's roles (no query more).
    program_ids = policy.program_ids_where(user, rules.INTAKE_ROLES)
    school_ids = policy.school_program_ids(user)
    if len({program_id in school_ids for program_id in program_ids}) > 1:
        # School-based and child-welfare programs ask different things about a child: the
        # program is chosen first.
        chosen = whole_number(request.POST.get("program") or request.GET.get("program"))
        if public_request is not None:
            chosen = public_request.program_id
        if chosen not in program_ids:
            return render(
                request,
                "referrals/referral_choose_program.html",
                {"programs": list(_intake_programs(user))},
            )
        program_ids = [chosen]
    school_based = bool(program_ids) and program_ids[0] in school_ids
    form = _intake_form(user, data, initial=initial.get("referral"), program_ids=program_ids)
    parents = ParentFormSet(data, prefix="parents", initial=initial.get("parents"))
    schools, own_school = selectors.intake_schools(user, program_ids)
    children = ChildFormSet(
        data,
        prefix="children",
        form_kwargs={"school_based": school_based, "schools": schools, "own_school": own_school},
    )
    # A school staff member whose school is retired (or who has none) cannot refer: the page
    # says why instead of a form; a form sent anyway is refused at the school field.
    no_school = school_based and own_school and not schools.exists()
    duplicates: list[Any] = []
    # Without JavaScript the outreach-event search sends the whole form: show it again with
    # the events found, unsaved and without complaining about what is not filled in yet.
    searching = data is not None and "search_events" in data
    if searching:
        _not_checked(form, parents, children)
    elif data is not None and form.is_valid() & parents.is_valid() & children.is_valid():
        program = form.cleaned_data["program"]
        policy.require(user, "referral.create", program)
        parent_rows = [row for row in parents.cleaned_data if row]
        duplicates = selectors.possible_duplicates(
            program_id=program.pk,
            people=[
                (row["first_name"], row["last_name"], row["birth_date"]) for row in parent_rows
            ],
        )
        if not duplicates or data.get("confirm_duplicate") == "yes":
            try:
                referral = services.referral_create(
                    actor=user,
                    program=program,
                    referral_data=_referral_data(form, user, program, form.on_behalf),
                    parents=parent_rows,
                    children=[
                        {**child_form.cleaned_data, "episode": child_form.episode_data()}
                        for child_form in children.forms
                        if child_form.cleaned_data
                    ],
                    answers=form.cleaned_data,
                    public_request=public_request,
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Referral %(number)s sent. The program will be in touch with the family.")
                    % {"number": referral.number},
                )
                return redirect("referrals:detail", pk=referral.pk)
    for number, parent_form in enumerate(parents.forms, start=1):
        parent_form.summary_prefix = _("Parent %(number)s") % {"number": number}
    for number, child_form in enumerate(children.forms, start=1):
        child_form.summary_prefix = _("Child %(number)s") % {"number": number}
    context = {
        "form": form,
        "school_based": school_based,
        "show_form": not no_school or data is not None,
        "public_request": public_request,
        "error_forms": [form, parents, *parents.forms, children, *children.forms],
        "parents": parents,
        "children": children,
        "duplicates": [(parent, parent.family.referrals.all()) for parent in duplicates],
        "has_errors": bool(
            data is not None
            and (form.errors or parents.total_error_count() or children.total_error_count())
        ),
    }
    return render(request, "referrals/referral_form.html", context)


def _intake_programs(user: User) -> QuerySet[Program]:
    return Program.objects.filter(
        pk__in=policy.program_ids_where(user, rules.INTAKE_ROLES)
    ).order_by("name")


def _intake_form(
    user: User,
    data: Any,
    initial: dict[str, Any] | None = None,
    program_ids: list[int] | None = None,
) -> ReferralForm:
    offered = _intake_programs(user)
    if program_ids is not None:
        offered = offered.filter(pk__in=program_ids)
    on_behalf = bool(policy.program_ids_where(user, {Role.PROGRAM_COORDINATOR}))
    return ReferralForm(data, programs=offered, on_behalf=on_behalf, initial=initial)


def _public_request_for(request: AuthenticatedHttpRequest) -> ReferralRequest | None:
    """The request from the public page a referral is made from (``?request=`` when the
    form opens, kept in the form as ``from_request``), or None; 404 outside the person's
    programs."""
    if request.method == "POST":
        chosen = request.POST.get("from_request", "")
    else:
        chosen = request.GET.get("request", "")
    if not chosen:
        return None
    return policy.get_for_user(
        request.user, ReferralRequest, "referral_request.handle", audit_view=False, pk=chosen
    )


def _initial_from_request(public_request: ReferralRequest) -> dict[str, Any]:
    """The referral form filled in from what the request said; the coordinator checks it
    with the parent and adds the rest (dates of birth, the children)."""
    if public_request.sender == Sender.COMMUNITY:
        referrer = {
            "referrer_name": public_request.sender_name,
            "referrer_agency": public_request.sender_relationship,
        }
    else:
        referrer = {
            "referrer_name": " ".join(
                part
                for part in [public_request.parent_first_name, public_request.parent_last_name]
                if part
            ),
            "referrer_agency": _("Self-referral"),
        }
    return {
        "referral": {
            "program": public_request.program,
            "received_on": timezone.localdate(public_request.received_at),
            "reason": public_request.message,
            **referrer,
        },
        "parents": [
            {
                "first_name": public_request.parent_first_name,
                "last_name": public_request.parent_last_name,
                "phone": public_request.phone,
                "email": public_request.email,
                "preferred_language": public_request.language,
            }
        ],
    }


def _not_checked(form: ReferralForm, *formsets: Any) -> None:
    """Show the bound forms as they were sent, without validating them."""
    for one in [form, *(child for formset in formsets for child in formset.forms)]:
        one._errors = ErrorDict()
        one.cleaned_data = {}
    for formset in formsets:
        formset._errors = [ErrorDict() for _child in formset.forms]
        formset._non_form_errors = formset.error_class()


@login_required
def source_events(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The referral form's outreach events matching its search box (htmx): the choices and,
    out of band, the sentence that says what they are."""
    policy.require(request.user, "referral.create")
    form = _intake_form(request.user, request.GET)
    if "source_event" not in form.fields:
        raise Http404
    field = form["source_event"]
    context = field.field.widget.get_context(field.html_name, field.value(), {"id": field.auto_id})
    return render(request, "referrals/referral_form_events.html", {**context, "oob": True})


def _referral_data(
    form: ReferralForm, user: Any, program: Program, on_behalf: bool
) -> dict[str, Any]:
    data = {
        "urgency": form.cleaned_data["urgency"],
        "needs": form.cleaned_data["needs"],
        "reason": form.cleaned_data["reason"],
    }
    if on_behalf:
        data.update(
            referrer_name=form.cleaned_data["referrer_name"],
            referrer_agency=form.cleaned_data["referrer_agency"],
            referrer_email=form.cleaned_data["referrer_email"],
            received_on=form.cleaned_data["received_on"] or timezone.localdate(),
        )
    else:
        own = selectors.own_schools(user, program)
        data.update(
            referred_by=user,
            referrer_name=user.get_full_name() or user.get_username(),
            # School staff refer from their school; a social worker from the agency.
            referrer_agency=(
                ", ".join(str(school) for school in School.objects.filter(pk__in=own))
                if own
                else program.lead_agency
            ),
            referrer_email=user.email,
            received_on=timezone.localdate(),
        )
    return data


@login_required
def referral_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = policy.get_for_user(
        request.user, selectors.referral_detail(request.user), "referral.view", pk=pk
    )
    return _render_detail(request, referral)


def _render_detail(
    request: AuthenticatedHttpRequest,
    referral: Referral,
    transition_form: TransitionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    actions = []
    for to_status in sorted(services.next_statuses(referral)):
        if to_status == Status.ASSIGNED:
            continue  # assigning a Parent Partner is its own page (mentoring)
        rule = "referral.withdraw" if to_status == Status.WITHDRAWN else "referral.triage"
        if policy.can(user, rule, referral):
            bound = (
                transition_form
                if transition_form and transition_form.data.get("to_status") == to_status
                else None
            )
            actions.append(
                (
                    to_status,
                    Status(to_status).label,
                    bound
                    or TransitionForm(
                        initial={"to_status": to_status, "version": referral.version}
                    ),
                )
            )
    case = getattr(referral, "case", None) if referral.status == Status.ASSIGNED else None
    school_based = referral.program.is_school_based
    if school_based:
        prefetch_related_objects(list(referral.family.children.all()), "school")
    context = {
        "referral": referral,
        "school_based": school_based,
        "family": referral.family,
        "actions": actions,
        "can_assign": referral.status == Status.ACCEPTED
        and policy.can(user, "case.assign", referral),
        "case": case if case is not None and policy.can(user, "case.view", case) else None,
        "sections": [
            section
            for add_section in hooks.get("referral.sections")
            if (section := add_section(user, referral)) is not None
        ],
        "can_change_family": policy.can(user, "family.change", referral.family),
        "can_export_record": policy.can(user, "family.export_record", referral.family),
        "can_print_notice": policy.can(user, "referral.notice", referral),
        "needs_consent": referral.status in {Status.RECEIVED, Status.SCREENING, Status.ACCEPTED}
        and not any(parent.has_recorded_consent for parent in referral.family.parents.all()),
        "form": transition_form,
    }
    return render(request, "referrals/referral_detail.html", context, status=status)


@login_required
@require_POST
def referral_transition(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = policy.get_for_user(
        request.user, selectors.referral_detail(request.user), "referral.view", pk=pk
    )
    to_status = request.POST.get("to_status", "")
    rule = "referral.withdraw" if to_status == Status.WITHDRAWN else "referral.triage"
    policy.require(request.user, rule, referral)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, referral, form, status=400)
    try:
        services.referral_transition(
            actor=request.user,
            referral=referral,
            to_status=form.cleaned_data["to_status"],
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
    except services.TransitionError as error:
        messages.error(request, str(error))
    except ConcurrentEditError:
        messages.error(
            request,
            _("Someone else changed this referral a moment ago. Here is what it says now."),
        )
    else:
        messages.success(
            request,
            _("Referral %(number)s is now “%(status)s”.")
            % {"number": referral.number, "status": referral.get_status_display()},
        )
    return redirect("referrals:detail", pk=referral.pk)


@login_required
def family_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """Everything the program holds on one family, as one zip file, for a records request.
    The download is audited as an export (with what it held), not as a page view.

    Everything is read from the database first; the export is audited with how many
    records of each kind it holds; then the zip is sent a file at a time as it is written
    (its README first), so the download starts at once and never sits whole in memory."""
    family = policy.get_for_user(
        request.user,
        selectors.family_record(request.user),
        "family.export_record",
        pk=pk,
        audit_view=False,
    )
    produced_at = timezone.now()
    tables = records.family_tables(family)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=family,
        object_repr=_("Whole record of family %(id)s") % {"id": family.pk},
        changes={"records": records.record_counts(tables)},
    )
    response = StreamingHttpResponse(
        records.family_record_chunks(
            family, tables, produced_by=request.user, produced_at=produced_at
        ),
        content_type="application/zip",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{records.archive_filename(family, produced_at)}"'
    )
    return response


@login_required
def parent_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct a parent's details after intake, or record their consent."""
    parent = policy.get_for_user(
        request.user, Parent.objects.select_related("family__program"), "parent.change", pk=pk
    )
    return _edit_family_member(
        request,
        parent,
        ParentEditForm,
        lambda data, version: services.parent_update(
            actor=request.user, parent=parent, data=data, expected_version=version
        ),
        intro=_(
            "Correct the parent's details, or record their agreement to be contacted. Every "
            "change is kept in the record's history."
        ),
        saved=_("%(name)s's details saved.") % {"name": parent.first_name},
    )


def _children_with_episodes() -> Any:
    return Child.objects.select_related("family__program").prefetch_related("episodes__placements")


@login_required
def child_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The child's page: who they are, and every stay in out-of-home care with its
    placements, newest first."""
    child = policy.get_for_user(request.user, _children_with_episodes(), "child.view", pk=pk)
    referral = child.family.referrals.order_by("-received_on").first()
    context = {
        "child": child,
        "referral": referral,
        "school_based": child.family.program.is_school_based,
        "episodes": list(reversed(child.episode_list)),
        "can_change": policy.can(request.user, "child.change", child),
        "can_record_care": policy.can(request.user, "child.record_care", child),
        "today": timezone.localdate(),
    }
    return render(request, "referrals/child_detail.html", context)


@login_required
def child_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    child = policy.get_for_user(
        request.user, Child.objects.select_related("family__program"), "child.change", pk=pk
    )
    return _edit_family_member(
        request,
        child,
        ChildForm,
        lambda data, version: services.child_update(
            actor=request.user, child=child, data=data, expected_version=version
        ),
        intro=_("Correct the child's name, date of birth, school or grade.")
        if child.family.program.is_school_based
        else _("Correct the child's name or date of birth. Stays in care are on the child's page."),
        saved=_("%(name)s's record saved.") % {"name": child.first_name},
    )


@login_required
def episode_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    child = policy.get_for_user(
        request.user, Child.objects.select_related("family__program"), "child.record_care", pk=pk
    )
    return _episode_page(
        request,
        child,
        EpisodeForm,
        None,
        lambda data, version: services.episode_create(
            actor=request.user, child=child, data=data, expected_version=version
        ),
        title=_("Record a stay in care for %(name)s") % {"name": child.first_name},
        saved=_("Stay in care saved."),
    )


@login_required
def episode_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    episode = policy.get_for_user(
        request.user,
        RemovalEpisode.objects.select_related("child__family__program"),
        "episode.change",
        pk=pk,
    )
    return _episode_page(
        request,
        episode.child,
        EpisodeForm,
        episode,
        lambda data, version: services.episode_update(
            actor=request.user, episode=episode, data=data, expected_version=version
        ),
        title=_("Update the stay in care from %(day)s")
        % {"day": format_when(episode.removed_on, "date")},
        saved=_("Stay in care saved."),
    )


@login_required
def placement_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    episode = policy.get_for_user(
        request.user,
        RemovalEpisode.objects.select_related("child__family__program"),
        "episode.change",
        pk=pk,
    )
    return _episode_page(
        request,
        episode.child,
        PlacementForm,
        None,
        lambda data, version: services.placement_create(
            actor=request.user, episode=episode, data=data, expected_version=version
        ),
        title=_("Record a move for %(name)s") % {"name": episode.child.first_name},
        saved=_("Placement saved."),
    )


@login_required
def placement_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    placement = policy.get_for_user(
        request.user,
        PlacementChange.objects.select_related("episode__child__family__program"),
        "placement.change",
        pk=pk,
    )
    return _episode_page(
        request,
        placement.episode.child,
        PlacementForm,
        placement,
        lambda data, version: services.placement_update(
            actor=request.user, placement=placement, data=data, expected_version=version
        ),
        title=_("Update the placement from %(day)s")
        % {"day": format_when(placement.started_on, "date")},
        saved=_("Placement saved."),
    )


def _episode_page(
    request: AuthenticatedHttpRequest,
    child: Child,
    form_class: type[EpisodeForm] | type[PlacementForm],
    instance: RemovalEpisode | PlacementChange | None,
    save: Callable[[dict[str, Any], int], Any],
    *,
    title: str,
    saved: str,
) -> HttpResponse:
    """A stay in care or a placement, new or corrected; back to the child's page after."""
    family = child.family
    form = form_class(request.POST or None, instance=instance, initial={"version": family.version})

    def stored_version() -> int:
        family.refresh_from_db()
        return family.version

    return save_form(
        request,
        form,
        lambda cleaned: save(cleaned, cleaned["version"]),
        saved=saved,
        then=lambda _result: reverse("referrals:child_detail", args=[child.pk]),
        stored_version=stored_version,
    ) or render(
        request, "referrals/episode_form.html", {"form": form, "child": child, "title": title}
    )


def _edit_family_member(
    request: AuthenticatedHttpRequest,
    person: Parent | Child,
    form_class: type[ParentEditForm] | type[ChildForm],
    update: Callable[[dict[str, Any], int], Any],
    *,
    intro: str,
    saved: str,
) -> HttpResponse:
    """A parent's or a child's record, guarded by the family's version: a stale save is
    refused with the user's input kept; afterwards, back to the family's referral."""
    family = person.family
    referral = family.referrals.order_by("-received_on").first()
    form = form_class(request.POST or None, instance=person, initial={"version": family.version})

    def stored_version() -> int:
        family.refresh_from_db()
        return family.version

    return save_form(
        request,
        form,
        lambda cleaned: update(cleaned, cleaned["version"]),
        saved=saved,
        then=lambda _result: (
            reverse("referrals:child_detail", args=[person.pk])
            if isinstance(person, Child)
            else referral
            if referral is not None
            else "referrals:list"
        ),
        stored_version=stored_version,
    ) or render(
        request,
        "referrals/family_member_form.html",
        {"form": form, "person": person, "referral": referral, "intro": intro},
    )


@login_required
def referral_notice(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The notice for the family's parents, ready to print: what the program is, and a form
    to agree to be contacted, in the language asked for (by default the first parent's) and
    in large print on request. Showing it is audited with the language and size."""
    referral = policy.get_for_user(
        request.user,
        selectors.referral_detail(request.user),
        "referral.notice",
        pk=pk,
        audit_view=False,
    )
    parents = list(referral.family.parents.all())
    spoken = [parent.preferred_language for parent in parents]
    default = next((code for code in spoken if code in notices.NOTICE_LANGUAGES), "en")
    untranslated = {str(code) for code in notices.NOTICE_LANGUAGES if notices.untranslated(code)}
    form = NoticeForm(
        request.GET if "language" in request.GET else None,
        initial={"language": default},
        untranslated=untranslated,
    )
    language, large_print = default, False
    if form.is_valid():
        language = form.cleaned_data["language"]
        large_print = form.cleaned_data["large_print"]
    notice = notices.notice_for(referral, language)
    audit.record(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=referral,
        object_repr=_("Notice for the parents of referral %(number)s") % {"number": referral},
        changes={"notice": {"language": notice.language, "large_print": large_print}},
    )
    context = {
        "referral": referral,
        "parents": parents,
        "form": form,
        "notice": notice,
        "asked_label": Language(notice.asked).label,
        "large_print": large_print,
    }
    return render(request, "referrals/notice.html", context)


# --- The program's public page: a parent asking for help ---------------------------------


@public.public_form
def public_request(request: HttpRequest, slug: str) -> HttpResponse:
    """Open to anyone, signed in or not: a parent, or someone who knows one, asks the
    program to get in touch. What it answers never depends on the program's records."""
    program = public.program_or_404(slug)
    form = ReferralRequestForm(
        request.POST if request.method == "POST" else None, school_based=program.is_school_based
    )
    return public.answer(
        request,
        form,
        program=program,
        receive=lambda: services.referral_request_receive(
            program=program,
            data=form.cleaned_data,
            page_language=translation.get_language() or "",
        ),
        sent="public_request_sent",
        template="referrals/public_request.html",
    )


@require_safe
def public_request_sent(request: HttpRequest, slug: str) -> HttpResponse:
    """What happens next; the same words whoever the request named."""
    program = public.program_or_404(slug)
    return render(
        request,
        "referrals/public_request_sent.html",
        {"program": program, "door": public.door(program)},
    )


# --- Requests from the public page, for the Program Coordinator --------------------------


@login_required
@audit.audited_list(ReferralRequest)
def request_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(request.user, "referral_request.list")
    show = request.GET.get("show", "waiting")
    requests = selectors.public_requests(request.user, waiting=show != "all")
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "show": "all" if show == "all" else "waiting",
        "show_query": "show=all" if show == "all" else "",
        "public_pages": Program.objects.filter(
            pk__in=policy.program_ids_where(request.user, {Role.PROGRAM_COORDINATOR}),
            is_active=True,
        ),
    }
    return render(request, "referrals/request_list.html", context)


@login_required
def request_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    public_request = policy.get_for_user(
        request.user,
        selectors.public_request_detail(),
        "referral_request.view",
        audit_view=request.method == "GET",
        pk=pk,
    )
    return _render_request(request, public_request, RequestCloseForm())


def _render_request(
    request: AuthenticatedHttpRequest,
    public_request: Any,
    form: RequestCloseForm,
    status: int = 200,
) -> HttpResponse:
    context = {
        "public_request": public_request,
        "form": form,
        "can_refer": policy.can(request.user, "referral.create", public_request.program),
    }
    return render(request, "referrals/request_detail.html", context, status=status)


@login_required
@require_POST
def request_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    public_request = policy.get_for_user(
        request.user, selectors.public_request_detail(), "referral_request.handle", pk=pk
    )
    form = RequestCloseForm(request.POST)
    if form.is_valid():
        try:
            services.referral_request_close(
                actor=request.user,
                public_request=public_request,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("referrals:request_detail", pk=public_request.pk)
        messages.success(request, _("The request is closed."))
        return redirect("referrals:request_list")
    return _render_request(request, public_request, form)
