"""The enterprise's self-service pages and the dedicated-clerk directory (企业服务).

Its home (cases, polled), online application, document store, choosing a dedicated clerk, and the clerk's own
view of its clients. These pages compose cases, clerks, enterprises, notifications and ratings, so the package
sits above all of them (and below ``home``, which shows the enterprise home at /home): see .importlinter.
"""
