"""Enterprise appeals (企业诉求, domain.md §2.12, §3.5) and the commissioners' service log (行政专员台账)."""
