DROP TABLE `sequence`;
DROP TABLE `version`;
