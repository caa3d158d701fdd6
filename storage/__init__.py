"""Storage for unmentor: SQLModel models, migrations and every SQL query."""
