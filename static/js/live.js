// live connection: filled in by the realtime work
