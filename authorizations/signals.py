"""Account events for the security audit log (DOMAIN G2): a new account, a changed role, station or status, a new
password, a deleted account — recorded from the user model's own saves, so every path is covered (the owner's
password change, a reset link, staff in the admin, `createsuperuser`, a script).

The kernel (zzmetro) imports no app, so the hooks on our user model live here; `zzmetro.audit.record` finds the
request being served, if any, for the actor and the address.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from authorizations.models import Role, Station, User
from zzmetro.audit import Kind, current_request, record

WATCHED = ("role", "station_id", "is_active")
_LABELS = {"role": "角色", "station_id": "所属单位", "is_active": "状态"}


@receiver(pre_save, sender=User, dispatch_uid="zz_audit_user_before")
def _remember_watched_fields(sender, instance: User, update_fields=None, **kwargs):
    instance._zz_audit_before = None
    if instance.pk is None or (update_fields is not None and not {"role", "station", "is_active"} & set(update_fields)):
        return  # a login's last_login update, say: nothing audited changes
    instance._zz_audit_before = User.objects.filter(pk=instance.pk).values(*WATCHED).first()


@receiver(post_save, sender=User, dispatch_uid="zz_audit_user_after")
def _record_account_change(sender, instance: User, created: bool, **kwargs):
    if created:
        record(Kind.ACCOUNT_CREATE, obj=instance, detail=_describe_account(instance))
        return
    before = getattr(instance, "_zz_audit_before", None)
    if before:
        changes = [f for f in WATCHED if before[f] != getattr(instance, f)]
        if changes:
            kind = Kind.ROLE_CHANGE if "role" in changes else Kind.ACCOUNT_CHANGE
            record(kind, obj=instance, detail="；".join(_change(f, before[f], instance) for f in changes))
    if instance._password is not None:  # set_password() then save(): Django clears it right after this signal
        _record_password(instance)


@receiver(post_delete, sender=User, dispatch_uid="zz_audit_user_deleted")
def _record_account_delete(sender, instance: User, **kwargs):
    record(Kind.ACCOUNT_DELETE, obj=instance, detail=_describe_account(instance))


def _record_password(user: User) -> None:
    request = current_request()
    actor = getattr(request, "user", None)
    if actor is None or not actor.is_authenticated:
        # A reset link (anonymous page), or no request at all (a command such as changepassword).
        kind, detail = (
            (Kind.PASSWORD_RESET, "通过邮件链接重置") if request is not None else (Kind.PASSWORD_CHANGE, "命令行设置")
        )
        record(kind, obj=user, account=user.get_username(), detail=detail)
    elif actor.pk == user.pk:
        record(Kind.PASSWORD_CHANGE, obj=user, detail="本人修改")
    else:
        record(Kind.PASSWORD_RESET, obj=user, detail="由管理员重设")


def _describe_account(user: User) -> str:
    station = f"，{user.station}" if user.station_id else ""
    return f"{Role(user.role).label}{station}，{'启用' if user.is_active else '停用'}"


def _change(field: str, old, user: User) -> str:
    return f"{_LABELS[field]}：{_value(field, old)} → {_value(field, getattr(user, field))}"


def _value(field: str, value) -> str:
    if field == "role":
        return Role(value).label if value in Role.values else str(value)
    if field == "is_active":
        return "启用" if value else "停用"
    if value is None:
        return "无"
    return str(Station.objects.filter(pk=value).first() or value)
