DROP TABLE IF EXISTS offer_searches;

--bun:split

DROP TABLE IF EXISTS settings;
