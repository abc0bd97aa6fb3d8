"""政务外卖: enterprises order a service at their door, the station calls back, a team goes (issue 15)."""
