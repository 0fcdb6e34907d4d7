"""The case and what can be done with it: one transaction per action."""
