"""One conversation per enterprise with its dedicated clerk ("沟通只对一人")."""
