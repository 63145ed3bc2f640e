"""Full-text search index: SQLite FTS5 (external content, kept in step by triggers) or a
PostgreSQL GIN index over the same weighted text."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE stories_article_fts USING fts5("
    "title, text, content='stories_article', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER stories_article_fts_ai AFTER INSERT ON stories_article BEGIN "
    "INSERT INTO stories_article_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER stories_article_fts_ad AFTER DELETE ON stories_article BEGIN "
    "INSERT INTO stories_article_fts(stories_article_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER stories_article_fts_au AFTER UPDATE OF title, text ON stories_article BEGIN "
    "INSERT INTO stories_article_fts(stories_article_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); "
    "INSERT INTO stories_article_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "INSERT INTO stories_article_fts(stories_article_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS stories_article_fts_ai",
    "DROP TRIGGER IF EXISTS stories_article_fts_ad",
    "DROP TRIGGER IF EXISTS stories_article_fts_au",
    "DROP TABLE IF EXISTS stories_article_fts",
]
POSTGRES = [
    "CREATE INDEX stories_article_search ON stories_article USING GIN (("
    "setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(text, '')), 'B')))",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS stories_article_search"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("stories", "0003_story_clustering")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
