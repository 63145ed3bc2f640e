"""URL map of the whole site."""

from django.contrib import admin
from django.urls import path

from newsdesk.site import feeds, search_views, sitemaps, views

urlpatterns = [
    path("", views.front_page, name="front"),
    path("index.json", views.front_page_json, name="front-json"),
    path("feed.rss", feeds.front_rss, name="feed-rss"),
    path("feed.atom", feeds.front_atom, name="feed-atom"),
    path("feed.json", feeds.front_json, name="feed-json"),
    path("story/<int:pk>", views.story_page, name="story"),
    path("story/<int:pk>.json", views.story_json, name="story-json"),
    path("story/<int:pk>/feed.rss", feeds.story_rss, name="story-feed-rss"),
    path("story/<int:pk>/feed.atom", feeds.story_atom, name="story-feed-atom"),
    path("story/<int:pk>/feed.json", feeds.story_json, name="story-feed-json"),
    path("article/<int:pk>", views.article_page, name="article"),
    path("article/<int:pk>.json", views.article_json, name="article-json"),
    path("sitemap.xml", sitemaps.index, name="sitemap-index"),
    path("sitemap-stories.xml", sitemaps.stories, name="sitemap-stories"),
    path("sitemap-news.xml", sitemaps.news, name="sitemap-news"),
    path("robots.txt", sitemaps.robots, name="robots"),
    path("search", search_views.search_page, name="search"),
    path("search.json", search_views.search_json, name="search-json"),
    path("healthz", views.health, name="health"),
    path("admin/", admin.site.urls),
]
