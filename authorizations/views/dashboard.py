from django.shortcuts import redirect


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
