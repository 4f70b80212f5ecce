"""Password rules beyond Django's own (DOMAIN G1): three character classes of four, none of the last five."""

import string
import unicodedata

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import UserAttributeSimilarityValidator
from django.core.exceptions import ValidationError

CLASSES = (
    ("小写字母", lambda c: c in string.ascii_lowercase),
    ("大写字母", lambda c: c in string.ascii_uppercase),
    ("数字", lambda c: c.isdigit()),
    ("其他符号", lambda c: not (c.isascii() and c.isalnum())),
)


class CharacterClassesValidator:
    """At least `min_classes` of: lower-case letters, upper-case letters, digits, other symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        used = sum(1 for _, member in CLASSES if any(member(c) for c in password))
        if used < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_few_classes")

    def get_help_text(self):
        names = "、".join(name for name, _ in CLASSES)
        return f"密码须包含{names}中的至少{self.min_classes}类。"


class PasswordHistoryValidator:
    """The new password may not be one of the account's last `count` passwords (the current one included).

    Every saved password change is remembered through `password_changed`, which Django calls after the user row is
    saved with a new password, whoever set it (the owner, staff in the admin, a reset link, createsuperuser).
    """

    def __init__(self, count: int = 5):
        self.count = count

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        recent = list(user.password_history.values_list("password", flat=True)[: self.count])
        if user.password and user.password not in recent:
            recent.append(user.password)  # an account created before history was kept
        if any(check_password(password, encoded) for encoded in recent):
            raise ValidationError(f"新密码不能与最近{self.count}次使用过的密码相同。", code="password_reused")

    def password_changed(self, password, user=None):
        if user is None or user.pk is None or not user.password:
            return
        user.password_history.create(password=user.password)
        stale = user.password_history.values_list("pk", flat=True)[self.count :]
        user.password_history.filter(pk__in=list(stale)).delete()

    def get_help_text(self):
        return f"不能使用最近{self.count}次用过的密码。"


class UsernameSimilarityValidator(UserAttributeSimilarityValidator):
    """Not similar to the username or the account's names (Django's measure), and never containing the username in
    any case: "officer1-Zhengzhou" is only 60 % like "officer1" by Django's measure, yet it is guessed first."""

    def validate(self, password, user=None):
        username = unicodedata.normalize("NFKC", getattr(user, "username", "") or "").casefold()
        if len(username) >= 3 and username in unicodedata.normalize("NFKC", password).casefold():
            raise ValidationError("密码不能包含用户名。", code="password_too_similar")
        super().validate(password, user)
