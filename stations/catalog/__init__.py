"""The service-item catalogue (实施清单): departments, items, materials."""
