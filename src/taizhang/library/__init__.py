"""学习资料: study materials, who studied what, and Chinese full-text search over materials and records."""
