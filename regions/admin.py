"""Admin for the geography: districts, their Teilregionen and municipalities.

These tables are small (a district has a handful of regions and a dozen or so
municipalities), so they are edited nested: regions under their district,
municipalities under their region.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import District, Municipality, Region


class RegionInline(admin.TabularInline):
    model = Region
    fields = ("name",)
    extra = 0
    show_change_link = True


class MunicipalityInline(admin.TabularInline):
    model = Municipality
    fields = ("name", "ags", "population")
    extra = 0
    show_change_link = True


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "code")
    search_fields = ("name", "=key", "=code")
    fields = ("name", "key", "code", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")
    inlines = [RegionInline]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "district")
    list_select_related = ("district",)
    list_filter = ("district",)
    search_fields = ("name", "district__name")
    autocomplete_fields = ("district",)
    fields = ("district", "name", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")
    inlines = [MunicipalityInline]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("name", "ags", "region", "district_name", "population")
    list_select_related = ("region__district",)
    list_filter = ("region__district", "region")
    search_fields = ("name", "=ags")
    autocomplete_fields = ("region",)
    fields = ("region", "name", "ags", "population", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description=_("Kreis"), ordering="region__district__name")
    def district_name(self, obj: Municipality) -> str:
        return obj.region.district.name
