"""A sweep's results outside the widget: pure helpers shared by the dashboard, its static view and ``hdnotebook.plot``."""
