"""The ground floor: plumbing every app uses (errors, secrets, realtime push, throttles, cache, beat
installer). It imports no FLAXU app and nothing from the project package `flaxu/`."""
