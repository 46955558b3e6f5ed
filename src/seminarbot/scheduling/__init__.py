"""The one scheduler loop (plan → claim → send → record → reconcile), the words of its
reminders and digests, and the Poster port each adapter implements."""
