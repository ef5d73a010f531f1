from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    path("tra-cuu/", views.lookup, name="lookup"),
    path("quan-ly/", views.commune_list, name="commune_list"),
    path("xa/<int:commune_id>/thon/", views.village_list, name="village_list"),
    path("xa/<int:commune_id>/thon/them/", views.village_create, name="village_create"),
    path("xa/<int:commune_id>/thon/nhap-csv/", views.village_import, name="village_import"),
    path("xa/<int:commune_id>/thon/gop/", views.village_merge, name="village_merge"),
    path("xa/<int:commune_id>/thon/<int:village_id>/tach/", views.village_split, name="village_split"),
]
