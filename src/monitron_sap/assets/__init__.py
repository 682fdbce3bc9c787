"""Asset mapping: model, lookup with fallbacks, CSV import and export."""
