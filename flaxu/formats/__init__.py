"""Date formats: times as the app shows them everywhere (UTC, 24-hour, ISO dates), e.g. in the admin."""
