"""Comment URLs, under /comments/."""

from django.urls import path, re_path

from newsdesk.comments import feeds, views

app_name = "comments"

urlpatterns = [
    path("post", views.post, name="post"),
    path("reply/<int:pk>", views.reply, name="reply"),
    path("<int:pk>/edit", views.edit, name="edit"),
    path("<int:pk>/delete", views.delete, name="delete"),
    path("moderate/<str:token>", views.moderate, name="moderate"),
    path("forget", views.forget, name="forget"),
    path("forget/<str:token>", views.forget_confirm, name="forget-confirm"),
    re_path(r"^avatar/(?P<key>[0-9a-f]{20})\.svg$", views.avatar, name="avatar"),
    re_path(r"^(?P<kind>story|article)/(?P<pk>[0-9]+)/feed\.rss$", feeds.rss, name="feed-rss"),
    re_path(r"^(?P<kind>story|article)/(?P<pk>[0-9]+)/feed\.atom$", feeds.atom, name="feed-atom"),
]
