-- Billing after the limit and the common-property share (issue 19 items 5-6). PostgreSQL twin of
-- ../0014_common_property.sql, which explains the Decree 354 items behind each column.
ALTER TABLE billing_rule ADD COLUMN norm_coefficient_residential DOUBLE PRECISION NOT NULL DEFAULT 1.0
  CHECK (norm_coefficient_residential >= 1.0);
ALTER TABLE billing_rule ADD COLUMN non_residential_after_limit TEXT NOT NULL DEFAULT 'norm'
  CHECK (non_residential_after_limit IN ('norm', 'calculated'));
ALTER TABLE billing_rule ADD COLUMN heating_season_average BIGINT NOT NULL DEFAULT 0
  CHECK (heating_season_average IN (0, 1));
ALTER TABLE billing_rule ADD COLUMN max_periods_house BIGINT NOT NULL DEFAULT 3
  CHECK (max_periods_house >= 0);
UPDATE billing_rule
   SET non_residential_after_limit = 'calculated',
       heating_season_average = 1,
       source = 'Decree 354 items 59, 59(1), 60: 6-month average (at least 3; heating: over the heating season), '
                || '3/2 periods (house meter 3), then residential by the norm (item 42), non-residential by '
                || 'item 43''s calculated volume'
 WHERE valid_from = 0;

-- What the common-property share (ОДН, items 44-48) needs per object: the area of the common
-- property, the owners' decision of item 44, and the heating season (months, may wrap the year;
-- NULL: not configured).
ALTER TABLE metering_object ADD COLUMN common_area_m2 DOUBLE PRECISION CHECK (common_area_m2 IS NULL OR common_area_m2 > 0);
ALTER TABLE metering_object ADD COLUMN owners_above_norm BIGINT NOT NULL DEFAULT 0 CHECK (owners_above_norm IN (0, 1));
ALTER TABLE metering_object ADD COLUMN heating_first_month BIGINT
  CHECK (heating_first_month IS NULL OR heating_first_month BETWEEN 1 AND 12);
ALTER TABLE metering_object ADD COLUMN heating_last_month BIGINT
  CHECK (heating_last_month IS NULL OR heating_last_month BETWEEN 1 AND 12);

-- The common-property norm per m² of common property per month, per object and resource, from a
-- date on.
CREATE TABLE common_property_norm (
  object_id  BIGINT NOT NULL REFERENCES metering_object(id) ON DELETE CASCADE,
  resource   TEXT NOT NULL,
  valid_from BIGINT NOT NULL,
  per_m2     DOUBLE PRECISION NOT NULL CHECK (per_m2 >= 0),
  PRIMARY KEY (object_id, resource, valid_from)
);

-- Item 43: the calculated volume of a non-residential premise past the limit, entered by the
-- operator per premise and resource, from a date on.
CREATE TABLE calculated_volume (
  premise_id BIGINT NOT NULL REFERENCES premise(id) ON DELETE CASCADE,
  resource   TEXT NOT NULL,
  valid_from BIGINT NOT NULL,
  per_month  DOUBLE PRECISION NOT NULL CHECK (per_month >= 0),
  PRIMARY KEY (premise_id, resource, valid_from)
);
