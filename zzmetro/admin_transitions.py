"""Buttons on an admin change page that run one lifecycle service each (DOMAIN A12: no direct status edits).

A ModelAdmin lists `transitions`; each has a form, a service call and a test of when the button shows.
The service itself still refuses an illegal move, so a crafted URL gets the same clear message.
"""
from dataclasses import dataclass
from typing import Any, Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from authorizations.services import DomainError


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    form_class: type[forms.Form]
    run: Callable[..., Any]  # run(obj, user, **cleaned_data)
    available: Callable[[Any], bool]
    confirm: str = ""
    success: str = "已完成：{label}。"


class TransitionAdminMixin:
    transitions: tuple[Transition, ...] = ()
    change_form_template = "admin/zz/change_form.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        extra = [
            path("<path:object_id>/do/<slug:name>/", self.admin_site.admin_view(self.transition_view), name="%s_%s_transition" % info)
        ]
        return extra + super().get_urls()

    def transition_buttons(self, obj):
        info = self.opts.app_label, self.opts.model_name
        return [
            (t.label, reverse("admin:%s_%s_transition" % info, args=[obj.pk, t.name]))
            for t in self.transitions
            if t.available(obj)
        ]

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
        obj = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        transition = next((t for t in self.transitions if t.name == name), None)
        if transition is None:
            raise PermissionDenied
        change_url = reverse("admin:%s_%s_change" % (self.opts.app_label, self.opts.model_name), args=[obj.pk])
        return form_view(
            self, request, form=transition.form_class(request.POST or None), title=f"{transition.label}：{obj}",
            run=lambda **data: transition.run(obj, request.user, **data), done_url=change_url,
            success=transition.success.format(label=transition.label), label=transition.label,
            confirm=transition.confirm, original=obj,
        )


def form_view(model_admin, request, *, form, title: str, run, done_url: str, success: str, label: str = "", confirm: str = "", original=None):
    """An admin page with one form whose valid submission runs one service; a refusal shows on the form."""
    if request.method == "POST" and form.is_valid():
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
        "title": title,
        "form": form,
        "transition": {"label": label or title, "confirm": confirm},
        "change_url": done_url,
    }
    return TemplateResponse(request, "admin/zz/transition_form.html", context)
