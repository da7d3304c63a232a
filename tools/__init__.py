"""Scripts that maintain the repository (screenshots of the pages)."""
