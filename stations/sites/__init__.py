"""The service centre and the stations, and which items each offers."""
