from django.http import HttpResponse
from django.urls import re_path

urlpatterns = [
    re_path(r"^annee/(?P<year>[0-9]{4})/$", lambda request, year: HttpResponse(), name="year")
]
