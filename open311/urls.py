from django.urls import re_path

from open311 import views

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.service_list, name="services"),
    re_path(r"^services/(?P<code>[\w-]+)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.requests, name="requests"),
    re_path(r"^requests/(?P<pk>[0-9]{1,18})" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[\w-]{1,64})" + FMT, views.token_detail, name="token"),
]
