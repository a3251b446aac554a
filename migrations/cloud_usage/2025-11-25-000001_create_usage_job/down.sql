DROP TABLE `usage_job`;
