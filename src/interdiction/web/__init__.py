"""The reviewers' and analysts' web UI: server-rendered pages, no build step, no CDN."""
