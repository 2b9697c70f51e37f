"""Parks and standard factories from the listing files: records, search and park matching."""
