"""PostgreSQL: the weighted article document becomes a stored column with its GIN index.

With only an expression index, every match was re-parsed from the article text to check
and rank it: at a million articles a story page's related-stories query and a broad search
took minutes. A stored tsvector is read, not recomputed, and ANALYZE keeps per-word
frequencies of it (pg_stats), which related stories use to skip common words.
"""

from django.db import migrations

DOCUMENT = (
    "setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(text, '')), 'B')"
)
FORWARD = [
    "ALTER TABLE stories_article ADD COLUMN IF NOT EXISTS search_vector tsvector "
    f"GENERATED ALWAYS AS ({DOCUMENT}) STORED",
    "CREATE INDEX IF NOT EXISTS stories_article_search_vector "
    "ON stories_article USING GIN (search_vector)",
    "DROP INDEX IF EXISTS stories_article_search",
    "ANALYZE stories_article",
]
BACKWARD = [
    f"CREATE INDEX IF NOT EXISTS stories_article_search ON stories_article USING GIN (({DOCUMENT}))",
    "DROP INDEX IF EXISTS stories_article_search_vector",
    "ALTER TABLE stories_article DROP COLUMN IF EXISTS search_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("stories", "0006_article_fts_vocab")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
