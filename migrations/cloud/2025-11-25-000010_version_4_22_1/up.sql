-- The columns of 4.22.1 are deployed (2025-11-25-000008): the version rows say so, as
-- CloudStack's 4.22.0 -> 4.22.1 upgrade step records it (the newest row is the version).
INSERT INTO `version` (`version`, `updated`, `step`)
VALUES ('4.22.1.0', UTC_TIMESTAMP(), 'Complete');
