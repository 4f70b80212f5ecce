"""Forms of the licence register's pages: the import upload, staff's answers for the documents, the public search."""

from django import forms

from inspections.models import LicenceInspectionReport, LicenceSystemAdministrator
from zzmetro.uploads import LimitedFileField, archive_import_max_bytes

YES_NO = [("", "（未填写）"), ("true", "是"), ("false", "否")]


class LicenceImportForm(forms.Form):
    file = LimitedFileField(label="Excel文件（.xlsx，使用导入模板填写）", max_bytes=archive_import_max_bytes)


class LicenceReportForm(forms.ModelForm):
    """What staff write for Attachment 1 and the summary report (L4, L6); the rest comes from the register."""

    online_approval = forms.TypedChoiceField(
        label="是否开展网上审批",
        choices=YES_NO,
        required=False,
        coerce=lambda value: value == "true",
        empty_value=None,
    )

    class Meta:
        model = LicenceInspectionReport
        fields = [
            "year",
            "title",
            "doc_number",
            "recipient",
            "signed_on",
            "unit",
            "province",
            "online_approval",
            "announcement",
            "approval_issuers",
            "licence_issuers",
            "reform",
            "remarks",
            "basic_situation",
            "good_practice",
            "problems",
            "suggestions",
        ]
        widgets = {
            "signed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in ("reform", "remarks", "basic_situation", "good_practice", "problems", "suggestions")
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        value = self.initial.get("online_approval")
        if value is not None:
            self.initial["online_approval"] = "true" if value else "false"


AdministratorFormSet = forms.modelformset_factory(
    LicenceSystemAdministrator,
    fields=["name", "unit", "title", "office_phone", "mobile", "email"],
    extra=1,
    can_delete=True,
)


class ManufacturerSearchForm(forms.Form):
    """The public list of licence holders (L5): by name, instrument type and licence number."""

    q = forms.CharField(
        label="企业名称", required=False, max_length=100, widget=forms.TextInput(attrs={"placeholder": "生产企业名称"})
    )
    instrument_type = forms.ChoiceField(label="计量器具种类", required=False)
    number = forms.CharField(
        label="许可证编号", required=False, max_length=50, widget=forms.TextInput(attrs={"placeholder": "许可证编号"})
    )

    def __init__(self, *args, type_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument_type"].choices = [("", "全部")] + list(type_choices)


def disable(form) -> None:
    """A manager reads the answers and changes nothing."""
    for field in form.fields.values():
        field.disabled = True
