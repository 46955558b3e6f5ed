"""Application services: what adapters and features call. Recording responses (the one write
path), removal, prompt threads, retention, exporting, ingest, ordered event handling, and the
services object itself (`container.Services`)."""
