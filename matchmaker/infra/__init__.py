"""Infrastructure: configuration, extensions, the clock, HTTP and error plumbing, i18n, reference data files.

Nothing here knows a use case; services, the API and the pages build on it."""
