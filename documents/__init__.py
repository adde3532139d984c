"""The team's shared documents: a space per quartier team and per working group, folders, versions, full-text search."""
