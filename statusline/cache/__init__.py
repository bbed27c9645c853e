"""The cache on disk and where things live: paths, the one file opener and writer, the snapshot
store, the line view, the history, config.toml, and the fetcher's spawn. Hot-path modules here
import the standard library only."""
