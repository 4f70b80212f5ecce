"""Identity (DOMAIN G1, G3): password rules, login lockout, idle sessions and the TOTP second factor.

The pieces stand on well-kept libraries — Django's password validators, django-axes for lockout, django-otp for
TOTP devices and recovery codes — and this package only adds the project's rules around them.
"""
