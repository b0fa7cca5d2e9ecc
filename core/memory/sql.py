"""Every SQL statement of customer memory, each named and made of constant text; values only as bound parameters."""

from __future__ import annotations

from sqlalchemy import text

INSERT_LESSON = text("""
    INSERT INTO customer_lessons (customer_id, agent, text, source, task_id, added_by)
    VALUES (:customer_id, :agent, :text, :source, :task_id, :added_by)
    RETURNING id
""")

# The lesson's row, locked for an edit or a forget (the caller's transaction).
LOCK_LESSON = text("""
    SELECT id, customer_id, agent, text, source, added_by, active FROM customer_lessons WHERE id = :id FOR UPDATE
""")

# An edit makes the text the editor's: source edit, added by them, at now() (updated_at is the lesson's "when").
EDIT_LESSON = text("""
    UPDATE customer_lessons SET text = :text, source = 'edit', added_by = :added_by, updated_at = now()
    WHERE id = :id
""")

FORGET_LESSON = text("""
    UPDATE customer_lessons SET active = false, updated_at = now() WHERE id = :id
""")

# Active lessons, newest first, of one customer and/or one worker when given (NULL: every one).
LIST_LESSONS = text("""
    SELECT l.id, l.customer_id, c.company, l.agent, l.text, l.source, l.task_id, l.added_by, l.created_at,
        l.updated_at
    FROM customer_lessons l JOIN customers c ON c.id = l.customer_id
    WHERE l.active AND (CAST(:customer_id AS bigint) IS NULL OR l.customer_id = :customer_id)
        AND (CAST(:agent AS text) IS NULL OR l.agent = :agent)
    ORDER BY l.id DESC
    LIMIT :limit
""")

# The lessons a step's trace names, forgotten ones included, newest first.
LESSONS_NAMED = text("""
    SELECT id, text, active FROM customer_lessons WHERE id = ANY(CAST(:ids AS bigint[])) ORDER BY id DESC
""")

CUSTOMER_EXISTS = text("SELECT EXISTS (SELECT 1 FROM customers WHERE id = :id)")
WORKER_EXISTS = text("SELECT EXISTS (SELECT 1 FROM agents WHERE name = :name AND kind = 'worker')")
