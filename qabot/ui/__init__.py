"""Layer 6, the user interface: the command line, its settings, the chat REPL, the pager
and the one sanitiser every byte written to a terminal or as JSON goes through."""
