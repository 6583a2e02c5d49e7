-- Which tier a queued downlink goes at when a gateway's slots or airtime are short (issue 17,
-- netserver/scheduling/downlink_priority.h). A codec's clock correction is queued like an
-- application payload but is a clock correction: it may use only 90 % of a sub-band's duty-cycle
-- budget, so answers the device is waiting for always find airtime. 0 for everything else.
ALTER TABLE downlink_queue ADD COLUMN clock_correction INTEGER NOT NULL DEFAULT 0;
