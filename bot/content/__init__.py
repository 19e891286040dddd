"""Content: the tables, the repository every reader and editor goes through, and the starter pack loader."""
