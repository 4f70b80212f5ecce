"""The ratio job without a broker: python manage.py compute_sampling_ratios --year 2027 (DOMAIN I3)."""

from django.core.management.base import BaseCommand

from inspections.services.sampling import compute_sampling_ratios
from zzmetro.dates import beijing_today


class Command(BaseCommand):
    help = "计算各被授权单位本年度复核检定抽样比例和抽样数量"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="计划年度，默认为当前年度")

    def handle(self, *args, year=None, **options):
        year = year or beijing_today().year
        count = compute_sampling_ratios(year=year)
        self.stdout.write(self.style.SUCCESS(f"{year}年抽样比例已计算：{count}家单位。"))
