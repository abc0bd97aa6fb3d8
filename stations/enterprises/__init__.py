"""Enterprises (the customers), identified by their 统一社会信用代码."""
