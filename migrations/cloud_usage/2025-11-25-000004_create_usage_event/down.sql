DROP TABLE `usage_event`;
