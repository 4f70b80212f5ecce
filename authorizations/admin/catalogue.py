from django.contrib import admin

from authorizations.models import VerificationItem


@admin.register(VerificationItem)
class VerificationItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "regulation", "key_instrument_type", "is_active")
    list_filter = ("key_instrument_type", "is_active")
    search_fields = ("code", "name", "regulation")
    list_per_page = 50
