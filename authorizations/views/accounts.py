"""Anonymous password reset: limited per address and per client, and the same answer whatever the address."""
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect

from zzmetro.throttle import client_ip, hit


def password_reset_allowed(*, email: str, ip: str) -> bool:
    by_email = hit("password-reset-email", email.strip().lower(), limit=settings.PASSWORD_RESET_PER_EMAIL_PER_HOUR)
    by_ip = hit("password-reset-ip", ip, limit=settings.PASSWORD_RESET_PER_IP_PER_HOUR)
    return by_email and by_ip


class PasswordResetView(auth_views.PasswordResetView):
    """Over the limit no mail is sent, and the page says exactly what it says when one is."""

    def form_valid(self, form):
        if password_reset_allowed(email=form.cleaned_data["email"], ip=client_ip(self.request)):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())
