"""SQLite storage: one connection, WAL, numbered forward-only migrations, small repositories."""
