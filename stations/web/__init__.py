"""HTTP plumbing shared by every blueprint; knows no feature."""
