"""URL map of the whole site."""

from django.contrib import admin
from django.urls import path

from newsdesk.site import views

urlpatterns = [
    path("", views.front_page, name="front"),
    path("index.json", views.front_page_json, name="front-json"),
    path("story/<int:pk>", views.story_page, name="story"),
    path("story/<int:pk>.json", views.story_json, name="story-json"),
    path("article/<int:pk>", views.article_page, name="article"),
    path("article/<int:pk>.json", views.article_json, name="article-json"),
    path("healthz", views.health, name="health"),
    path("admin/", admin.site.urls),
]
