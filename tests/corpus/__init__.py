"""The real-world corpus of issue 17: its files and what they should give."""
