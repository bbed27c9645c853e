"""The core: readings and the one rule that merges them, the snapshot model, the outside-value
boundary (``clean``) and the forecast. Pure; imports nothing above it."""
