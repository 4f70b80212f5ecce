"""Buttons on an admin change page that run one lifecycle service each (DOMAIN A12: no direct status edits).

A ModelAdmin lists `transitions`; each has a form, a service call and a test of when the button shows.
The page of a transition first checks the move is open in the row's current state (else it says why and shows no
form). A transition with a `confirm` text is irreversible: its filled-in form is validated by the server, then a
confirmation page says what will happen and repeats what was entered, and only that page's button runs the service.
`destructive` ones (refusals, suspension, revocation, returns) are red and set apart from the ordinary buttons.
The service itself still refuses an illegal move, so a crafted or stale request gets the same clear message.
"""

from dataclasses import dataclass
from typing import Any, Callable

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from zzmetro import workflow
from zzmetro.errors import DomainError


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    form_class: type[forms.Form]
    run: Callable[..., Any]  # run(obj, user, **cleaned_data)
    available: Callable[[Any], bool] | None = None  # a further condition beyond the table, if any
    confirm: str = ""  # what the irreversible step does, shown on the confirmation page after validation
    success: str = "已完成：{label}。"
    destructive: bool = False  # red, apart from the others: it refuses, stops or takes back
    to: str = ""  # the target state: the button shows only when the model's transition table allows the move

    def is_open(self, obj) -> bool:
        if self.to and not workflow.can(obj, self.to):
            return False
        return self.available(obj) if self.available is not None else bool(self.to)


CONFIRMED = "_confirmed"


class TransitionAdminMixin:
    transitions: tuple[Transition, ...] = ()
    change_form_template = "admin/zz/change_form.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        extra = [
            path(
                "<path:object_id>/do/<slug:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="%s_%s_transition" % info,
            )
        ]
        return extra + super().get_urls()

    def transition_buttons(self, obj):
        """The moves open in the row's state: {"label", "url", "destructive"}, ordinary ones first."""
        info = self.opts.app_label, self.opts.model_name
        buttons = [
            {
                "label": t.label,
                "url": reverse("admin:%s_%s_transition" % info, args=[obj.pk, t.name]),
                "destructive": t.destructive,
            }
            for t in self.transitions
            if t.is_open(obj)
        ]
        return sorted(buttons, key=lambda b: b["destructive"])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method not in ("GET", "HEAD"):  # the page has no editable field: only the buttons change the row
            return self.admin_site.refused(request, "此记录只能通过页面上的办理按钮更改，不能直接保存。")
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None and self.has_change_permission(request, obj):
            extra_context["transition_buttons"] = self.transition_buttons(obj)
        # Rows driven by transitions have no editable fields: hide the save buttons.
        extra_context.setdefault("show_save", False)
        extra_context.setdefault("show_save_and_continue", False)
        extra_context.setdefault("show_save_and_add_another", False)
        return super().change_view(request, object_id, form_url, extra_context)

    def transition_view(self, request, object_id, name):
        obj = self.get_object(request, unquote(object_id))  # None for an id that is not a row's, never a 500
        if obj is None:
            raise Http404(f"{self.opts.verbose_name}不存在。")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        transition = next((t for t in self.transitions if t.name == name), None)
        if transition is None:
            raise PermissionDenied
        change_url = reverse("admin:%s_%s_change" % (self.opts.app_label, self.opts.model_name), args=[obj.pk])
        title = f"{transition.label}：{obj}"
        if not transition.is_open(obj):  # checked before any form is shown, and again on every POST
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": obj,
                "title": title,
                "change_url": change_url,
                "transition": transition,
                "refusal": not_open_message(obj, transition.label),
            }
            return TemplateResponse(request, "admin/zz/transition_form.html", context)
        return form_view(
            self,
            request,
            form=transition.form_class(request.POST or None),
            title=title,
            run=lambda **data: transition.run(obj, request.user, **data),
            done_url=change_url,
            success=transition.success.format(label=transition.label),
            label=transition.label,
            confirm=transition.confirm,
            destructive=transition.destructive,
            original=obj,
        )


def not_open_message(obj, label: str) -> str:
    """Why the move is not open, naming the current state as the services do."""
    name = obj._meta.verbose_name
    if hasattr(obj, "get_status_display"):
        return f"{name}当前状态为“{obj.get_status_display()}”，不能{label}。"
    return f"{name}“{obj}”当前不能{label}：该事项已经办理。"


def form_view(
    model_admin,
    request,
    *,
    form,
    title: str,
    run,
    done_url: str,
    success: str,
    label: str = "",
    confirm: str = "",
    destructive: bool = False,
    original=None,
):
    """An admin page with one form whose valid submission runs one service; a refusal shows on the form.

    With `confirm`, a valid submission first shows the confirmation page (what will happen, what was entered);
    only its button, which sends the same values back with `_confirmed`, runs the service.
    """
    confirming = False
    if request.method == "POST" and form.is_valid():
        if confirm and CONFIRMED not in request.POST:
            confirming = True
        else:
            try:
                run(**form.cleaned_data)
            except DomainError as error:
                error.add_to(form)
            else:
                model_admin.message_user(request, success, messages.SUCCESS)
                return redirect(done_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": original or title,
        "title": f"请确认：{title}" if confirming else title,
        "form": form,
        "transition": {"label": label or title, "confirm": confirm, "destructive": destructive},
        "confirming": confirming,
        "entered": entered_values(form) if confirming else [],
        "change_url": done_url,
    }
    return TemplateResponse(request, "admin/zz/transition_form.html", context)


def entered_values(form) -> list[tuple[str, str]]:
    """(label, value as read) of every field of a validated form, for the confirmation page."""
    rows = []
    for field in form:
        value = form.cleaned_data.get(field.name)
        if hasattr(field.field, "choices") and not isinstance(value, (list, tuple)):
            value = dict(field.field.choices).get(value, value)
        if isinstance(value, bool):
            value = "是" if value else "否"
        rows.append((field.label, "—" if value in (None, "", [], ()) else value))
    return rows
