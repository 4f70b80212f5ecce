"""Forms of the archive pages (DOMAIN M1)."""

from django import forms

from authorizations.models import MeasurementStandard, Personnel, Station, VerificationItem
from reporting.models import Instrument, InstrumentUse, VerificationResult
from reporting.selectors.archive import DUE_CHOICES, ArchiveFilters, station_item_choices
from zzmetro.uploads import LimitedFileField, archive_import_max_bytes

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ArchiveFilterForm(forms.Form):
    q = forms.CharField(
        label="搜索",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "出厂编号、器具名称、使用单位或型号"}),
    )
    item = forms.ModelChoiceField(
        label="检定项目", queryset=VerificationItem.objects.none(), required=False, empty_label="全部"
    )
    use = forms.ChoiceField(label="用途", choices=[("", "全部"), *InstrumentUse.choices], required=False)
    result = forms.ChoiceField(label="检定结果", choices=[("", "全部"), *VerificationResult.choices], required=False)
    due = forms.ChoiceField(label="到期", choices=[("", "全部"), *DUE_CHOICES], required=False)

    def __init__(self, *args, station: Station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = station_item_choices(station)

    def filters(self) -> ArchiveFilters:
        if not self.is_valid():
            return ArchiveFilters()
        data = self.cleaned_data
        return ArchiveFilters(
            q=data["q"].strip(),
            item=data["item"].pk if data["item"] else None,
            use=data["use"],
            result=data["result"],
            due=data["due"],
        )


class InstrumentForm(forms.ModelForm):
    class Meta:
        model = Instrument
        fields = (
            "item",
            "user_unit",
            "name",
            "model",
            "serial_number",
            "measuring_range",
            "accuracy_class",
            "use",
            "location",
            "cycle_months",
        )

    def __init__(self, *args, station: Station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = station_item_choices(station)
        if self.instance.pk:
            self.fields["item"].disabled = True


class VerificationForm(forms.Form):
    verified_on = forms.DateField(label="检定日期", widget=DATE_WIDGET)
    result = forms.ChoiceField(label="检定结果", choices=VerificationResult.choices)
    certificate_number = forms.CharField(label="证书（通知书）编号", max_length=64)
    verifier = forms.ModelChoiceField(label="检定人员", queryset=Personnel.objects.none())
    standard = forms.ModelChoiceField(label="所用计量标准", queryset=MeasurementStandard.objects.none())

    def __init__(self, *args, station: Station, **kwargs):
        kwargs.setdefault("prefix", "v")
        super().__init__(*args, **kwargs)
        self.fields["verifier"].queryset = Personnel.objects.filter(station=station)
        self.fields["standard"].queryset = MeasurementStandard.objects.filter(station=station)


class ImportForm(forms.Form):
    file = LimitedFileField(label="Excel文件（.xlsx，使用导入模板填写）", max_bytes=archive_import_max_bytes)
