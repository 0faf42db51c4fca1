"""State-data workbooks: the template the portal publishes, and reading a filled one back."""
