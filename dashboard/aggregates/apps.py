from django.apps import AppConfig


class AggregatesConfig(AppConfig):
    name = "dashboard.aggregates"
    label = "aggregates"
    verbose_name = "Aggregates"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dashboard.search.indexer import EXTRA_FEEDS

        from .rollups import SCORE_ROLLUPS
        from .runs import RUN_ROLLUPS

        for feed in (SCORE_ROLLUPS, RUN_ROLLUPS):
            if feed not in EXTRA_FEEDS:
                EXTRA_FEEDS.append(feed)
