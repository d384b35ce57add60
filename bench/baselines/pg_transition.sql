-- The PostgreSQL baseline for one dossier transition, as pgbench runs it: an UPDATE with a
-- version check and an INSERT of the event, in one transaction, synchronous_commit = on.
\set id random(1, 100000)
BEGIN;
UPDATE dossiers SET version = version + 1, status = 'in_processing', current_step = 'appraise',
       updated_at = now()
 WHERE id = :id;
INSERT INTO events (dossier_id, version, type, payload)
SELECT id, version, 'forwarded', '{"step":"appraise","actor":"cb1","role":"counter"}'
  FROM dossiers WHERE id = :id;
COMMIT;
