from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from handover.terms.models import Acceptance, ConditionsTranslation, GeneralConditions
from handover.web.admin import EvidenceAdmin


class ConditionsTranslationInline(admin.StackedInline):
    """The version's text in each other language, shown beside the source text; published texts are
    evidence of what people accepted, so they are read here, never changed."""

    model = ConditionsTranslation
    fields = readonly_fields = ("language", "title", "body")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(GeneralConditions)
class GeneralConditionsAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "languages", "published_at"]
    inlines = [ConditionsTranslationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("translations")

    @admin.display(description=_("languages"))
    def languages(self, obj: GeneralConditions) -> str:
        return ", ".join(t.language for t in obj.translations.all())


@admin.register(Acceptance)
class AcceptanceAdmin(EvidenceAdmin):
    """Acceptances are evidence: shown, never edited."""

    list_display = ["accepted_at", "user", "organization", "conditions", "language", "step", "ip"]
    list_filter = ["step", "language"]
    search_fields = ["user__email", "organization__name", "reference"]
    list_select_related = ["user", "organization", "conditions"]
