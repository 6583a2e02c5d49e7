-- Billing after the limit and the common-property share (issue 19 items 5-6).
--
-- Decree 354 item 60 (current text): after the 3 (2) average periods a residential premise is
-- billed by the norm (item 42), with the increasing coefficient where item 60 requires it, and a
-- non-residential premise by item 43's calculation method. Item 59 and 59(1): for heating the
-- average is taken over the heating season. Item 59(1): a house meter may be billed by its own
-- average for at most 3 periods. These are columns of the dated rule; the "always" rule is moved
-- to the current text.
ALTER TABLE billing_rule ADD COLUMN norm_coefficient_residential REAL NOT NULL DEFAULT 1.0
  CHECK (norm_coefficient_residential >= 1.0);
ALTER TABLE billing_rule ADD COLUMN non_residential_after_limit TEXT NOT NULL DEFAULT 'norm'
  CHECK (non_residential_after_limit IN ('norm', 'calculated'));
ALTER TABLE billing_rule ADD COLUMN heating_season_average INTEGER NOT NULL DEFAULT 0
  CHECK (heating_season_average IN (0, 1));
ALTER TABLE billing_rule ADD COLUMN max_periods_house INTEGER NOT NULL DEFAULT 3
  CHECK (max_periods_house >= 0);
UPDATE billing_rule
   SET non_residential_after_limit = 'calculated',
       heating_season_average = 1,
       source = 'Decree 354 items 59, 59(1), 60: 6-month average (at least 3; heating: over the heating season), '
                || '3/2 periods (house meter 3), then residential by the norm (item 42), non-residential by '
                || 'item 43''s calculated volume'
 WHERE valid_from = 0;

-- What the common-property share (ОДН, items 44-48, Appendix 2 formulas 10-15) needs per object:
-- the area of the common property, whether the owners' general meeting decided to distribute the
-- volume above the common-property norm (item 44), and the heating season (item 59: heating is
-- averaged over heating-season months). heating_first_month..heating_last_month may wrap the new
-- year (10..4 = October to April); NULL: not configured.
ALTER TABLE metering_object ADD COLUMN common_area_m2 REAL CHECK (common_area_m2 IS NULL OR common_area_m2 > 0);
ALTER TABLE metering_object ADD COLUMN owners_above_norm INTEGER NOT NULL DEFAULT 0 CHECK (owners_above_norm IN (0, 1));
ALTER TABLE metering_object ADD COLUMN heating_first_month INTEGER
  CHECK (heating_first_month IS NULL OR heating_first_month BETWEEN 1 AND 12);
ALTER TABLE metering_object ADD COLUMN heating_last_month INTEGER
  CHECK (heating_last_month IS NULL OR heating_last_month BETWEEN 1 AND 12);

-- The common-property norm (норматив потребления в целях содержания общего имущества), per m² of
-- common property per month, per object and resource, from a date on.
CREATE TABLE common_property_norm (
  object_id  INTEGER NOT NULL REFERENCES metering_object(id) ON DELETE CASCADE,
  resource   TEXT NOT NULL,
  valid_from INTEGER NOT NULL,
  per_m2     REAL NOT NULL CHECK (per_m2 >= 0),
  PRIMARY KEY (object_id, resource, valid_from)
);

-- Item 43: a non-residential premise past the limit is billed by a calculated volume (for water
-- by the pipe's capacity under the water metering rules, for electricity by the retail market
-- rules). The operator enters the volume so computed, per premise and resource, from a date on.
CREATE TABLE calculated_volume (
  premise_id INTEGER NOT NULL REFERENCES premise(id) ON DELETE CASCADE,
  resource   TEXT NOT NULL,
  valid_from INTEGER NOT NULL,
  per_month  REAL NOT NULL CHECK (per_month >= 0),
  PRIMARY KEY (premise_id, resource, valid_from)
);
