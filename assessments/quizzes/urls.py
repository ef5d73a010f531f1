"""Quiz pages, for the project to mount under /danh-gia/ (namespace "quizzes")."""

from django.urls import path

from . import views
from .formats import views as format_views

app_name = "quizzes"

urlpatterns = [
    path("bai-kiem-tra/<int:quiz_id>/", views.quiz_start, name="start"),
    path("bai-kiem-tra/<int:quiz_id>/thong-ke/", views.item_statistics_page, name="item_statistics"),
    path("bai-lam/<int:attempt_id>/", views.attempt_page, name="attempt"),
    path("bai-lam/<int:attempt_id>/ket-qua/", views.attempt_review_page, name="review"),
    path("ngan-hang-cau-hoi/nhap/", format_views.questions_import_page, name="questions_import"),
    path("ngan-hang-cau-hoi/xuat/", format_views.questions_export_page, name="questions_export"),
]
