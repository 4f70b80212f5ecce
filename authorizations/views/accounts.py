"""Anonymous password reset: limited per address and per client, and the same answer whatever the address."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect

from zzmetro.audit import Kind, record
from zzmetro.throttle import client_ip, hit


def password_reset_allowed(*, email: str, ip: str) -> bool:
    by_email = hit("password-reset-email", email.strip().lower(), limit=settings.PASSWORD_RESET_PER_EMAIL_PER_HOUR)
    by_ip = hit("password-reset-ip", ip, limit=settings.PASSWORD_RESET_PER_IP_PER_HOUR)
    return by_email and by_ip


class PasswordResetView(auth_views.PasswordResetView):
    """Over the limit no mail is sent, and the page says exactly what it says when one is."""

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        allowed = password_reset_allowed(email=email, ip=client_ip(self.request))
        # The audit log names the address typed, whether or not an account has it (DOMAIN G2).
        record(
            Kind.PASSWORD_RESET_REQUEST,
            request=self.request,
            account="",
            obj=f"邮箱：{email}",
            result="已受理" if allowed else "超过次数限制，未发送",
        )
        if allowed:
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())
