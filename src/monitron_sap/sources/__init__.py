"""Input sources other than local files: S3 objects."""
