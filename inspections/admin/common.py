from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from authorizations.services import DomainError


def form_view(model_admin, request, *, form, title: str, run, done_url: str, success: str, confirm: str = ""):
    """An admin page with one form whose valid submission runs one service (errors shown on the form)."""
    if request.method == "POST" and form.is_valid():
        try:
            run(**form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            model_admin.message_user(request, success, messages.SUCCESS)
            return redirect(done_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "form": form,
        "transition": {"label": title, "confirm": confirm},
        "change_url": done_url,
        "original": title,
    }
    return TemplateResponse(request, "admin/zz/transition_form.html", context)
