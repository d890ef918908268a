"""margin's interactive half: the Textual app, its screens and widgets, the keymap and the CLI."""
