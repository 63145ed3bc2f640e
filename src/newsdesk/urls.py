"""URL map of the whole site."""

from django.contrib import admin
from django.urls import include, path

from newsdesk.site import feeds, metrics, search_views, sitemaps, views

urlpatterns = [
    *feeds.urlpatterns,
    path("", views.front_page, name="front"),
    path("index.json", views.front_page_json, name="front-json"),
    path("story/<int:pk>", views.story_page, name="story"),
    path("story/<int:pk>.json", views.story_json, name="story-json"),
    path("section/<slug:section>", views.section_page, name="section"),
    path("section/<slug:section>.json", views.section_json, name="section-json"),
    *(
        pattern
        for kind in ("place", "person", "organisation")
        for pattern in (  # the JSON twin first: <str:slug> would take "x.json" too
            path(f"{kind}/<str:slug>.json", views.entity_json, {"kind": kind}, name=f"{kind}-json"),
            path(f"{kind}/<str:slug>", views.entity_page, {"kind": kind}, name=kind),
        )
    ),
    path("sources", views.sources_page, name="sources"),
    path("sources.json", views.sources_json, name="sources-json"),
    path("source/<int:pk>", views.source_page, name="source"),
    path("source/<int:pk>.json", views.source_json, name="source-json"),
    path("media/<path:path>", views.media, name="media"),
    path("article/<int:pk>", views.article_page, name="article"),
    path("article/<int:pk>.json", views.article_json, name="article-json"),
    path("sitemap.xml", sitemaps.index, name="sitemap-index"),
    path("sitemap-stories.xml", sitemaps.stories, name="sitemap-stories"),
    path("sitemap-news.xml", sitemaps.news, name="sitemap-news"),
    path("robots.txt", sitemaps.robots, name="robots"),
    path("search", search_views.search_page, name="search"),
    path("search.json", search_views.search_json, name="search-json"),
    path("healthz", views.health, name="health"),
    path("metrics", metrics.metrics, name="metrics"),
    path("comments/", include("newsdesk.comments.urls")),
    path("admin/", admin.site.urls),
]
