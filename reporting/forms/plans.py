"""Forms of the annual plan (P1): one row per item of the station's certificate."""

from django import forms

from reporting.services.plans import PlanLineInput


class PlanForm(forms.Form):
    """Planned instrument count per item (blank: not in the plan) and optional user units."""

    def __init__(self, *args, items, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        existing = {line.item_id: line for line in plan.lines.all()} if plan else {}
        for item in self.items:
            line = existing.get(item.pk)
            self.fields[f"count_{item.pk}"] = forms.IntegerField(
                label=f"{item.name}计划数量",
                min_value=0,
                required=False,
                initial=line.planned_count if line else None,
                widget=forms.NumberInput(attrs={"min": 0, "step": 1}),
            )
            self.fields[f"units_{item.pk}"] = forms.CharField(
                label=f"{item.name}使用单位",
                required=False,
                initial=line.user_units if line else "",
                widget=forms.Textarea(attrs={"rows": 2, "placeholder": "可选，每行一个使用单位"}),
            )

    def rows(self):
        return [(item, self[f"count_{item.pk}"], self[f"units_{item.pk}"]) for item in self.items]

    def clean(self):
        data = super().clean()
        if not any(data.get(f"count_{item.pk}") is not None for item in self.items):
            raise forms.ValidationError("请至少为一个检定项目填写计划检定数量。")
        return data

    def lines(self) -> list[PlanLineInput]:
        data = self.cleaned_data
        return [
            PlanLineInput(
                item=item, planned_count=data[f"count_{item.pk}"], user_units=data.get(f"units_{item.pk}", "")
            )
            for item in self.items
            if data.get(f"count_{item.pk}") is not None
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}))
