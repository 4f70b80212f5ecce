"""Deployment checks of our own (`manage.py check --deploy`), beside Django's (issue 13, DOMAIN G1).

Django's security.W009 passes any key of 50 characters with 5 distinct ones, so `zzmetrozzmetro…` or the example's
placeholder written out to length would sign sessions and password-reset links unnoticed. zzmetro.W001 also warns about
a key that repeats one short pattern, uses fewer than 10 distinct characters, or still holds a placeholder word.
Registered on import of the zzmetro package, so it runs in every process that runs the checks.
"""

from django.conf import settings
from django.core import checks

PLACEHOLDERS = ("change-me", "changeme", "change_me", "insecure", "example", "placeholder")
MIN_DISTINCT = 10


def weak_secret_key(key: str) -> bool:
    text = str(key)
    repeated = len(text) > 1 and text in (text + text)[1:-1]  # a whole number of copies of a shorter pattern
    return repeated or len(set(text)) < MIN_DISTINCT or any(word in text.lower() for word in PLACEHOLDERS)


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    try:
        key = settings.SECRET_KEY
    except Exception:  # Django's own check reports a missing key
        return []
    if not key or not weak_secret_key(key):
        return []
    return [
        checks.Warning(
            "SECRET_KEY 容易猜到：由一小段重复组成、不同字符少于 10 个，或仍含示例中的占位词。"
            " / SECRET_KEY is guessable: a repeated pattern, fewer than 10 distinct characters, or a placeholder word.",
            hint="请生成随机密钥，例如 python -c 'import secrets; print(secrets.token_urlsafe(50))'，写入 SECRET_KEY。",
            id="zzmetro.W001",
        )
    ]
