"""In-app notifications (the bell), behind one interface so that SMS or WeChat channels can be added later."""
