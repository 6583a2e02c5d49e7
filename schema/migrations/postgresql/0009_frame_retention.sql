-- Frame retention ([storage] frame_retention_days) deletes old uplink_frame rows. Alarms point at
-- the frames that opened and closed them (ON DELETE SET NULL): without these indexes every
-- deleted frame would scan the whole alarm table to find the references to clear.
CREATE INDEX alarm_open_frame ON alarm(open_frame_id) WHERE open_frame_id IS NOT NULL;
CREATE INDEX alarm_close_frame ON alarm(close_frame_id) WHERE close_frame_id IS NOT NULL;
