"""Where input bytes come from, other than local files: S3 objects."""
