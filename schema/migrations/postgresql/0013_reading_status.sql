-- The device's own status travels with the readings decoded from the same packet (issue 19):
-- the status word's conditions (sensor_fault, magnetic_influence, ...) and register_rollback when
-- the register was below its previous reading on arrival. Rows stored before this migration
-- have no status ('').
ALTER TABLE reading ADD COLUMN status TEXT NOT NULL DEFAULT '';  -- comma-separated, '' when none
