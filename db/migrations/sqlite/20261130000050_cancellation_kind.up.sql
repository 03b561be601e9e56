-- Who canceled: VOLUNTARY (the traveller, through cancellationQuote and
-- cancelBooking) or INVOLUNTARY (the airline; refunded in full, EU
-- 261/2004 art. 8 and 14 CFR part 260).
ALTER TABLE booking_cancellations ADD COLUMN kind TEXT NOT NULL DEFAULT 'VOLUNTARY';
