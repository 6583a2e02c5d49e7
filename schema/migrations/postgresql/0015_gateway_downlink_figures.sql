-- Per-gateway downlink figures (issue 17): what uchetd's downlink scheduler counted since it
-- started and the airtime per duty-cycle sub-band in the last hour. uchetd replaces a gateway's
-- rows every minute and at stop; `uchetctl gateway show` reads them. One row per gateway and
-- figure (~20 per gateway).
CREATE TABLE gateway_downlink_figure (
  gateway_eui TEXT NOT NULL,
  name TEXT NOT NULL,
  value BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (gateway_eui, name)
);
