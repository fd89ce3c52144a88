from __future__ import annotations

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "dashboard.reviews"
    label = "reviews"
    verbose_name = "Score reviews"
