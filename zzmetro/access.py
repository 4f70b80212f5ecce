"""View guards for the three signed-in roles (DOMAIN Actors)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def role_required(check):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied("您的账号无权访问此页面。")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


officer_required = role_required(lambda user: user.is_officer)
reader_required = role_required(lambda user: user.reads_everything)
