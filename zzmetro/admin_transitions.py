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
        form = transition.form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                transition.run(obj, request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                self.message_user(request, transition.success.format(label=transition.label), messages.SUCCESS)
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": f"{transition.label}：{obj}",
            "form": form,
            "transition": transition,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/zz/transition_form.html", context)
