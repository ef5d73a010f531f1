from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("khung-nang-luc/", views.framework_list, name="framework_list"),
    path("khung-nang-luc/<str:code>/", views.framework_detail, name="framework_detail"),
    path("tu-danh-gia/", views.selfassessment_start, name="selfassessment_start"),
    path("tu-danh-gia/buoc/<str:step>/", views.selfassessment_step, name="selfassessment_step"),
    path("tu-danh-gia/ket-qua/<int:pk>/", views.selfassessment_result, name="selfassessment_result"),
    path("ho-so/", views.competence_profile, name="profile"),
]
