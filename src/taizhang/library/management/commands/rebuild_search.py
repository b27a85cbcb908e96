from typing import Any

from django.core.management.base import BaseCommand

from taizhang.library import search


class Command(BaseCommand):
    help = "重建全文检索索引（学习资料和全部台账记录）"

    def handle(self, *args: Any, **options: Any) -> None:
        count = search.rebuild()
        self.stdout.write(f"已重建全文检索索引：{count} 条。")
