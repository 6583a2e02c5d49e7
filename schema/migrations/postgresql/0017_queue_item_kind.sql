-- Which tier a queued downlink goes at when a gateway's slots or airtime are short (issue 17,
-- netserver/scheduling/downlink_priority.h): 1 for a codec's clock correction (it may use only
-- 90 % of a sub-band's duty-cycle budget), 0 for everything else.
ALTER TABLE downlink_queue ADD COLUMN clock_correction BIGINT NOT NULL DEFAULT 0;
