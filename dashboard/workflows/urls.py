from __future__ import annotations

from django.urls import path

from . import action_views, views

app_name = "workflows"

# /workflows/
urlpatterns = [
    path("", views.run_list, name="runs"),
    # Actions on a run (through the Mastra server) come before the run page: <path:> is greedy, and
    # ".../<run_id>/resume/" would otherwise read as the run "resume" of workflow "<name>/<run_id>".
    path("<path:workflow_name>/<str:run_id>/resume/", action_views.resume, name="resume"),
    path("<path:workflow_name>/<str:run_id>/cancel/", action_views.cancel, name="cancel"),
    path("<path:workflow_name>/<str:run_id>/rerun/", action_views.rerun, name="rerun"),
    path("<path:workflow_name>/<str:run_id>/send/", action_views.send_action, name="send"),
    path("schedules/", views.schedule_list, name="schedules"),
    path("background-tasks/", views.task_list, name="tasks"),
    # Before the run route, which would read it as a run of a workflow named "schedules" (the
    # schedule view hands such a request on to the run page when no schedule has that id).
    path("schedules/<str:schedule_id>/", views.schedule_detail, name="schedule"),
    # A workflow id is whatever the code named it, "/" included ("billing/refund"): <path:> carries
    # it. Run ids are Mastra's UUIDs; one holding "/" has no page (its link is left out).
    path("<path:workflow_name>/<str:run_id>/", views.run_detail, name="run"),
]
