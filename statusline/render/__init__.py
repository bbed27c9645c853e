"""Renderers: from a view (or a snapshot) to one target's text. Segments say what, dialects say
how each target writes it; the JSON/Waybar formats, the panel and notifications."""
