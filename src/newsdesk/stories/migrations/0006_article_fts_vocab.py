"""SQLite: a read-only view of the full-text index's vocabulary (documents per word), so
related-story lookups can skip words that are in too many articles to tell anything."""

from django.db import migrations


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("stories", "0005_images_sections")]

    operations = [
        migrations.RunPython(
            _run(
                "CREATE VIRTUAL TABLE stories_article_fts_vocab "
                "USING fts5vocab('stories_article_fts', 'row')"
            ),
            _run("DROP TABLE IF EXISTS stories_article_fts_vocab"),
        )
    ]
