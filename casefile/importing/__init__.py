"""Reading files into text, in a sandbox: no database."""
