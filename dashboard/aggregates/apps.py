from django.apps import AppConfig


class AggregatesConfig(AppConfig):
    name = "dashboard.aggregates"
    label = "aggregates"
    verbose_name = "Aggregates"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dashboard.core.overview_counts import INDEX_COUNTS
        from dashboard.search.indexer import EXTRA_FEEDS

        from .overview import index_counts
        from .rollups import SCORE_ROLLUPS
        from .runs import RUN_ROLLUPS

        for feed in (SCORE_ROLLUPS, RUN_ROLLUPS):
            if feed not in EXTRA_FEEDS:
                EXTRA_FEEDS.append(feed)
        if index_counts not in INDEX_COUNTS:
            INDEX_COUNTS.append(index_counts)
