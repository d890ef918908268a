"""margin's screens, one a module, each with its ``.tcss`` beside it."""
