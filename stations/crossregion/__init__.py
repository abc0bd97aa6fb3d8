"""跨区通办: partner districts and the hand-offs to and from them."""
