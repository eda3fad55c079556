"""`embedding-explorer serve`: the app in a browser, one process per tab (textual-serve underneath)."""
