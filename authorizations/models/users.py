from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Role(models.TextChoices):
    """The actors of DOMAIN.md."""

    BUREAU = "bureau", "市局计量处工作人员"
    OFFICER = "officer", "计量信息员"
    MANAGER = "manager", "局/处领导（只读）"


class UserManager(DjangoUserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """`manage.py createsuperuser` makes a bureau staff account: the default role, officer, needs a station."""
        extra_fields.setdefault("role", Role.BUREAU)
        # Whoever typed the password at the console hands the account over: its owner sets their own (DOMAIN G1).
        extra_fields.setdefault("must_change_password", True)
        if extra_fields["role"] != Role.BUREAU or extra_fields.get("station") is not None:
            raise ValueError("超级用户必须是市局计量处工作人员，且不属于任何单位。")
        if password is not None:
            # G1 for the console too: `createsuperuser --noinput` takes DJANGO_SUPERUSER_PASSWORD unchecked, and the
            # interactive one lets the typist bypass the rules; a ValidationError is its CommandError in Chinese.
            password_validation.validate_password(password, self.model(username=username, email=email or ""))
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """Portal user; an information officer belongs to exactly one station (S1 四(十))."""

    role = models.CharField("角色", max_length=16, choices=Role.choices, default=Role.OFFICER)
    station = models.ForeignKey(
        "authorizations.Station",
        verbose_name="所属单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
    )
    phone = models.CharField("手机", max_length=32, blank=True)
    must_change_password = models.BooleanField(
        "首次登录须修改密码",
        default=False,
        help_text="由他人设置的密码（新开账号、管理员重设）须由本人登录后立即修改。",
    )

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                name="officer_has_exactly_one_station",
                condition=(Q(role="officer") & Q(station__isnull=False))
                | (~Q(role="officer") & Q(station__isnull=True)),
                violation_error_message="计量信息员必须且只能属于一个单位；其他角色不属于任何单位。",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_full_name(self) -> str:
        """Chinese order: family name first, no space."""
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def display_name(self) -> str:
        """How people read an operator everywhere (admin, events, documents): the name, else the login name."""
        return self.get_full_name() or self.username

    @property
    def is_bureau(self) -> bool:
        return self.is_active and (self.role == Role.BUREAU or self.is_superuser)

    @property
    def is_manager(self) -> bool:
        return self.is_active and self.role == Role.MANAGER

    @property
    def is_officer(self) -> bool:
        return self.is_active and self.role == Role.OFFICER and self.station_id is not None

    @property
    def reads_everything(self) -> bool:
        return self.is_bureau or self.is_manager


class PasswordHistory(models.Model):
    """A password hash the account has used, so none of the last few can be chosen again (DOMAIN G1)."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField("密码摘要", max_length=128)
    set_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-set_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {timezone.localtime(self.set_at):%Y-%m-%d %H:%M}"


class LoginLockout(AccessAttempt):
    """Failed logins of one username from one address (django-axes' record); deleting it unlocks (DOMAIN G1)."""

    class Meta:
        proxy = True
        verbose_name = "登录失败与锁定"
        verbose_name_plural = "登录失败与锁定"

    def __str__(self) -> str:
        return f"{self.username} @ {self.ip_address}"

    @property
    def is_locked(self) -> bool:
        return self.failures_since_start >= settings.AXES_FAILURE_LIMIT
