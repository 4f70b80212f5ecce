from django.shortcuts import redirect, render

from authorizations.selectors.dashboard import dashboard_summary
from zzmetro.access import reader_required
from zzmetro.dates import beijing_today


def home(request):
    """Send each actor to their room: officers to the portal, staff to the admin, managers to the dashboard."""
    user = request.user
    if not user.is_authenticated:
        return redirect("register:index")
    if user.is_officer:
        return redirect("portal:index")
    if user.is_bureau:
        return redirect("admin:index")
    if user.is_manager:
        return redirect("dashboard")
    return redirect("register:index")


@reader_required
def dashboard(request):
    today = beijing_today()
    return render(request, "dashboard/index.html", {"today": today, **dashboard_summary(today)})
