from django.contrib.auth.models import AbstractUser, UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    """The actors of DOMAIN.md."""

    BUREAU = "bureau", "市局计量处工作人员"
    OFFICER = "officer", "计量信息员"
    MANAGER = "manager", "局/处领导（只读）"


class UserManager(DjangoUserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """`manage.py createsuperuser` makes a bureau staff account: the default role, officer, needs a station."""
        extra_fields.setdefault("role", Role.BUREAU)
        if extra_fields["role"] != Role.BUREAU or extra_fields.get("station") is not None:
            raise ValueError("超级用户必须是市局计量处工作人员，且不属于任何单位。")
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

    def get_full_name(self) -> str:
        """Chinese order: family name first, no space."""
        return f"{self.last_name}{self.first_name}".strip()

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
