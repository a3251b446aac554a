DELETE FROM `version` WHERE `version` = '4.22.1.0';
