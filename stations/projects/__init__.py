"""Key projects (重点项目手续台账, domain.md §2.15, §3.7): procedures with planned dates, 红黄绿, dispatch, 销号."""
