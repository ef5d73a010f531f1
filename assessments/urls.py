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
    path("minh-chung/", views.staff_evidence_people, name="staff_evidence_people"),
    path("minh-chung/nguoi/<int:person_id>/", views.staff_evidence_person, name="staff_evidence_person"),
    path("minh-chung/<int:evidence_id>/sua/", views.staff_evidence_correct, name="staff_evidence_correct"),
]
