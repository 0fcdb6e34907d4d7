"""Values of a case: plain, immutable, no database and no files."""
