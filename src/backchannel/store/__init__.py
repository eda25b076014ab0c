"""The encrypted, audited case store (SQLAlchemy 2, SQLite or PostgreSQL)."""
