from django.urls import path

from stamps import api

urlpatterns = [path("stamps/current", api.current_stamp, name="api-stamps-current")]
