-- PostgreSQL only (its 0025 makes its data version a counter, as SQLite's has been since 0007 and
-- moved once per write transaction since 0012). This file keeps both backends' migrations
-- numbered alike.
SELECT 1;
