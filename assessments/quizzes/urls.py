"""Quiz pages, for the project to mount under /danh-gia/ (namespace "quizzes")."""

from django.urls import path

from . import views

app_name = "quizzes"

urlpatterns = [
    path("bai-kiem-tra/<int:quiz_id>/", views.quiz_start, name="start"),
    path("bai-kiem-tra/<int:quiz_id>/thong-ke/", views.item_statistics_page, name="item_statistics"),
    path("bai-lam/<int:attempt_id>/", views.attempt_page, name="attempt"),
    path("bai-lam/<int:attempt_id>/ket-qua/", views.attempt_review_page, name="review"),
]
