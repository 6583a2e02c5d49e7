-- The civil time zone of an application's meters: day boundaries of the reading grid follow
-- it. Empty means the configuration's [time] time_zone. PostgreSQL twin of ../0005.
ALTER TABLE application ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
