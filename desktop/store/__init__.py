"""Persistence: peewee models, the database object, migrations, backups and the audit log."""
