-- Bookkeeping of the usage aggregation runs.
CREATE TABLE `usage_job` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `host` varchar(255) DEFAULT NULL,
  `pid` int(5) DEFAULT NULL,
  `job_type` int(1) DEFAULT NULL,
  `scheduled` int(1) DEFAULT NULL,
  `start_millis` bigint(20) unsigned NOT NULL DEFAULT 0 COMMENT 'start time in milliseconds of the aggregation range used by this job',
  `end_millis` bigint(20) unsigned NOT NULL DEFAULT 0 COMMENT 'end time in milliseconds of the aggregation range used by this job',
  `exec_time` bigint(20) unsigned NOT NULL DEFAULT 0 COMMENT 'how long in milliseconds it took for the job to execute',
  `start_date` datetime DEFAULT NULL COMMENT 'start date of the aggregation range used by this job',
  `end_date` datetime DEFAULT NULL COMMENT 'end date of the aggregation range used by this job',
  `success` int(1) DEFAULT NULL,
  `heartbeat` datetime NOT NULL,
  PRIMARY KEY (`id`),
  KEY `i_usage_job__end_millis` (`end_millis`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;
