from django.urls import path

from courses import views

app_name = "courses"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("khoa-hoc/<int:course_id>/dang-ky/", views.enrol, name="enrol"),
    path("khoa-hoc/<int:course_id>/huy-dang-ky/", views.unenrol, name="unenrol"),
    path("bai-hoc/<int:lesson_id>/hoan-thanh/", views.lesson_done, name="lesson_done"),
    path("tiet-kiem-du-lieu/", views.low_data_toggle, name="low_data"),
]

# Staff pages (courses.reports, courses.bulk) and the reminder opt-out (courses.reminders).
urlpatterns += [
    path("quan-ly/khoa-hoc/", views.staff_courses, name="staff_courses"),
    path("quan-ly/khoa-hoc/<int:course_id>/bao-cao/", views.staff_course_report, name="staff_report"),
    path("quan-ly/khoa-hoc/<int:course_id>/bao-cao/tai-ve.csv", views.staff_course_report,
         {"fmt": "csv"}, name="staff_report_csv"),
    path("quan-ly/khoa-hoc/<int:course_id>/bao-cao/tai-ve.xlsx", views.staff_course_report,
         {"fmt": "xlsx"}, name="staff_report_xlsx"),
    path("quan-ly/khoa-hoc/<int:course_id>/dang-ky-hang-loat/", views.staff_bulk_enrol,
         name="staff_bulk_enrol"),
    path("nhac-nho/huy/<str:token>/", views.reminder_opt_out, name="reminder_opt_out"),
]
