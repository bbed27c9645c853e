"""The fetch: HTTP to Anthropic's endpoints, the background fetcher, when it may call (policy),
the learned spacing (budget), what every process of one login shares (pool), Console mode."""
